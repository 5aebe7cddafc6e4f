"""Robustness of a choice between policies over sampled worlds: share best, regret, pairs.

Input is a table of worlds × policies for one criterion (see
:func:`sim.analysis.policies.criterion_matrix`), from an experiment that ran every
policy in every world with the same seeds. Per policy:

* **share best**: the share of worlds in which it is best on the criterion; a tie of k
  policies gives each 1/k of that world, so the shares add up to 1;
* **regret** (Savage, minimax regret): in each world, how far the policy is from the best
  policy of that world, in the criterion's unit (≥ 0); its maximum and 90th percentile
  over the worlds;
* **outcomes**: mean and 90% range (5th–95th percentile) over the worlds of woninginbraken
  per year, prevented per year and cost per prevented burglary (over the worlds where it
  is defined: something was prevented).

Per pair A, B: the share of worlds in which A is strictly better than B, with a 90% Wilson
score interval (the worlds are a random sample of the uncertainty space; the interval is
for the share in that space). Ties (an identical policy, the same seeds) count for
neither. A policy whose criterion is undefined in a world (the reference's cost per
prevented burglary) is no candidate there.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from sim import __version__
from sim.analysis.design import StoredDesign, load_design
from sim.analysis.policies import CRITERIA, LOWER_IS_BETTER, criterion_matrix, world_table
from sim.core.errors import UserError
from sim.core.jsonable import json_clean
from sim.runs.store import ResultStore

#: The outcomes summarised per policy (mean and 90% range over the worlds).
SUMMARISED = ["woninginbraken_per_year", "prevented_per_year", "cost_per_prevented_eur"]
#: Coverage of the pairwise intervals and of the range over worlds.
LEVEL = 0.90
RESULT_FILE = "robustness.json"
FORMAT = "wijksim-robustness-1"


def check_criterion(criterion: str) -> None:
    """Refuse a criterion that is not one number per world with a direction."""
    if criterion not in CRITERIA:
        import difflib

        near = difflib.get_close_matches(criterion, CRITERIA, n=1)
        hint = f" Did you mean '{near[0]}'?" if near else ""
        raise UserError(f"unknown criterion '{criterion}'.{hint} Allowed: "
                        f"{', '.join(CRITERIA)}.", field="--criterion")


def _oriented(m: pd.DataFrame, lower_is_better: bool) -> np.ndarray:
    """Values oriented so that lower is better (NaN: no candidate)."""
    a = m.to_numpy(dtype=float)
    return a if lower_is_better else -a


def share_best(m: pd.DataFrame, lower_is_better: bool = True) -> pd.Series:
    """Share of worlds in which each policy is best.

    Ties are split; worlds without any candidate are left out.
    """
    a = _oriented(m, lower_is_better)
    ok = ~np.isnan(a).all(axis=1)
    a = a[ok]
    if not len(a):
        return pd.Series(np.nan, index=m.columns)
    best = np.nanmin(a, axis=1, keepdims=True)
    is_best = (a == best) & ~np.isnan(a)
    weight = is_best / is_best.sum(axis=1, keepdims=True)
    return pd.Series(weight.sum(axis=0) / len(a), index=m.columns)


def regret(m: pd.DataFrame, lower_is_better: bool = True) -> pd.DataFrame:
    """Savage regret per world and policy: distance to the world's best, ≥ 0 (NaN: none)."""
    a = _oriented(m, lower_is_better)
    with np.errstate(invalid="ignore"):
        best = np.full((len(a), 1), np.nan)
        ok = ~np.isnan(a).all(axis=1)
        best[ok, 0] = np.nanmin(a[ok], axis=1)
        return pd.DataFrame(a - best, index=m.index, columns=m.columns)


def regret_summary(m: pd.DataFrame, lower_is_better: bool = True) -> pd.DataFrame:
    """Per policy: maximum and 90th-percentile regret over the worlds where it is defined."""
    r = regret(m, lower_is_better)
    rows = {}
    for p in r.columns:
        v = r[p].dropna().to_numpy()
        rows[p] = {"regret_max": float(v.max()) if len(v) else np.nan,
                   "regret_p90": float(np.percentile(v, 90)) if len(v) else np.nan}
    return pd.DataFrame(rows).T


