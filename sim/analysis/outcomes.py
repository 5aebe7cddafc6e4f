"""Outcomes of a sweep run: read from its summary, or compared with its reference run.

Summary outcomes come straight from :func:`sim.model.metrics.summarize`. Reference outcomes
compare a run with the reference run of the same replication (same seed, so the
difference is not seed noise): the change in woninginbraken, burglaries prevented, the
extra programme cost (:meth:`sim.model.scenario.Scenario.yearly_cost_eur`, mean over the simulated
calendar years) and the cost per prevented burglary (NaN when none were prevented).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.model.scenario import Scenario

#: Outcomes read straight from a run's summary (sim.model.metrics.summarize).
SUMMARY_OUTCOMES = {
    "woninginbraken_per_year": "woninginbraken (attempts included) per year",
    "completed_per_year": "completed burglaries per year",
    "attempted_only_per_year": "failed attempts per year",
    "arrests_per_year": "arrests per year",
    "attempt_share": "share of woninginbraken that failed",
    "clearance_rate": "arrests per woninginbraak",
    "knox_ratio": "Knox near-repeat ratio (200 m, 14 days)",
}
#: Outcomes that compare a run with the reference run of the same replication (same seed).
REFERENCE_OUTCOMES = {
    "change_vs_reference_pct": "woninginbraken per year vs the reference, in %",
    "prevented_per_year": "reference minus run woninginbraken per year",
    "extra_cost_eur_per_year": "programme cost per year above the reference (EUR)",
    "cost_per_prevented_eur": "extra cost per prevented woninginbraak (EUR; NaN if none)",
}
#: Prefixes of per-area outcomes, e.g. ``per_gebied.1`` or ``per_wijk.WK036201``.
AREA_PREFIXES = ("per_gebied", "per_wijk")


def outcome_names(scenario: Scenario) -> list[str]:
    """Every outcome name an experiment on this scenario may ask for."""
    from sim.runs.runner import cached_city

    city = cached_city(scenario.city)
    gebieden = sorted({scenario.gebied_of_wijk.get(w.code, w.gebied) for w in city.wijken})
    return [*SUMMARY_OUTCOMES, *REFERENCE_OUTCOMES,
            *(f"per_gebied.{g}" for g in gebieden), *(f"per_wijk.{w.code}" for w in city.wijken)]


def mean_yearly_cost(scenario: Scenario, years: float | None) -> float:
    """Mean extra programme cost per simulated calendar year (EUR)."""
    sc = scenario if years is None else scenario.model_copy(update={"years": years})
    costs = list(sc.yearly_cost_eur().values())
    return float(np.mean(costs)) if costs else 0.0


def compute_outcomes(names: list[str], summary: dict[str, Any], cost: float,
                     ref: dict[str, Any] | None, ref_cost: float) -> dict[str, float]:
    """The requested outcomes of one run from its summary (and its reference run's)."""
    out: dict[str, float] = {}
    run_b = summary["woninginbraken_per_year"]
    for name in names:
        if name in REFERENCE_OUTCOMES:
            ref_b = ref["woninginbraken_per_year"]
            prevented = ref_b - run_b
            value = {
                "change_vs_reference_pct": 100 * (run_b / ref_b - 1) if ref_b else math.nan,
                "prevented_per_year": prevented,
                "extra_cost_eur_per_year": cost - ref_cost,
                "cost_per_prevented_eur": (cost - ref_cost) / prevented if prevented > 0
                else math.nan,
            }[name]
        elif "." in name:
            head, key = name.split(".", 1)
            value = summary[head].get(key, 0.0)  # an area without homes has no entry
        else:
            value = summary[name]
        out[name] = math.nan if value is None else float(value)
    return out
