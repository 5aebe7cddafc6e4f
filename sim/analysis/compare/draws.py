"""Draws of every uncertain input, for ``sim compare --parameter-draws N``.

One draw holds a value for each of three kinds of input, drawn together:

* **calibrated** parameters: from N(estimate, covariance) of the city's ``calibrated.toml``
  ``[uncertainty]`` (their joint uncertainty from the fit);
* **mechanism** strengths: from N(value, standard error of its virtual study's fit), see
  :data:`MECHANISMS` (the values are the scenario defaults ``sim evidence --fit`` set);
* **priors**: from their stated ranges (:data:`PRIORS`; log-uniform where the range spans a
  factor of two or more, else uniform).

Two inputs are tied to others because the data identify only a product: the pool size and
the outings per offender (the level fixes their product, so a drawn pool rescales the
outings: ``outings x default pool / pool``), and the buurtpreventie study's coverage and its
deterrence (the replication fixes about coverage x deterrence, so a drawn coverage scales
the deterrence by ``0.5 / coverage``).

A draw outside a parameter's bounds is set to the bound, and counted: ``clipped`` says how
many draws hit a bound, per parameter, never silently.

:func:`draw_effects` turns one option's paired replications into one effect per draw, the
5th-95th percentiles across draws (quantiles of the spread, which do not narrow as draws
are added, unlike an interval of the mean) and which inputs dominate the spread (squared
correlation of each drawn input with the effect across draws: a first-order, linear
variance decomposition).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.evidence.replications import STUDY_COVERAGE, STUDY_COVERAGE_RANGE
from sim.model.scenario import Scenario

#: The interval across draws: the 5th and 95th percentiles.
QUANTILES = (0.05, 0.95)


@dataclass(frozen=True)
class Prior:
    """An input known only by a stated range (source: where the range comes from)."""

    path: str
    low: float
    high: float
    source: str

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """N values: log-uniform when the range spans a factor >= 2, else uniform."""
        if self.low > 0 and self.high / self.low >= 2:
            return np.exp(rng.uniform(np.log(self.low), np.log(self.high), n))
        return rng.uniform(self.low, self.high, n)


@dataclass(frozen=True)
class Mechanism:
    """A mechanism strength set by a virtual study, with the standard error of that fit."""

    path: str
    standard_error: float
    study: str


#: Mechanism strengths and the standard errors of their fits (``sim evidence --fit``,
#: 4 replications; see README, "Effects are earned").
MECHANISMS = (
    Mechanism("patrol.deterrence_when_present", 0.15, "braga2019 (not identified: 0.5-1.0)"),
    Mechanism("residents.hardened_attempt_fail_prob", 0.05, "vollaard_vanours2011"),
    Mechanism("wijkregisseur.buurtpreventie_deterrence", 0.06, "akkermans_vollaard2015"),
    Mechanism("offenders.retry_after_abort_prob", 0.1, "akkermans_vollaard2015 (placebo)"),
    Mechanism("residents.asleep_deterrence", 0.10, "politie_analisten2014_night"),
)

#: Inputs known by a range (see docs/incapacitation.md and the parameters' sources).
PRIORS = (
    Prior("offenders.active_offenders", 40, 135,
          "402 woninginbraken / 3-10 burglaries per offender-year (docs/incapacitation.md)"),
    Prior("offenders.visibility_shape", 0.25, 2.0, "estimate (docs/incapacitation.md)"),
    Prior("interventieteam.offender_arrests_per_100_hours", 0.5, 2.0,
          "prior: no public figure (Amstelveen inbrakenteam 2018)"),
    Prior("interventieteam.offenders_identified_per_100_hours", 1.0, 4.0, "estimate"),
    Prior("offenders.sentence_days", 60, 180, "below the OM 2015R033 demand of 6 months"),
    Prior("offenders.replacement_days", 180, 730, "Vollaard 2013"),
    Prior("offenders.rate_shape", 0.4, 1.0, "estimate (Farrington et al. 2013)"),
    Prior("study.buurtpreventie_coverage", *STUDY_COVERAGE_RANGE,
          "Akkermans & Vollaard 2015 report groups, not their reach: an estimate"),
)
POOL = "offenders.active_offenders"
OUTINGS = "offenders.outings_per_offender_day"
COVERAGE = "study.buurtpreventie_coverage"
BP_DETERRENCE = "wijkregisseur.buurtpreventie_deterrence"


def _bounds(path: str) -> tuple[float, float]:
    from sim.model.scenario import field_bounds, field_info

    lo, hi, _ = field_bounds(field_info(tuple(path.split("."))))
    return (-np.inf if lo is None else float(lo)), (np.inf if hi is None else float(hi))


def _value(sc: Scenario, path: str) -> float:
    node: Any = sc
    for part in path.split("."):
        node = getattr(node, part)
    return float(node)


def draw_inputs(calibrated: dict[str, Any], defaults: Scenario, n: int,
                rng: np.random.Generator) -> dict[str, Any]:
    """N joint draws of every uncertain input (see the module docstring).

    ``calibrated``: the calibrated parameters' names, estimate, covariance, lower and upper
    bounds (``[uncertainty]``); ``defaults``: the scenario whose values the mechanisms and
    priors are drawn around (the reference, with the calibration applied). Returns the
    inputs as drawn (``inputs``: name -> values, for the decomposition), the overrides per
    draw (``draws``, with the ties applied and bounds enforced), the kind of each input,
    and ``clipped`` (path -> how many draws hit a bound).
    """
    names = list(calibrated["parameters"])
    mean = np.asarray(calibrated["estimate"], dtype=float)
    cov = np.asarray(calibrated["covariance"], dtype=float)
    lo, hi = np.asarray(calibrated["lower"], float), np.asarray(calibrated["upper"], float)
    raw = rng.multivariate_normal(mean, cov, size=n, method="eigh")
    inputs: dict[str, np.ndarray] = {p: raw[:, i] for i, p in enumerate(names)}
    bounds = {p: (lo[i], hi[i]) for i, p in enumerate(names)}
    kinds = dict.fromkeys(names, "calibrated")
    for m in MECHANISMS:
        inputs[m.path] = rng.normal(_value(defaults, m.path), m.standard_error, n)
        kinds[m.path] = "mechanism"
    for p in PRIORS:
        inputs[p.path] = p.draw(rng, n)
        kinds[p.path] = "prior"
    values = {p: v.copy() for p, v in inputs.items() if p != COVERAGE}
    if POOL in values:
        values[POOL] = np.round(values[POOL])
        if OUTINGS in values:  # the level fixes pool x outings
            values[OUTINGS] = values[OUTINGS] * _value(defaults, POOL) / values[POOL]
    if BP_DETERRENCE in values:  # the study fixes coverage x deterrence
        values[BP_DETERRENCE] = values[BP_DETERRENCE] * STUDY_COVERAGE / inputs[COVERAGE]
    clipped = {}
    for p, v in values.items():
        b_lo, b_hi = bounds.get(p, _bounds(p))
        b_lo, b_hi = max(b_lo, _bounds(p)[0]), min(b_hi, _bounds(p)[1])
        out = (v < b_lo) | (v > b_hi)
        clipped[p] = int(out.sum())
        values[p] = np.clip(v, b_lo, b_hi)
    draws = [{p: (int(v[d]) if p == POOL else float(v[d])) for p, v in values.items()}
             for d in range(n)]
    return {"inputs": {p: v.tolist() for p, v in inputs.items()}, "draws": draws,
            "kinds": kinds, "clipped": clipped,
            "defaults": {p: _value(defaults, p) for p in values if p not in names},
            "priors": {p.path: {"low": p.low, "high": p.high, "source": p.source}
                       for p in PRIORS},
            "mechanisms": {m.path: {"standard_error": m.standard_error, "study": m.study}
                           for m in MECHANISMS}}


def draw_effects(option: np.ndarray, reference: np.ndarray, draw_of_rep: list[int],
                 inputs: dict[str, list[float]]) -> dict[str, Any]:
    """One option's effect per draw, its 5-95% quantiles, and what dominates the spread.

    ``option`` and ``reference``: woninginbraken per replication (paired: the same seeds
    and draw); replication r ran with draw ``draw_of_rep[r]``. The effect of a draw is its
    replications' total over the reference's total, minus 1. The decomposition gives each
    drawn input's squared correlation with the effect across draws (first-order, linear;
    with few draws it is a rough guide), largest first.
    """
    option, reference = np.asarray(option, float), np.asarray(reference, float)
    draw = np.asarray(draw_of_rep)
    ids = sorted(set(draw.tolist()))
    eff = np.array([option[draw == d].sum() / reference[draw == d].sum() - 1.0
                    if reference[draw == d].sum() > 0 else np.nan for d in ids])
    ok = np.isfinite(eff)
    q_lo, q_hi = (np.quantile(eff[ok], QUANTILES) if ok.any() else (np.nan, np.nan))
    shares = []
    if ok.sum() >= 3 and np.var(eff[ok]) > 0:
        for name, vals in inputs.items():
            x = np.asarray(vals, float)[ids][ok]
            if np.var(x) > 0:
                shares.append({"input": name,
                               "share": float(np.corrcoef(x, eff[ok])[0, 1] ** 2)})
        shares.sort(key=lambda s: -s["share"])
    return {"draws": len(ids), "per_draw": eff.tolist(),
            "median": float(np.median(eff[ok])) if ok.any() else None,
            "p5": float(q_lo), "p95": float(q_hi), "spread": shares,
            "note": "effect per draw = the draw's replications' total over the reference's "
                    "(paired), minus 1; p5-p95 are quantiles across draws; spread: squared "
                    "correlation of each drawn input with the effect across draws "
                    "(first-order, linear)"}
