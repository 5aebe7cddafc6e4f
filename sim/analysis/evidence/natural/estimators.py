"""Difference-in-differences and synthetic control on yearly log counts, with placebos.

All estimates are relative changes ``exp(gap) - 1`` of the treated unit against its
control, on log counts:

* **DiD**: ``(mean log y_post - mean log y_pre) - (mean log c_post - mean log c_pre)`` with
  ``c`` the summed counts of the control units (or the national series);
* **synthetic control** (Abadie et al. 2010): non-negative weights summing to 1 over the
  donors, fitted so that the weighted donors' demeaned log counts follow the treated
  unit's over the pre years (each series demeaned by its own pre-period mean, so units of
  any size can be combined); the estimate is the mean gap over the post years;
* **placebos** (in-space permutation): every donor in turn treated as if it had the
  programme, the real treated unit left out of the donors; the placebo interval is their
  range, and the permutation p-value the share of all units whose |estimate| is at least
  the treated unit's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

Series = dict[int, float]


def _logmean(s: Series, years: range | list[int]) -> float:
    return float(np.mean([math.log(s[y]) for y in years]))


def did(treated: Series, control: Series, pre: range, post: range) -> float:
    """Difference-in-differences on log counts, as a relative change."""
    gap = (_logmean(treated, post) - _logmean(treated, pre)
           - (_logmean(control, post) - _logmean(control, pre)))
    return math.exp(gap) - 1


def summed(units: list[Series]) -> Series:
    """The yearly sum of several units' counts (the years they all have)."""
    years = set.intersection(*(set(u) for u in units))
    return {y: float(sum(u[y] for u in units)) for y in sorted(years)}


@dataclass(frozen=True)
class Synth:
    """A synthetic control: its estimate, donor weights and pre-period fit."""

    effect: float
    weights: dict[str, float]
    pre_rmspe: float  # root mean squared error of the demeaned log counts, pre years


def synthetic_control(treated: Series, donors: dict[str, Series], pre: range,
                      post: range) -> Synth:
    """Weights fitted on ``pre``; the mean log gap over ``post`` as a relative change."""
    years = list(pre) + [y for y in post if y not in pre]

    def demeaned(s: Series) -> np.ndarray:
        x = np.log([s[y] for y in years])
        return x - x[: len(pre)].mean()

    y = demeaned(treated)
    names = list(donors)
    X = np.array([demeaned(donors[n]) for n in names])
    k, npre = len(names), len(pre)

    def loss(w: np.ndarray) -> float:
        return float(((y[:npre] - w @ X[:, :npre]) ** 2).sum())

    res = minimize(loss, np.full(k, 1.0 / k), bounds=[(0.0, 1.0)] * k, method="SLSQP",
                   constraints=({"type": "eq", "fun": lambda w: w.sum() - 1.0},))
    w = np.clip(res.x, 0, None)
    w = w / w.sum()
    gap = y - w @ X
    post_idx = [years.index(v) for v in post]
    return Synth(math.exp(float(gap[post_idx].mean())) - 1,
                 {n: round(float(v), 4) for n, v in zip(names, w, strict=True)},
                 math.sqrt(float((gap[:npre] ** 2).mean())))


@dataclass(frozen=True)
class Placebo:
    """The treated unit's estimate among placebo estimates of the other units."""

    effect: float
    placebos: dict[str, float]

    @property
    def interval(self) -> tuple[float, float]:
        """The range of the placebo estimates."""
        v = list(self.placebos.values())
        return min(v), max(v)

    @property
    def p_value(self) -> float:
        """Share of all units (the treated included) with |log estimate| >= the treated's."""
        t = abs(math.log1p(self.effect))
        allv = [t] + [abs(math.log1p(v)) for v in self.placebos.values()]
        return sum(1 for v in allv if v >= t - 1e-12) / len(allv)

    @property
    def sd_log(self) -> float:
        """Standard deviation of the placebos' log estimates (the noise of the design)."""
        v = [math.log1p(x) for x in self.placebos.values()]
        return float(np.std(v, ddof=1)) if len(v) > 1 else float("nan")


def did_placebo(treated: str, units: dict[str, Series], pre: range, post: range) -> Placebo:
    """DiD of ``treated`` against the sum of the others, and of each other unit in turn."""
    others = [u for u in units if u != treated]

    def est(t: str, pool: list[str]) -> float:
        return did(units[t], summed([units[u] for u in pool]), pre, post)

    return Placebo(est(treated, others),
                   {u: est(u, [v for v in others if v != u]) for u in others})


def synth_placebo(treated: str, units: dict[str, Series], pre: range,
                  post: range) -> tuple[Synth, Placebo]:
    """Synthetic control of ``treated`` and of each other unit (the treated left out)."""
    others = [u for u in units if u != treated]
    main = synthetic_control(units[treated], {u: units[u] for u in others}, pre, post)
    plac = {u: synthetic_control(units[u], {v: units[v] for v in others if v != u},
                                 pre, post).effect for u in others}
    return main, Placebo(main.effect, plac)
