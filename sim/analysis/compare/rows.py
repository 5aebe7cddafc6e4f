"""One row of a comparison's key table: a scenario's outcomes against the reference.

All numbers are per year over the whole horizon unless named otherwise; intervals are
90% intervals over replications, changes are paired by replication (common random
numbers). Definitions: ``sim/analysis/compare/metrics.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.compare.metrics import (
    bootstrap_mean_ci,
    cost_per_prevented,
    demonstrable,
    horizon_cost,
    mean_ci,
    paired_change,
    spread_cv,
    wdq_interval,
)
from sim.model.metrics import yearly
from sim.model.model import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.analysis.compare.plan import Plan, RunData
    from sim.model.scenario import Scenario


def _f(x: Any) -> float:
    return float(x)


def _pair(lo: Any, hi: Any) -> list[float]:
    return [float(lo), float(hi)]


def _change(scen: np.ndarray, ref: np.ndarray) -> dict[str, Any]:
    c = paired_change(scen, ref)
    return {"change_pct": _f(c["pct"]), "interval": _pair(*c["pct_interval"])}


def _period_days(period: tuple[int, int] | None, start_year: int, days: int) -> slice:
    """Days of the programme period inside the horizon (the whole horizon if none)."""
    if period is None:
        return slice(0, days)
    a = max(0, (period[0] - start_year) * DAYS_PER_YEAR)
    b = min(days, (period[1] - start_year + 1) * DAYS_PER_YEAR)
    return slice(a, b) if b > a else slice(0, days)


def persistence(scen: np.ndarray, ref: np.ndarray, start_year: int,
                period: tuple[int, int] | None) -> dict[str, Any]:
    """Change by calendar year, and over the years after the programme's last year.

    ``scen`` and ``ref`` are (R, days) daily totals. A partial last year is marked.
    """
    days = scen.shape[1]
    ys, yr = yearly(scen.T).T, yearly(ref.T).T  # (R, years)
    by_year = []
    for i in range(ys.shape[1]):
        c = _change(ys[:, i], yr[:, i])
        by_year.append({"year": start_year + i, **c,
                        "partial": (i + 1) * DAYS_PER_YEAR > days,
                        "in_programme": bool(period and period[0] <= start_year + i <= period[1])})
    after = [start_year + i for i in range(ys.shape[1]) if period and start_year + i > period[1]]
    out: dict[str, Any] = {"by_year": by_year, "after_years": after,
                           "after_change_pct": None, "after_interval": [None, None]}
    if after:
        idx = [y - start_year for y in after]
        c = _change(ys[:, idx].sum(axis=1), yr[:, idx].sum(axis=1))
        out["after_change_pct"], out["after_interval"] = c["change_pct"], c["interval"]
    return out


def _area_changes(scen: np.ndarray, ref: np.ndarray, gebieden: np.ndarray) -> dict[str, Any]:
    """Change per wijk and per gebied (the city's own gebieden), for figure 2."""
    ws, wr = scen.sum(axis=1), ref.sum(axis=1)  # (R, wijken)
    numbers = sorted(set(gebieden.tolist()))
    onehot = np.array([[g == n for n in numbers] for g in gebieden], dtype=float)
    out = {}
    for key, (s, r), labels in (("wijk", (ws, wr), None), ("gebied", (ws @ onehot, wr @ onehot),
                                                              numbers)):
        c = paired_change(s, r)
        out[key] = {"change_pct": c["pct"].tolist(), "lo": c["pct_interval"][0].tolist(),
                    "hi": c["pct_interval"][1].tolist()}
        if labels is not None:
            out[key]["labels"] = [str(n) for n in labels]
    return out


def programme_parts(sc: Scenario) -> dict[str, list[int]]:
    """The years of each programme component (interventieteam, wijkregisseur, extra cost)."""
    parts = {}
    if sc.interventieteam.fte > 0:
        parts["interventieteam"] = [sc.interventieteam.first_year, sc.interventieteam.last_year]
    if sc.wijkregisseur.per_gebied > 0:
        parts["wijkregisseur"] = [sc.wijkregisseur.first_year, sc.wijkregisseur.last_year]
    if sc.extra_cost.eur_per_year > 0:
        parts["extra"] = [sc.extra_cost.first_year, sc.extra_cost.last_year]
    return parts


def _rates(attempts: np.ndarray, households: np.ndarray, years: float) -> list[float]:
    """Mean woninginbraken per 1,000 households per year, per wijk (NaN without homes)."""
    per_year = attempts.sum(axis=1).mean(axis=0) / years
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(households > 0, per_year / households * 1000, np.nan).tolist()


def _rate_change(attempts: np.ndarray, ref: np.ndarray, households: np.ndarray,
                 years: float) -> dict[str, list[float]]:
    """Paired change of woninginbraken per 1,000 households per year, per wijk.

    With its 90% interval over replications (``mean``, ``lo``, ``hi``; NaN without homes).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(households > 0, 1000.0 / households, np.nan) / years
    diff = (attempts.sum(axis=1) - ref.sum(axis=1)) * scale  # (R, wijken)
    mean, lo, hi = mean_ci(diff)
    return {"mean": mean.tolist(), "lo": lo.tolist(), "hi": hi.tolist()}


def scenario_row(sc: Scenario, d: RunData, ref: RunData, plan: Plan,
                 areas: dict[str, list[int]], households: np.ndarray, gebieden: np.ndarray,
                 period: tuple[int, int] | None) -> dict[str, Any]:
    """The key-table row of one scenario (JSON-able; NaN where undefined)."""
    years = plan.years
    tot_s = d.attempts.sum(axis=(1, 2)) / years
    tot_r = ref.attempts.sum(axis=(1, 2)) / years
    mean, lo, hi = mean_ci(tot_s)
    change = paired_change(tot_s, tot_r)
    prevented = 0.0 - _f(change["diff"])  # (0.0 - x: no "-0.0" for an unchanged scenario)
    prevented_iv = (0.0 - _f(change["diff_interval"][1]), 0.0 - _f(change["diff_interval"][0]))
    cost_by_year = sc.yearly_cost_eur()
    cost_total = horizon_cost(cost_by_year, sc.start_year, years)
    cost_year = cost_total / years
    cpp, cpp_iv = cost_per_prevented(cost_year, prevented, prevented_iv)
    lo_c, hi_c = change["pct_interval"]
    effect = ("fewer" if demonstrable(prevented, prevented_iv) else
              "more" if np.isfinite(lo_c) and lo_c > 0 else "none")
    arrests = mean_ci(d.arrests.sum(axis=(1, 2)) / years)
    window = _period_days(period, sc.start_year, d.attempts.shape[1])
    wdq, wdq_lo, wdq_hi = wdq_interval(ref.attempts[:, window].sum(axis=1),
                                       d.attempts[:, window].sum(axis=1), areas)
    cv = bootstrap_mean_ci(spread_cv(d.attempts.sum(axis=1), households))
    return {
        "scenario": sc.name,
        "reference": sc.name == plan.reference.name,
        "scenario_hash": sc.content_hash(),
        "description": sc.description.strip(),
        "description_en": sc.description_en.strip(),
        "replications": plan.replications,
        "years": years,
        "programme": list(period) if period else None,
        "programme_parts": programme_parts(sc),
        "woninginbraken_per_year": _f(mean),
        "woninginbraken_interval": _pair(max(0.0, lo), hi),  # counts: never below 0
        "change_vs_reference_pct": _f(change["pct"]),
        "interval": _pair(*change["pct_interval"]),
        "prevented_per_year": prevented,
        "prevented_interval": list(prevented_iv),
        # "fewer": the paired interval of prevented burglaries excludes 0 (a demonstrable
        # effect, the only case with a cost per prevented burglary); "more": the change's
        # interval lies above 0; "none": no demonstrable effect either way
        "effect": "none" if sc.name == plan.reference.name else effect,
        "cost_eur_per_year": cost_year,
        "cost_eur_total": cost_total,
        "cost_by_year": {str(y): v for y, v in cost_by_year.items()},
        "cost_per_prevented_eur": cpp,
        "cost_per_prevented_interval": cpp_iv,
        "arrests_per_year": _f(arrests[0]),
        "arrests_interval": _pair(max(0.0, arrests[1]), arrests[2]),
        "wdq": wdq,
        "wdq_interval": [wdq_lo, wdq_hi],
        "spread_cv": _f(cv[0]),
        "spread_cv_interval": _pair(cv[1], cv[2]),
        "per_wijk_per_1000_households": _rates(d.attempts, households, years),
        "per_wijk_change_per_1000_households": _rate_change(d.attempts, ref.attempts,
                                                            households, years),
        "persistence": persistence(d.attempts.sum(axis=2), ref.attempts.sum(axis=2),
                                   sc.start_year, period),
        "areas": _area_changes(d.attempts, ref.attempts, gebieden),
    }
