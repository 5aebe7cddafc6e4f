"""Sensitivity analysis of a finished sweep: Sobol, Morris, grid response, LHS rank correlation.

The analysis reads the design from the store (never regenerates it) and the outcomes from
the runs' summaries, aligned to the design rows by run id (``d<row>-r<rep>``), never by the
order in which runs finished. Replications are averaged per design point. The Sobol
second-order flag is the one stored with the samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.design import REFERENCE, StoredDesign, parse_run_id
from sim.analysis.policies import export_policy_outcomes, policy_outcome_matrix
from sim.core.errors import UserError
from sim.runs.store import ResultStore


@dataclass
class Analysis:
    """Result tables of one analysis (tidy: one row per outcome and parameter)."""

    method: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # outcome -> why it was left out


def outcome_runs(store: ResultStore) -> pd.DataFrame:
    """One row per finished design run: run_id, row, replication and its outcomes."""
    runs = store.runs()
    runs = runs[(runs["status"] == "done") & (runs["grp"] != REFERENCE)]
    rows = []
    for rid, summary in zip(runs["run_id"], runs["summary"], strict=True):
        row, rep = parse_run_id(rid)
        rows.append({"run_id": rid, "row": row, "replication": rep, **summary["outcomes"]})
    return pd.DataFrame(rows, columns=None if rows else ["run_id", "row", "replication"])


def outcome_matrix(store: ResultStore, design: StoredDesign) -> pd.DataFrame:
    """Outcomes per design row (mean over replications), indexed by row 0..n-1.

    Raises :class:`UserError` if a design run is missing. With policies, the columns are
    the policy outcomes and differences (see :func:`policy_outcome_matrix`).
    """
    if design.policies:
        return policy_outcome_matrix(store, design)
    runs = outcome_runs(store)
    n_rows = len(design.X)
    have = set(zip(runs["row"], runs["replication"], strict=True)) if len(runs) else set()
    missing = n_rows * design.replications - len(have)
    if missing:
        raise UserError(f"the sweep in {store.folder} is incomplete: {missing} of "
                        f"{n_rows * design.replications} design runs are missing or failed. "
                        "Run the same `sim sweep` command again to finish it.")
    y = runs.groupby("row")[design.outcomes].mean()
    return y.reindex(range(n_rows))


def analyze(design: StoredDesign, Y: pd.DataFrame, *, conf_level: float = 0.95,
            num_resamples: int = 500) -> Analysis:
    """Sensitivity indices (Sobol, Morris), grid response or LHS rank correlations."""
    res = Analysis(design.method)
    problem = {"num_vars": len(design.names), "names": design.names, "bounds": design.bounds}
    for outcome in list(Y.columns):
        y = Y[outcome].to_numpy(dtype=float)
        if design.method == "grid":
            if "grid" not in res.tables:
                res.tables["grid"] = pd.DataFrame(design.X, columns=design.names)
                res.tables["grid"].attrs["parameters"] = list(design.names)
            res.tables["grid"][outcome] = y
            continue
        if not np.isfinite(y).all():
            res.skipped[outcome] = (f"undefined (NaN) for {int((~np.isfinite(y)).sum())} of "
                                    f"{len(y)} design points")
            continue
        if np.ptp(y) == 0:
            res.skipped[outcome] = "does not vary over the design"
            continue
        if design.method == "sobol":
            _sobol(res, problem, design, outcome, y, conf_level, num_resamples)
        elif design.method == "morris":
            _morris(res, problem, design, outcome, y, conf_level, num_resamples)
        else:
            _rank_correlation(res, design, outcome, y)
    return res


def _append(res: Analysis, name: str, frame: pd.DataFrame) -> None:
    res.tables[name] = pd.concat([res.tables.get(name), frame], ignore_index=True)


def _sobol(res: Analysis, problem: dict, design: StoredDesign, outcome: str, y: np.ndarray,
           conf: float, resamples: int) -> None:
    from SALib.analyze import sobol

    d = problem["num_vars"]
    step = 2 * d + 2 if design.second_order else d + 2
    if len(y) != design.n * step:
        raise UserError(f"{len(y)} Sobol samples do not fit the stored design (n={design.n}, "
                        f"second_order={design.second_order}: {design.n * step} expected).")
    si = sobol.analyze(problem, y, calc_second_order=design.second_order, conf_level=conf,
                       num_resamples=resamples, seed=design.master_seed)
    _append(res, "sobol", pd.DataFrame({
        "outcome": outcome, "parameter": design.names, "S1": si["S1"],
        "S1_conf": si["S1_conf"], "ST": si["ST"], "ST_conf": si["ST_conf"],
    }).sort_values("ST", ascending=False))
    if design.second_order:
        i, j = np.triu_indices(d, k=1)
        _append(res, "sobol_s2", pd.DataFrame({
            "outcome": outcome, "parameter_1": np.array(design.names)[i],
            "parameter_2": np.array(design.names)[j], "S2": si["S2"][i, j],
            "S2_conf": si["S2_conf"][i, j]}))


def _morris(res: Analysis, problem: dict, design: StoredDesign, outcome: str, y: np.ndarray,
            conf: float, resamples: int) -> None:
    from SALib.analyze import morris

    si = morris.analyze(problem, design.X, y, num_levels=design.morris_levels,
                        conf_level=conf, num_resamples=resamples, seed=design.master_seed)
    _append(res, "morris", pd.DataFrame({
        "outcome": outcome, "parameter": design.names, "mu": si["mu"],
        "mu_star": si["mu_star"], "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"],
    }).sort_values("mu_star", ascending=False))


def _rank_correlation(res: Analysis, design: StoredDesign, outcome: str, y: np.ndarray) -> None:
    from scipy.stats import spearmanr

    rho, p = zip(*(spearmanr(design.X[:, k], y) for k in range(len(design.names))),
                 strict=True)
    _append(res, "rank_correlation", pd.DataFrame({
        "outcome": outcome, "parameter": design.names, "spearman_rho": rho, "p_value": p,
    }).sort_values("spearman_rho", key=np.abs, ascending=False))


# ---- output --------------------------------------------------------------------------------
def export_outcomes(store: ResultStore, design: StoredDesign, folder: Path) -> Path:
    """``outcomes.csv``: one row per finished design run with its parameter values."""
    path = Path(folder) / "outcomes.csv"
    if design.policies:
        export_policy_outcomes(store, design).to_csv(path, index=False)
        return path
    runs = outcome_runs(store)
    x = pd.DataFrame(design.X, columns=design.names)
    if len(runs):
        runs = runs.join(x, on="row")
    runs.to_csv(path, index=False)
    return path


def write_tables(res: Analysis, folder: Path) -> list[Path]:
    """One CSV per table (``sensitivity_<table>.csv``)."""
    paths = []
    for name, table in res.tables.items():
        path = Path(folder) / f"sensitivity_{name}.csv"
        table.to_csv(path, index=False)
        paths.append(path)
    return paths


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def write_figures(res: Analysis, folder: Path) -> list[Path]:
    """Index bars with intervals (Sobol), mu*-sigma plots (Morris), heatmaps (2-D grid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder, paths = Path(folder), []
    for name, table in res.tables.items():
        if name not in ("sobol", "morris", "grid"):
            continue
        outcomes = table["outcome"].unique() if name != "grid" else [
            c for c in table.columns if c not in _grid_params(table)]
        for outcome in outcomes:
            fig = {"sobol": _fig_sobol, "morris": _fig_morris, "grid": _fig_heatmap}[name](
                plt, table, outcome)
            if fig is None:
                continue
            path = folder / f"{name}_{_safe(outcome)}.png"
            fig.savefig(path, dpi=120, bbox_inches="tight")
            plt.close(fig)
            paths.append(path)
    return paths


def _grid_params(table: pd.DataFrame) -> list[str]:
    return list(table.attrs["parameters"])


def _fig_sobol(plt, table: pd.DataFrame, outcome: str):  # noqa: ANN001, ANN202
    t = table[table["outcome"] == outcome].sort_values("ST")
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(t) + 1.5))
    pos = np.arange(len(t))
    ax.barh(pos + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total (ST)", capsize=3)
    ax.barh(pos - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order (S1)", capsize=3)
    ax.set_yticks(pos, t["parameter"])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("Sobol index (bars: 95% interval)")
    ax.set_title(f"Sobol indices: {outcome}")
    ax.legend(loc="lower right")
    return fig


def _fig_morris(plt, table: pd.DataFrame, outcome: str):  # noqa: ANN001, ANN202
    t = table[table["outcome"] == outcome]
    fig, ax = plt.subplots(figsize=(7, 5.5))
    ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="o", capsize=3)
    for _, r in t.nlargest(8, "mu_star").iterrows():
        ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    top = float(max(t["mu_star"].max(), t["sigma"].max()) * 1.05) or 1.0
    ax.plot([0, top], [0, top], ls="--", color="grey", lw=0.8, label="σ = μ*")
    ax.set_xlabel("μ* (mean |elementary effect|)")
    ax.set_ylabel("σ (spread: non-linearity or interaction)")
    ax.set_title(f"Morris screening: {outcome}")
    ax.legend()
    return fig


def _fig_heatmap(plt, table: pd.DataFrame, outcome: str):  # noqa: ANN001, ANN202
    params = _grid_params(table)
    if len(params) != 2:
        return None
    grid = table.pivot_table(index=params[0], columns=params[1], values=outcome)
    fig, ax = plt.subplots(figsize=(1.1 * grid.shape[1] + 2.5, 0.8 * grid.shape[0] + 1.5))
    im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(params[1])
    ax.set_ylabel(params[0])
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        light = np.isfinite(v) and im.norm(v) > 0.6  # dark text on the bright end of viridis
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7,
                color="black" if light else "white")
    fig.colorbar(im, ax=ax, label=outcome)
    ax.set_title(f"Response: {outcome} (mean over replications)")
    return fig
