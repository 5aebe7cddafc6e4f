"""A shock on every option (``sim compare ... --shock NAME``): the wave's cost and recovery.

``--shock inbraakgolf`` takes the ``[[shocks]]`` of a scenario (a modus-operandi wave,
``sim/model/wave.py``) and adds, for every compared option ``X``, a twin ``X__inbraakgolf``:
the same option with the wave, run with the same seeds. Per option:

- **excess**: the extra woninginbraken the wave causes over the horizon, ``X`` with the
  wave minus ``X`` without it, paired by replication (mean and 90% interval);
- **recovery**: the weeks from the wave's start until the weekly excess relative to the
  option without the wave (means over replications, 26-week moving averages) has passed its
  peak and fallen to half of it (``None`` when that does not happen within the horizon);
- **against the wave without the option**: the reference's excess minus the option's,
  paired by replication (how many of the wave's burglaries the option takes away).

The twins carry the option's own name with ``__`` and the shock's name, so a comparison
folder holds both and the report can draw them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.compare.metrics import mean_ci
from sim.core.errors import UserError
from sim.model.scenario import Scenario, load_scenario
from sim.model.wave import DAYS_PER_YEAR

#: Weeks of the moving average the recovery is read from: half a year, so one winter's peak
#: of a few weeks (and the noise of a few burglaries a week) is not read as the wave's peak.
SMOOTH_WEEKS = 26
SEPARATOR = "__"


def shocked(scenarios: list[Scenario], shock: str, city: str | None) -> list[Scenario]:
    """Every scenario followed by its twin with the shock's waves (clear errors)."""
    source = load_scenario(shock, city=city)
    if not source.shocks:
        raise UserError(f"scenario '{shock}' has no [[shocks]]: --shock needs a scenario with "
                        "a wave (e.g. inbraakgolf).", field="--shock")
    out = []
    for sc in scenarios:
        if sc.shocks:
            raise UserError(f"scenario '{sc.name}' has a wave of its own; compare it without "
                            "--shock, or --shock with options without [[shocks]].",
                            field="--shock")
        name = f"{sc.name}{SEPARATOR}{source.name}"[:64]
        twin = sc.model_copy(update={"shocks": list(source.shocks), "name": name})
        out += [sc, twin]
    return out


def weekly(attempts: np.ndarray) -> np.ndarray:
    """(replications, weeks) woninginbraken per whole week from ``(R, days, wijken)``."""
    per_day = attempts.sum(axis=2)
    weeks = per_day.shape[1] // 7
    return per_day[:, :weeks * 7].reshape(per_day.shape[0], weeks, 7).sum(axis=2)


def _smooth(x: np.ndarray, k: int = SMOOTH_WEEKS) -> np.ndarray:
    return np.convolve(x, np.ones(k) / k, mode="full")[:x.size]


def recovery_weeks(excess: np.ndarray, start_week: int, without: np.ndarray | None = None,
                   smooth_weeks: int = SMOOTH_WEEKS) -> dict[str, Any]:
    """Peak week and weeks until the smoothed excess falls to half of its peak.

    With ``without`` (the weekly counts without the wave) the excess is read relative to
    them, so the season (more burglaries in dark months) does not make a wave look as if it
    recovered each spring.
    """
    smooth = _smooth(excess, smooth_weeks)
    if without is not None:
        base = _smooth(without, smooth_weeks)
        smooth = np.divide(smooth, base, out=np.zeros_like(smooth), where=base > 0)
    after = smooth[start_week:]
    if after.size == 0 or after.max() <= 0:
        return {"peak_week": None, "peak_excess": None, "half_recovery_weeks": None}
    peak = int(np.argmax(after))
    below = np.flatnonzero(after[peak:] <= after[peak] / 2)
    return {"peak_week": peak, "peak_excess": round(float(after[peak]), 3),
            "half_recovery_weeks": None if below.size == 0 else int(peak + below[0])}


def shock_summary(scenarios: list[Scenario], data: dict[str, Any]) -> dict[str, Any] | None:
    """Excess, recovery and the reduction against the reference, per option (see above)."""
    twins = [(sc, t) for sc, t in zip(scenarios, scenarios[1:], strict=False)
             if t.shocks and not sc.shocks and t.name.startswith(sc.name + SEPARATOR)]
    if not twins:
        return None
    first = twins[0][1]
    wave = first.shocks[0]
    burn_in_years = -(-int(round(first.burn_in_years * DAYS_PER_YEAR)) // DAYS_PER_YEAR)
    day0 = ((wave.start.year - (first.start_year - burn_in_years)) * DAYS_PER_YEAR
            + min(wave.start.timetuple().tm_yday, DAYS_PER_YEAR) - 1
            - burn_in_years * DAYS_PER_YEAR)
    start_week = max(0, day0 // 7)
    ref_excess = None
    options = []
    for sc, twin in twins:
        with_w = weekly(data[twin.name].attempts).astype(float)
        without = weekly(data[sc.name].attempts).astype(float)
        per_rep = (with_w - without).sum(axis=1)
        if ref_excess is None:
            ref_excess = per_rep
        mean, lo, hi = mean_ci(per_rep[:, None])
        red, rlo, rhi = mean_ci((ref_excess - per_rep)[:, None])
        rec = recovery_weeks((with_w - without).mean(axis=0), start_week,
                             without.mean(axis=0))
        options.append({
            "scenario": sc.name, "with_shock": twin.name,
            "excess_burglaries": round(float(mean[0]), 1),
            "excess_interval": [round(float(lo[0]), 1), round(float(hi[0]), 1)],
            "fewer_than_reference": None if sc is twins[0][0] else round(float(red[0]), 1),
            "fewer_interval": None if sc is twins[0][0] else [round(float(rlo[0]), 1),
                                                              round(float(rhi[0]), 1)],
            **rec,
            "weekly_with_shock": np.round(with_w.mean(axis=0), 2).tolist(),
            "weekly_without_shock": np.round(without.mean(axis=0), 2).tolist(),
        })
    return {"shock": first.name.split(SEPARATOR, 1)[1], "technique": wave.technique,
            "start": wave.start.isoformat(), "start_week": start_week,
            "smoothing_weeks": SMOOTH_WEEKS, "reference": twins[0][0].name,
            "options": options,
            "note": ("excess = the option with the wave minus the option without it, paired by "
                     "replication, over the whole horizon; half_recovery_weeks = weeks from the "
                     "wave's start until the 26-week mean excess relative to the option without "
                     "the wave, after its peak, is at most half the peak (None: not within the "
                     "horizon); fewer_than_reference = the reference's excess minus this "
                     "option's, paired")}
