"""Statistics of a comparison: intervals over replications, paired changes, WDQ, spread, cost.

Everything here works on plain arrays whose first axis is the replication, so it can be
tested with known answers without running the model. Scenarios in a comparison share
their random streams per replication (common random numbers, see ``sim.runs.runner``), so a
change against the reference is estimated from the *paired* differences
``scenario_r - reference_r``: the shared luck cancels and the interval is narrow.

Definitions (also written into ``comparison.json``):

* interval: the 90% confidence interval of a mean over replications (Student t), kept
  within the quantity's range (a count never below 0, a change never below -100%);
* change vs reference (%): ``100 * mean(S - R) / mean(R)``; its interval is the t interval
  of the paired differences divided by the reference mean (the reference mean is treated
  as known), so ``change * mean(R) / 100 == -prevented`` exactly;
* a *demonstrable* effect: the paired interval of prevented burglaries excludes zero; only
  then is a cost per prevented burglary given (:func:`cost_per_prevented`);
* spread between wijken: household-weighted coefficient of variation of the per-wijk
  rates per 1,000 households (0 = every wijk the same rate); its interval is a percentile
  bootstrap of the mean over replications, so it never leaves [0, inf);
* WDQ (Bowers & Johnson 2003): treated = hotspot wijken of the reference, buffer = wijken
  bordering them, control = the rest; see :func:`wdq_areas`. A ratio of two changes: its
  bootstrap interval is given only from :data:`MIN_REPLICATIONS` replications on;
* precision: :func:`replications_for` says how many replications would make a 90%
  interval ±5% wide, given the spread observed.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

from sim.model.metrics import wdq

LEVEL = 0.9  # interval level used throughout (the issue asks for 90% intervals)
#: Fewer replications than this: the commands warn, and no bootstrap interval is given.
MIN_REPLICATIONS = 10
#: The precision the warnings aim at: a 90% interval of ±5% (see :func:`replications_for`).
TARGET_HALF_WIDTH = 5.0
BOOTSTRAP_DRAWS = 2000


def mean_ci(x: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over axis 0 and its Student-t confidence interval (NaN with fewer than 2 values).

    NaN entries (undefined replications) are left out per element.
    """
    x = np.asarray(x, dtype=float)
    n = np.sum(np.isfinite(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
        mean = np.nanmean(x, axis=0) if x.size else np.full(x.shape[1:], np.nan)
        sd = np.nanstd(x, axis=0, ddof=1) if x.shape[0] > 1 else np.full(np.shape(mean), np.nan)
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n >= 2, t * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half


def bootstrap_mean_ci(x: np.ndarray, level: float = LEVEL, draws: int = BOOTSTRAP_DRAWS,
                      seed: int = 0) -> tuple[float, float, float]:
    """Mean of a 1-d sample and its percentile-bootstrap interval (NaN ends below 2 values).

    The interval's ends are means of resampled values, so they stay within the range of the
    quantity (a coefficient of variation is never negative). The generator is seeded: the
    interval is part of the reproducible output.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boot = x[rng.integers(0, x.size, (draws, x.size))].mean(axis=1)
    lo, hi = np.quantile(boot, [0.5 - level / 2, 0.5 + level / 2])
    return mean, float(lo), float(hi)


def replications_for(sd: float, scale: float, half_width: float = TARGET_HALF_WIDTH,
                     level: float = LEVEL, most: int = 10_000) -> int | None:
    """Replications that give a 90% t interval of ±``half_width``% of ``scale``.

    ``sd`` is the standard deviation over replications of the quantity (for a change: of
    the paired differences), ``scale`` what the percentage is of (the reference mean).
    None when it cannot be said (no spread known, or no scale); at most ``most``.
    """
    if not (np.isfinite(sd) and np.isfinite(scale)) or scale <= 0:
        return None
    if sd == 0:
        return 2
    goal = half_width / 100.0 * scale
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((z * sd / goal) ** 2))
    while n < most and stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) > goal:
        n += 1
    return min(n, most)


def paired_change(scen: np.ndarray, ref: np.ndarray, level: float = LEVEL) -> dict[str, object]:
    """Change of ``scen`` against ``ref`` (both (R, ...)), paired by replication.

    Returns ``pct`` and ``pct_interval`` (change in %, NaN where the reference mean is 0),
    ``diff`` and ``diff_interval`` (scenario minus reference, in the input's unit).
    """
    scen = np.asarray(scen, dtype=float)
    ref = np.asarray(ref, dtype=float)
    d, lo, hi = mean_ci(scen - ref, level)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref_mean = np.nanmean(ref, axis=0)
        scale = np.where(ref_mean > 0, 100.0 / np.where(ref_mean > 0, ref_mean, 1.0), np.nan)
        # a count cannot fall below zero: the difference not below -mean(R) (-100%)
        lo = np.where(np.isfinite(lo), np.maximum(lo, -ref_mean), lo)
        hi = np.where(np.isfinite(hi), np.maximum(hi, -ref_mean), hi)
    # -mean(R) x 100 / mean(R) can round to just below -100: keep the change's range exact
    pct_lo, pct_hi = (np.maximum(v * scale, -100.0) for v in (lo, hi))
    return {"pct": d * scale, "pct_interval": (pct_lo, pct_hi),
            "diff": d, "diff_interval": (lo, hi)}


def wdq_areas(ref_per_wijk: np.ndarray, adjacency: np.ndarray,
              treated_share: float = 0.25) -> dict[str, list[int]]:
    """Treated, buffer and control wijken for the WDQ.

    Treated: the wijken with the most woninginbraken in the reference, the hotspots where
    hotspot-led programmes work most (the interventieteam patrols recent hotspots, the
    wijkregisseurs' hardening campaigns favour them): ``ceil(treated_share * n)`` of them,
    fewer if needed so that some wijken are left for the control. Buffer: wijken sharing a
    border with a treated wijk. Control: all other wijken (empty only if even the single
    top hotspot borders every other wijk; the WDQ is then undefined).
    """
    n = len(ref_per_wijk)
    order = np.argsort(-np.asarray(ref_per_wijk, dtype=float), kind="stable")
    for k in range(max(1, math.ceil(treated_share * n)), 0, -1):
        treated = sorted(int(i) for i in order[:k])
        near = adjacency[treated].any(axis=0)
        buffer = [i for i in range(n) if near[i] and i not in treated]
        control = [i for i in range(n) if i not in treated and i not in buffer]
        if control:
            break
    return {"treated": treated, "buffer": buffer, "control": control}


def wdq_interval(ref: np.ndarray, scen: np.ndarray, areas: dict[str, list[int]],
                 level: float = LEVEL, draws: int = 1000,
                 min_replications: int = MIN_REPLICATIONS) -> tuple[float, float, float]:
    """WDQ on the replication means, with a paired bootstrap interval over replications.

    ``ref`` and ``scen`` are (R, wijken) counts over the same period. The WDQ divides the
    buffer's change by the treated area's change, so it only means something when the
    treated area clearly improved (Bowers & Johnson 2003): NaN unless the 90% interval of
    the treated area's paired change lies below zero, and NaN when the control or buffer
    area is empty. A ratio resampled from a handful of replications swings without bound
    (a resample of two gives per-replication ratios such as 22), so the interval is NaN
    below ``min_replications``.
    """
    nan = float("nan")
    if not areas["control"] or not areas["buffer"]:
        return nan, nan, nan
    treated = areas["treated"]
    change = paired_change(scen[:, treated].sum(axis=1), ref[:, treated].sum(axis=1), level)
    if not change["diff_interval"][1] < 0:
        return nan, nan, nan

    def one(idx: np.ndarray) -> float:
        r, s = ref[idx].mean(axis=0), scen[idx].mean(axis=0)
        a, b, c = (areas[k] for k in ("treated", "buffer", "control"))
        return wdq(r[a].sum(), s[a].sum(), r[b].sum(), s[b].sum(), r[c].sum(), s[c].sum())

    n = ref.shape[0]
    point = one(np.arange(n))
    if n < max(2, min_replications) or not np.isfinite(point):
        return point, float("nan"), float("nan")
    rng = np.random.default_rng(0)  # fixed: the interval is part of the reproducible output
    boot = np.array([one(rng.integers(0, n, n)) for _ in range(draws)])
    boot = boot[np.isfinite(boot)]
    if boot.size < draws // 2:
        return point, float("nan"), float("nan")
    q = np.quantile(boot, [0.5 - level / 2, 0.5 + level / 2])
    return point, float(q[0]), float(q[1])


def spread_cv(counts: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Household-weighted coefficient of variation of per-wijk rates, per replication.

    ``counts`` is (R, wijken); rates are counts per household (the unit cancels).
    """
    w = np.asarray(households, dtype=float)
    keep = w > 0
    w = w[keep]
    rates = np.asarray(counts, dtype=float)[:, keep] / w
    mean = (rates * w).sum(axis=1) / w.sum()
    sd = np.sqrt((w * (rates - mean[:, None]) ** 2).sum(axis=1) / w.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, sd / mean, np.nan)


def horizon_cost(cost_by_year: dict[int, float], start_year: int, years: float) -> float:
    """Total cost over a horizon of ``years`` from ``start_year`` (a partial year pro rata)."""
    total = 0.0
    for y, eur in cost_by_year.items():
        frac = min(1.0, max(0.0, years - (y - start_year)))
        total += eur * frac
    return total


def cost_per_prevented(cost_per_year: float, prevented: float,
                       interval: tuple[float, float]) -> tuple[float | None, list]:
    """Cost per prevented burglary and its interval, only for a demonstrable effect.

    Demonstrable: the paired interval of prevented burglaries lies above zero. Otherwise
    (the interval contains 0, or nothing is prevented) the cost per prevented burglary is
    not defined and None is returned: a ratio with a denominator that may be 0 or negative
    has no meaningful value or interval. The interval maps the prevented interval's ends:
    fewer prevented, higher cost.
    """
    lo, hi = interval
    if not demonstrable(prevented, interval):
        return None, [None, None]
    return cost_per_year / prevented, [cost_per_year / hi, cost_per_year / lo]


def demonstrable(prevented: float, interval: tuple[float, float]) -> bool:
    """Whether burglaries are demonstrably prevented: the paired interval lies above 0."""
    lo, hi = interval
    return bool(np.isfinite(prevented) and prevented > 0 and lo is not None
                and np.isfinite(lo) and lo > 0 and hi is not None and np.isfinite(hi))


def month_edges(days: int) -> list[tuple[int, int, int, int]]:
    """(year index, month 1..12, first day, end day) for 365-day model years, clipped."""
    lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    out, start, k = [], 0, 0
    while start < days:
        month = k % 12
        end = start + lengths[month]
        out.append((k // 12, month + 1, start, min(end, days)))
        start, k = end, k + 1
    return out