def wilson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval for a binomial share k/n at ``level`` (two-sided)."""
    if n <= 0:
        return (np.nan, np.nan)
    z = float(norm.ppf(0.5 + level / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def pairwise(m: pd.DataFrame, lower_is_better: bool = True, criterion: str = "",
             level: float = LEVEL) -> list[dict[str, Any]]:
    """For each pair (A before B in the policies' order): A beats B in x% of worlds."""
    a = _oriented(m, lower_is_better)
    names = list(m.columns)
    out = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            x, y = a[:, i], a[:, j]
            ok = ~np.isnan(x) & ~np.isnan(y)
            n = int(ok.sum())
            wins, losses = int((x[ok] < y[ok]).sum()), int((x[ok] > y[ok]).sum())
            low, high = wilson(wins, n, level)
            out.append({"a": names[i], "b": names[j], "criterion": criterion,
                        "share_a_better": wins / n if n else np.nan, "low": low, "high": high,
                        "share_b_better": losses / n if n else np.nan,
                        "share_tied": (n - wins - losses) / n if n else np.nan, "worlds": n})
    return out


def outcome_summary(values: pd.Series) -> dict[str, Any]:
    """Mean and 90% range (5th–95th percentile) over the worlds where defined."""
    v = values.dropna().to_numpy(dtype=float)
    if not len(v):
        return {"mean": np.nan, "low": np.nan, "high": np.nan, "median": np.nan,
                "defined_share": 0.0}
    q = (1 - LEVEL) / 2
    return {"mean": float(v.mean()), "low": float(np.quantile(v, q)),
            "high": float(np.quantile(v, 1 - q)), "median": float(np.median(v)),
            "defined_share": len(v) / len(values)}


def analyse(table: pd.DataFrame, criterion: str = "woninginbraken_per_year") -> dict[str, Any]:
    """The robustness result (the JSON contract) from a (world, policy) outcome table."""
    check_criterion(criterion)
    lower = criterion in LOWER_IS_BETTER
    m = criterion_matrix(table, criterion)
    share = share_best(m, lower)
    reg = regret_summary(m, lower)
    policies = []
    for p in m.columns:
        policies.append({
            "name": p, "share_best": float(share[p]), "regret_max": float(reg.loc[p,
                                                                                "regret_max"]),
            "regret_p90": float(reg.loc[p, "regret_p90"]),
            "outcomes": {o: outcome_summary(criterion_matrix(table, o)[p]) for o in SUMMARISED},
        })
    return {"criterion": criterion, "lower_is_better": lower, "worlds": int(len(m)),
            "policies": policies, "pairwise": pairwise(m, lower, criterion)}


# ---- a robustness folder -------------------------------------------------------------------
def analyse_folder(folder: str | Path, criterion: str = "woninginbraken_per_year",
                   provenance: dict[str, Any] | None = None) -> tuple[dict[str, Any],
                                                                      pd.DataFrame]:
    """Analyse the runs of a folder; returns the result and the (world, policy) table."""
    with ResultStore(folder, read_only=True) as store:
        design = load_design(store)
        table = world_table(store, design)
        meta = store.get_meta("experiment")
    res = analyse(table, criterion)
    res["reference"] = design.reference
    res["uncertainties"] = [{"path": n, "bounds": b} for n, b in zip(design.names,
                                                                      design.bounds,
                                                                      strict=True)]
    res["provenance"] = {
        "format": FORMAT, "experiment": meta["name"], "source": meta["source"],
        "hash": meta["hash"], "policies": meta["facts"].get("policies"),
        "design": meta["method"], "worlds": len(design.X),
        "replications": design.replications, "master_seed": design.master_seed,
        "years": meta["experiment"].get("years"),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "package_version": __version__, **(provenance or {})}
    return res, table


def write_result(res: dict[str, Any], table: pd.DataFrame, design_names: list[str],
                 X: np.ndarray, folder: str | Path) -> list[Path]:
    """``robustness.json`` and ``robustness_worlds.csv`` (per world and policy)."""
    folder = Path(folder)
    path = folder / RESULT_FILE
    path.write_text(json.dumps(json_clean(res), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    worlds = table.reset_index().join(pd.DataFrame(X, columns=design_names), on="world")
    csv = folder / "robustness_worlds.csv"
    worlds.to_csv(csv, index=False)
    return [path, csv]


def load_result(folder: str | Path) -> dict[str, Any]:
    """Read ``robustness.json`` of a folder (a :class:`UserError` when absent or unreadable)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"results folder not found: {folder}. Run 'sim robustness "
                        "EXPERIMENT --out DIR' first.")
    path = folder / RESULT_FILE
    if not path.is_file():
        raise UserError(f"no {RESULT_FILE} here; run 'sim robustness EXPERIMENT --out "
                        f"{folder}' first.", file=str(folder))
    try:
        res = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"unreadable ({exc}); rerun 'sim robustness' with the same --out.",
                        file=str(path)) from None
    if not isinstance(res, dict) or res.get("provenance", {}).get("format") != FORMAT:
        raise UserError(f"not a {FORMAT} file; rerun 'sim robustness' with the same --out.",
                        file=str(path))
    return res


def stored_design(folder: str | Path) -> StoredDesign:
    """The design of a folder (a :class:`UserError` when it holds none)."""
    with ResultStore(folder, read_only=True) as store:
        return load_design(store)


# ---- figures -------------------------------------------------------------------------------
LABELS = {
    "nl": {"share_best": "Aandeel werelden waarin de optie het best is",
           "share_x": "aandeel van de {n} werelden",
           "regret": "Spijt (regret): afstand tot de beste optie in dezelfde wereld",
           "regret_max": "maximum", "regret_p90": "90e percentiel",
           "outcomes": "Uitkomsten over de werelden (doos: 50%, snorren: 90%)",
           "criterion_by": "op {c}",
           "woninginbraken_per_year": "woninginbraken per jaar",
           "completed_per_year": "voltooide inbraken per jaar",
           "prevented_per_year": "voorkomen inbraken per jaar",
           "cost_per_prevented_eur": "kosten per voorkomen inbraak (€)",
           "change_vs_reference_pct": "verandering t.o.v. referentie (%)",
           "extra_cost_eur_per_year": "extra kosten per jaar (€)",
           "arrests_per_year": "aanhoudingen per jaar", "clearance_rate": "ophelderingsgraad"},
    "en": {"share_best": "Share of worlds in which the option is best",
           "share_x": "share of the {n} worlds",
           "regret": "Regret: distance to the best option in the same world",
           "regret_max": "maximum", "regret_p90": "90th percentile",
           "outcomes": "Outcomes over the worlds (box: 50%, whiskers: 90%)",
           "criterion_by": "on {c}",
           "woninginbraken_per_year": "burglaries per year",
           "completed_per_year": "completed burglaries per year",
           "prevented_per_year": "prevented burglaries per year",
           "cost_per_prevented_eur": "cost per prevented burglary (€)",
           "change_vs_reference_pct": "change vs reference (%)",
           "extra_cost_eur_per_year": "extra cost per year (€)",
           "arrests_per_year": "arrests per year", "clearance_rate": "clearance rate"},
}
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"]


def _lab(lang: str, key: str, **kw: Any) -> str:
    text = LABELS.get(lang, LABELS["nl"])[key]
    return text.format(**kw) if kw else text


def fig_share_best(res: dict[str, Any], lang: str = "nl"):  # noqa: ANN201
    """Horizontal bars: the share of worlds in which each policy is best."""
    import matplotlib.pyplot as plt

    pols = res["policies"]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(pols) + 1.8))
    shares = [100 * (p["share_best"] or 0) for p in pols]
    pos = np.arange(len(pols))[::-1]
    ax.barh(pos, shares, color=[COLOURS[i % len(COLOURS)] for i in range(len(pols))])
    for y, s in zip(pos, shares, strict=True):
        ax.text(s + 1, y, f"{s:.0f}%", va="center")
    ax.set_yticks(pos, [p["name"] for p in pols])
    ax.set_xlim(0, 110)
    ax.set_xlabel(_lab(lang, "share_x", n=res["worlds"]) + " (%)")
    ax.set_title(_lab(lang, "share_best") + "\n" + _lab(
        lang, "criterion_by", c=_lab(lang, res["criterion"])), fontsize=11)
    fig.tight_layout()
    return fig


def fig_regret(res: dict[str, Any], lang: str = "nl"):  # noqa: ANN201
    """Bars of maximum and 90th-percentile regret per policy."""
    import matplotlib.pyplot as plt

    pols = res["policies"]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(pols) + 1.8))
    pos = np.arange(len(pols))[::-1]
    mx = [p["regret_max"] if p["regret_max"] is not None else np.nan for p in pols]
    p90 = [p["regret_p90"] if p["regret_p90"] is not None else np.nan for p in pols]
    ax.barh(pos + 0.2, mx, 0.4, label=_lab(lang, "regret_max"), color="#D55E00")
    ax.barh(pos - 0.2, p90, 0.4, label=_lab(lang, "regret_p90"), color="#0072B2")
    ax.set_yticks(pos, [p["name"] for p in pols])
    ax.set_xlabel(_lab(lang, res["criterion"]))
    ax.set_title(_lab(lang, "regret"), fontsize=11)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def fig_outcomes(table: pd.DataFrame, lang: str = "nl"):  # noqa: ANN201
    """One panel per summarised outcome: its distribution over the worlds per policy."""
    import matplotlib.pyplot as plt

    policies = list(dict.fromkeys(table.index.get_level_values("policy")))
    fig, axes = plt.subplots(1, len(SUMMARISED), figsize=(5 * len(SUMMARISED),
                                                          0.5 * len(policies) + 2.2))
    for ax, o in zip(axes, SUMMARISED, strict=True):
        m = criterion_matrix(table, o)
        data = [m[p].dropna().to_numpy() for p in policies]
        keep = [i for i, d in enumerate(data) if len(d)]
        if keep:
            ax.boxplot([data[i] for i in keep], orientation="horizontal", whis=(5, 95),
                       showfliers=False, tick_labels=[policies[i] for i in keep])
        ax.set_title(_lab(lang, o), fontsize=10)
        ax.invert_yaxis()
    fig.suptitle(_lab(lang, "outcomes"), fontsize=11)
    fig.tight_layout()
    return fig


def write_figures(res: dict[str, Any], table: pd.DataFrame, folder: str | Path,
                  lang: str = "nl") -> list[Path]:
    """``robustness_share_best``, ``robustness_regret`` and ``robustness_outcomes`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder, paths = Path(folder), []
    for name, fig in (("robustness_share_best", fig_share_best(res, lang)),
                      ("robustness_regret", fig_regret(res, lang)),
                      ("robustness_outcomes", fig_outcomes(table, lang))):
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths
