"""Fit the level and the offending driver's strength to the police record; test the forecast.

Method (stated in ``record_fit.toml``): a coarse profile search with common random numbers.

1. For each candidate ``drivers.offending_elasticity`` on a small grid, the history
   2012-2023 is run ``replications`` times at the current level (the same seeds for every
   candidate).
2. For a fit window (2012-2019, or every year up to 2023), the level that matches the record
   is the current ``offenders.outings_per_offender_day`` times the geometric mean of
   observed / simulated over the window (counts are close to proportional to the outing
   rate), and the candidate's loss is the sum of squared log errors after that scaling.
3. A parabola through the losses gives the elasticity (within the grid) and its standard
   error ``sqrt(s^2 / c)`` with ``s^2 = SSR / (n - 2)`` and ``c`` the parabola's curvature
   (least squares); the level's standard error is ``level x s / sqrt(n)``.

The fit on 2012-2019 is then run again (``validation`` replications) over 2012-2023: its
2020-2023 years are the forecast test (nothing refitted; the lockdowns come from the
occupancy driver). The council baseline uses the refit on all years up to 2023 (never
later) for the elasticity, with its level matched to the last observed years 2021-2023 so
that it starts from today's level (the geometric mean over all years is kept as
``level_all_years``).
The pattern parameters (``calibrated.toml``, fitted by ``sim calibrate`` to the pattern
targets) are kept as they are.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.analysis.history.run import (
    RECORD_FIT,
    history_scenario,
    run_history,
    simulate_years,
)
from sim.core.tomlwrite import dumps as toml_dumps
from sim.data.record import LAST_FIT_YEAR, load_record
from sim.model.city import city_folder
from sim.runs.runner import cached_city

LEVEL = "offenders.outings_per_offender_day"
ELASTICITY = "drivers.offending_elasticity"
GRID = (0.3, 0.55, 0.8, 1.05, 1.3)
FIT_WINDOW = (2012, 2019)
ALL_WINDOW = (2012, LAST_FIT_YEAR)
#: The council baseline starts from today's level: its level is matched to these last
#: observed years (at the elasticity fitted on every year up to 2023).
TODAY_WINDOW = (2021, LAST_FIT_YEAR)
BOUNDS = {LEVEL: (0.005, 5.0), ELASTICITY: (0.0, 3.0)}


def _window_fit(sims: np.ndarray, obs: np.ndarray) -> tuple[float, float]:
    """(log scale, SSR) for one candidate: simulated means scaled to the observed."""
    logr = np.log(obs) - np.log(sims)
    scale = float(logr.mean())
    return scale, float(((logr - scale) ** 2).sum())


def profile(betas: tuple[float, ...], means: np.ndarray, obs: np.ndarray,
            level0: float) -> dict[str, Any]:
    """Elasticity, level and their standard errors from the candidates' mean counts.

    ``means``: (candidates, years) simulated means over the window; ``obs``: the record.
    """
    fits = [_window_fit(m, obs) for m in means]
    scales = np.array([f[0] for f in fits])
    ssr = np.array([f[1] for f in fits])
    b = np.asarray(betas, dtype=float)
    a2, a1, a0 = np.polyfit(b, ssr, 2)
    if a2 > 0:
        best = float(np.clip(-a1 / (2 * a2), b.min(), b.max()))
    else:
        best = float(b[int(np.argmin(ssr))])
    n = obs.size
    ssr_best = max(float(np.polyval([a2, a1, a0], best)), float(ssr.min()) * 0.5, 1e-9)
    s2 = ssr_best / max(n - 2, 1)
    se_beta = math.sqrt(s2 / a2) if a2 > 0 else float("nan")
    level = level0 * math.exp(float(np.interp(best, b, scales)))
    # the level that matches the record moves with the elasticity: d log(level) / d elasticity
    slope = float(np.polyfit(b, scales, 1)[0])
    return {"elasticity": best, "elasticity_se": se_beta, "level": level,
            "log_level_slope": slope,
            "level_se": level * math.sqrt(s2) / math.sqrt(n), "ssr": ssr_best,
            "residual_sd_log": math.sqrt(s2), "years": n,
            "candidates": [{"elasticity": float(x), "ssr": float(y), "log_scale": float(z)}
                           for x, y, z in zip(b, ssr, scales, strict=True)]}


def uncertainty(fit: dict[str, Any]) -> dict[str, Any]:
    """The fit's ``[uncertainty]``: estimates, standard errors and their covariance.

    The level's error has two parts: the level that goes with a drawn elasticity (the
    profile's slope) and the level's own error at a given elasticity (``s / sqrt(n)``).
    """
    se_b = fit["elasticity_se"] if math.isfinite(fit["elasticity_se"]) else 0.0
    lv, slope = fit["level"], fit["log_level_slope"]
    own = fit["level_se"]
    var_l = (lv * slope * se_b) ** 2 + own**2
    cov = [[var_l, lv * slope * se_b**2], [lv * slope * se_b**2, se_b**2]]
    return {"parameters": [LEVEL, ELASTICITY], "estimate": [lv, fit["elasticity"]],
            "standard_error": [math.sqrt(var_l), se_b], "covariance": cov,
            "lower": [BOUNDS[LEVEL][0], BOUNDS[ELASTICITY][0]],
            "upper": [BOUNDS[LEVEL][1], BOUNDS[ELASTICITY][1]]}


def fit_record(city: str = "amstelveen", *, replications: int = 6, validation: int = 12,
               seed: int = 2112, workers: int | None = None, grid: tuple[float, ...] = GRID,
               say: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Fit on 2012-2019, test 2020-2023, refit on all years up to 2023; the result dict."""
    t0 = dt.datetime.now(dt.UTC)
    base = history_scenario(city, ALL_WINDOW[0], ALL_WINDOW[1])
    level0 = float(base.offenders.outings_per_offender_day)
    scen = [history_scenario(city, *ALL_WINDOW, {"drivers": {"offending_elasticity": b}})
            for b in grid]
    say(f"profile: {len(grid)} elasticities x {replications} replications, 2012-2023")
    sims = simulate_years([(sc, r) for sc in scen for r in range(replications)], seed,
                          workers).reshape(len(grid), replications, -1)
    means = sims.mean(axis=1)
    years = list(range(ALL_WINDOW[0], ALL_WINDOW[1] + 1))
    record = load_record().series(cached_city(base.city).code)
    fits = {}
    for name, (a, z) in (("fit_2012_2019", FIT_WINDOW), ("fit_2012_2023", ALL_WINDOW)):
        idx = [years.index(y) for y in range(a, z + 1)]
        obs = np.array([record[y] for y in range(a, z + 1)], dtype=float)
        fits[name] = {"window": [a, z], **profile(grid, means[:, idx], obs, level0)}
        say(f"{name}: elasticity {fits[name]['elasticity']:.3f} "
            f"(se {fits[name]['elasticity_se']:.3f}), level {fits[name]['level']:.4f}")
    a = fits["fit_2012_2019"]
    say(f"forecast test: the 2012-2019 fit, {validation} replications, 2012-2023")
    test = run_history(city, replications=validation, seed=seed + 1, draws=0,
                       workers=workers, shock_window=FIT_WINDOW, team="studies", overrides={
                           "offenders": {"outings_per_offender_day": a["level"]},
                           "drivers": {"offending_elasticity": a["elasticity"]}})
    fc_years = list(range(FIT_WINDOW[1] + 1, ALL_WINDOW[1] + 1))
    a["forecast"] = {"years": [r for r in test.rows() if r["year"] in fc_years],
                     "coverage": test.coverage(fc_years), "rmse_log": test.rmse_log(fc_years),
                     "fit_years_coverage": test.coverage(list(range(*FIT_WINDOW)) +
                                                         [FIT_WINDOW[1]]),
                     "replications": validation, "seed": seed + 1}
    b = fits["fit_2012_2023"]
    idx = [years.index(y) for y in range(TODAY_WINDOW[0], TODAY_WINDOW[1] + 1)]
    obs = np.array([record[y] for y in range(TODAY_WINDOW[0], TODAY_WINDOW[1] + 1)], float)
    scales = [_window_fit(m, obs)[0] for m in means[:, idx]]
    resid = b["residual_sd_log"]
    b["level_all_years"], b["level_all_years_se"] = b["level"], b["level_se"]
    b["level"] = level0 * math.exp(float(np.interp(b["elasticity"], grid, scales)))
    b["level_se"] = b["level"] * resid / math.sqrt(len(idx))
    b["level_window"] = list(TODAY_WINDOW)
    say(f"council baseline: level {b['level']:.4f} matched to {TODAY_WINDOW[0]}-"
        f"{TODAY_WINDOW[1]} (all years: {b['level_all_years']:.4f})")
    return {"city": city, "date": t0.isoformat(timespec="seconds"),
            "package_version": __version__, "seed": seed, "replications": replications,
            "grid": list(grid), "level_start": level0, **fits,
            "council_fit": "fit_2012_2023",
            "parameters": {"offenders": {"outings_per_offender_day": round(b["level"], 6)},
                           "drivers": {"offending_elasticity": round(b["elasticity"], 4)}},
            "uncertainty": uncertainty(b),
            "seconds": (dt.datetime.now(dt.UTC) - t0).total_seconds()}


def write_record_fit(result: dict[str, Any], city: str = "amstelveen") -> Path:
    """Write ``calibration/<city>/record_fit.toml`` (merged over ``calibrated.toml``)."""
    path = city_folder(city) / RECORD_FIT
    head = ("# The fit to the police record (CBS/Politie 47018NED, 2012-2023), written by "
            "`sim history --fit`.\n# Rerun the command rather than editing by hand. Its "
            "[parameters] are merged over calibrated.toml's.\n# Method: "
            "sim/analysis/history/fit.py. The council baseline uses [fit_2012_2023]; "
            "[fit_2012_2019] holds the forecast test.\n")
    path.write_text(head + toml_dumps(_clean(result)), encoding="utf-8")
    return path


def _clean(obj: Any) -> Any:
    """TOML-ready: no None, no NaN; a list of tables becomes a table keyed by year.

    (Or by elasticity, or by position, when the tables have no year.)
    """
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list | tuple) and obj and all(isinstance(v, dict) for v in obj):
        return {str(v.get("year", v.get("elasticity", i))): _clean(v)
                for i, v in enumerate(obj)}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj if v is not None]
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan"
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
