"""Amersfoort's record: the level refit of the transfer test, and the wave's one-time fit.

``python -m sim.analysis.history.wave_fit level amersfoort`` refits the level alone (one parameter,
``offenders.outings_per_offender_day``) to the record's years outside the 2018-2019 wave:
the current level times the geometric mean of observed / simulated (counts are close to
proportional to the outing rate), written to ``calibration/<city>/record_fit.toml``.

``python -m sim.analysis.history.wave_fit check amersfoort`` runs 2016-2020 with the shipped wave
and without it (``wave_check.toml``): is the record inside the 90% band?

``python -m sim.analysis.history.wave_fit wave amersfoort`` fits the wave's strength and speed
(``reward_elasticity`` x ``learning_per_day`` on a small grid) to the 2018-2019 rise above
the trend: the target for each year is observed / simulated-without-the-wave, relative to
the same ratio over 2016-2017; the loss is the squared log error of simulated with /
without the wave against it (the same seeds with and without: common random numbers). The
result is written to ``calibration/<city>/wave_fit.toml``; the schema's defaults
(``Shock`` in ``sim/model/scenario.py``) carry the chosen values, reused unchanged in every
other city.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import sys
import tomllib
from typing import Any

import numpy as np

from sim import __version__
from sim.analysis.history.run import run_history
from sim.core.jsonable import json_clean
from sim.core.tomlwrite import dumps as toml_dumps
from sim.model.city import city_folder
from sim.model.scenario import load_scenario

LEVEL = "offenders.outings_per_offender_day"
WAVE_YEARS = (2018, 2019)
BEFORE = (2016, 2017)
#: The wave's start: the year Amersfoort's accounts report the rise (estimate: 1 January).
WAVE_START = "2018-01-01"
GRID = {"reward_elasticity": (2.0, 4.0, 6.0), "learning_per_day": (0.02, 0.06)}


def refit_level(city: str, replications: int, seed: int, workers: int | None) -> dict[str, Any]:
    """The level alone, fitted to every record year outside the wave; writes record_fit.toml."""
    res = run_history(city, replications=replications, from_year=2012, to_year=2023, seed=seed,
                      draws=0, workers=workers, local_shocks=False, team="studies")
    mean = res.runs.mean(axis=0)
    years = [y for y in res.years if y not in WAVE_YEARS and y in res.observed]
    logr = [math.log(res.observed[y]) - math.log(mean[res.years.index(y)]) for y in years]
    scale = math.exp(float(np.mean(logr)))
    sc = load_scenario("baseline", city=city)
    level = round(sc.offenders.outings_per_offender_day * scale, 5)
    doc = {
        "parameters": {"offenders": {"outings_per_offender_day": level}},
        "fit": {"method": "level alone: current level x geometric mean of observed / simulated "
                          "(history runs, the same seeds)", "years": years,
                "before": sc.offenders.outings_per_offender_day, "scale": round(scale, 4),
                "replications": replications, "seed": seed,
                "note": "2018-2019 left out: the cylinder-pulling wave (its own fit)"},
        "transfer": {str(r["year"]): {"observed": r["observed"], "simulated": r["simulated"]}
                     for r in res.rows()},
        "version": __version__, "written": dt.date.today().isoformat(),
    }
    path = city_folder(city) / "record_fit.toml"
    path.write_text(f"# Level refit for {city} "
                    f"(python -m sim.analysis.history.wave_fit level {city}).\n"
                    + toml_dumps(doc), encoding="utf-8")
    return doc


def _wave(**values: float) -> dict[str, Any]:
    return {"shocks": [{"start": WAVE_START, **values}]}


def _key(e: float, learn: float) -> str:
    return f"elasticity_{e:g}_learning_{learn:g}"


def fit_wave(city: str, replications: int, seed: int, workers: int | None,
             grid: dict[str, tuple[float, ...]] | None = None) -> dict[str, Any]:
    """Grid fit of the wave's strength and speed to the 2018-2019 rise above the trend.

    Points already in ``wave_fit.toml`` (same seed and replications) are kept, so the grid
    can be widened in steps; the best point over all of them is reported.
    """
    grid = grid or GRID
    path = city_folder(city) / "wave_fit.toml"
    old = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    same = (old.get("fit", {}).get("replications") == replications
            and old.get("fit", {}).get("seed") == seed)
    points = dict(old.get("grid", {})) if same else {}
    years = list(range(BEFORE[0], WAVE_YEARS[1] + 1))
    off = run_history(city, replications=replications, from_year=years[0],
                      to_year=years[-1], seed=seed, draws=0, workers=workers,
                      local_shocks=False, team="studies")
    obs = np.array([off.observed[y] for y in years], dtype=float)
    off_mean = off.runs.mean(axis=0)
    ratio = obs / off_mean
    before = math.exp(np.log(ratio[:len(BEFORE)]).mean())
    target = ratio[len(BEFORE):] / before  # the rise above the trend, per wave year
    for e, learn in itertools.product(grid["reward_elasticity"], grid["learning_per_day"]):
        if _key(e, learn) in points:
            continue
        on = run_history(city, replications=replications, from_year=years[0], to_year=years[-1],
                         seed=seed, draws=0, workers=workers, local_shocks=False, team="studies",
                         overrides=_wave(reward_elasticity=e, learning_per_day=learn))
        rise = on.runs.mean(axis=0)[len(BEFORE):] / off_mean[len(BEFORE):]
        loss = float(((np.log(rise) - np.log(target)) ** 2).sum())
        points[_key(e, learn)] = {"reward_elasticity": e, "learning_per_day": learn,
                                  "rise": [round(float(x), 3) for x in rise],
                                  "loss": round(loss, 5)}
        print(points[_key(e, learn)], flush=True)
    best = min(points.values(), key=lambda r: r["loss"])
    doc = {"fit": {"method": "grid; target = observed / simulated-without-wave per wave year, "
                             "relative to the same ratio over 2016-2017; loss = squared log "
                             "error of with/without (common random numbers)",
                   "start": WAVE_START, "years": list(WAVE_YEARS),
                   "simulated_without_wave": [round(float(x), 1) for x in off_mean],
                   "observed": [int(x) for x in obs],
                   "target_rise": [round(float(x), 3) for x in target],
                   "replications": replications, "seed": seed},
           "best": best, "grid": points, "version": __version__,
           "written": dt.date.today().isoformat()}
    path.write_text("# The wave's one-time fit "
                    f"(python -m sim.analysis.history.wave_fit wave {city}).\n"
                    + toml_dumps(doc), encoding="utf-8")
    return doc


def check_wave(city: str, replications: int, seed: int, workers: int | None) -> dict[str, Any]:
    """2016-2020 with the shipped wave (schema defaults) and without: is the rise inside?

    Counts per year, and the rise above the trend: per replication, simulated / the mean
    without the wave (the trend), against observed / the same trend scaled to 2016-2017 (so
    the trend's level, which the level refit does not match here, drops out). Inside: within
    the 5th-95th percentile over replications.
    """
    years = list(range(BEFORE[0], WAVE_YEARS[1] + 2))
    runs: dict[str, Any] = {}
    for key, over in (("wave_on", _wave()), ("wave_off", None)):
        runs[key] = run_history(city, replications=replications, from_year=years[0],
                                to_year=years[-1], seed=seed, draws=0, workers=workers,
                                local_shocks=False, team="studies", overrides=over)
    trend = runs["wave_off"].runs.mean(axis=0)
    obs = np.array([runs["wave_off"].observed[y] for y in years], dtype=float)
    align = math.exp(np.log(obs[:len(BEFORE)] / trend[:len(BEFORE)]).mean())
    observed_rise = obs / trend / align
    out: dict[str, Any] = {"years": years, "observed": [int(x) for x in obs],
                           "trend_without_wave": [round(float(x), 1) for x in trend],
                           "observed_rise": [round(float(x), 3) for x in observed_rise]}
    for key, res in runs.items():
        rise = res.runs / trend
        lo, hi = np.percentile(rise, 5, axis=0), np.percentile(rise, 95, axis=0)
        out[key] = {"counts": {str(r["year"]): r for r in res.rows()},
                    "rise_mean": [round(float(x), 3) for x in rise.mean(axis=0)],
                    "rise_low": [round(float(x), 3) for x in lo],
                    "rise_high": [round(float(x), 3) for x in hi],
                    "rise_inside": [bool(lo[i] <= observed_rise[i] <= hi[i])
                                    for i in range(len(years))]}
        print(key, list(zip(years, out[key]["rise_low"], out[key]["rise_high"],
                            out[key]["rise_inside"], strict=True)), flush=True)
    print("observed rise", list(zip(years, out["observed_rise"], strict=True)), flush=True)
    path = city_folder(city) / "wave_check.toml"
    doc = {"check": {"start": WAVE_START, "replications": replications, "seed": seed,
                     "band": "5th-95th percentile over replications",
                     "rise": "simulated / mean without the wave; observed / the same trend "
                             "scaled to 2016-2017"}, **out, "version": __version__}
    path.write_text("# The wave on and off "
                    f"(python -m sim.analysis.history.wave_fit check {city}).\n"
                    + toml_dumps(json_clean(doc)), encoding="utf-8")
    return doc


def main(argv: list[str] | None = None) -> int:
    """Run one of the two fits."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("level", "wave", "check"))
    ap.add_argument("city", nargs="?", default="amersfoort")
    ap.add_argument("-r", "--replications", type=int, default=6)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("-w", "--workers", type=int, default=2)
    ap.add_argument("--elasticity", type=float, nargs="+", help="grid of reward_elasticity")
    ap.add_argument("--learning", type=float, nargs="+", help="grid of learning_per_day")
    args = ap.parse_args(argv)
    if args.what == "wave" and (args.elasticity or args.learning):
        grid = {"reward_elasticity": tuple(args.elasticity or GRID["reward_elasticity"]),
                "learning_per_day": tuple(args.learning or GRID["learning_per_day"])}
        doc = fit_wave(args.city, args.replications, args.seed, args.workers, grid)
        print(doc["fit"], doc["best"])
        return 0
    fn = {"level": refit_level, "wave": fit_wave, "check": check_wave}[args.what]
    doc = fn(args.city, args.replications, args.seed, args.workers)
    print(doc.get("fit"), doc.get("best", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
