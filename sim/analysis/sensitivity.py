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
    #: Sobol estimates that cannot be right: {"outcome", "negative": [parameter, ...],
    #: "above_total": [parameter, ...], "n": base sample size}.
    warnings: list[dict] = field(default_factory=list)
    replications: int = 1
    #: Outcomes left out because undefined somewhere: outcome -> (points without, points).
    undefined: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Parameter path -> {"unit", "description"} as the experiment declares them.
    parameters: dict[str, dict] = field(default_factory=dict)
    #: Sobol: the base sample size n; Morris: the number of trajectories (else None).
    samples: int | None = None


#: A Sobol S1 below -TOLERANCE, or above ST + TOLERANCE, is an estimate that cannot be right
#: (the tables show two decimals, so this is whenever the table shows it).
SOBOL_TOLERANCE = 0.005


def sobol_problems(names: list[str], s1: np.ndarray, st: np.ndarray,
                   tol: float = SOBOL_TOLERANCE) -> tuple[list[str], list[str]]:
    """Parameters with a negative Sobol S1, and with S1 above ST (beyond ``tol``)."""
    s1, st = np.asarray(s1, float), np.asarray(st, float)
    negative = [n for n, v in zip(names, s1, strict=True) if v < -tol]
    above = [n for n, a, b in zip(names, s1, st, strict=True) if a > b + tol]
    return negative, above


def parameter_info(store: ResultStore) -> dict[str, dict]:
    """Unit and description of each varied parameter, as the stored experiment gives them."""
    meta = store.get_meta("experiment") or {}
    params = (meta.get("experiment") or {}).get("parameters") or []
    return {p["path"]: {"unit": p.get("unit", ""), "description": p.get("description", "")}
            for p in params}


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
    res = Analysis(design.method, replications=design.replications)
    if design.method == "sobol":
        res.samples = design.n
    elif design.method == "morris":
        res.samples = len(design.X) // (len(design.names) + 1)
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
            bad = int((~np.isfinite(y)).sum())
            res.skipped[outcome] = f"undefined (NaN) for {bad} of {len(y)} design points"
            res.undefined[outcome] = (bad, len(y))
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
    negative, above = sobol_problems(design.names, si["S1"], si["ST"])
    if negative or above:
        res.warnings.append({"outcome": outcome, "negative": negative, "above_total": above,
                             "n": design.n})
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


def write_figures(res: Analysis, folder: Path, lang: str = "nl") -> list[Path]:
    """Sobol index bars, Morris μ* bars, response heatmaps (2-D grid): PNG, in ``lang``.

    Drawn by :mod:`sim.analysis.sensitivity_figures`.
    """
    from sim.analysis.sensitivity_figures import write_figures as draw

    return draw(res, folder, lang)
