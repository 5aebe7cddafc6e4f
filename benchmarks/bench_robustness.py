"""Robustness experiments: the time for the full target, and Dask's parallel efficiency.

Every measurement is a real ``run_sweep`` of ``experiments/robuustheid.toml`` (every policy
in every world, common random numbers) into a fresh SQLite store, commits included.

* **target**: 256 worlds × 5 policies × 6 simulated years (7,680 simulated years, plus the
  burn-in year of each run) on 2 local worker processes. ``--fraction F`` runs F of the
  worlds (at least 2) and extrapolates linearly (runs are independent, so the time is
  linear in their number once the pool is warm); ``--fraction 1`` runs it all. Target:
  under 30 minutes on 2 cores.
* **efficiency**: the same smaller workload on a Dask ``LocalCluster`` with 1 worker and
  with 2 workers (processes, one thread each), both warmed up first; parallel efficiency =
  (time with 1 worker / time with 2 workers) / 2. Target: at least 0.85. On a machine whose
  2 cores are shared with other work, the figure is a lower bound.

The tables show medians of ``--repeats`` timed runs (each with a different master seed).

    python benchmarks/bench_robustness.py                    # ~3 minutes on 2 cores
    python benchmarks/bench_robustness.py --fraction 0.1     # a closer extrapolation
    python benchmarks/bench_robustness.py --quick            # smoke mode, about a minute
    python benchmarks/bench_robustness.py --json             # JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import Executor
from pathlib import Path

from sim.analysis.experiment import Experiment, load_experiment
from sim.analysis.sweep import run_sweep
from sim.runs.executors import freeze_imports, make_executor
from sim.runs.store import ResultStore

WORLDS, POLICIES, YEARS = 256, 5, 6


def _experiment(worlds: int, years: float, seed: int) -> Experiment:
    exp = load_experiment("robuustheid")
    return exp.with_changes(n=worlds, years=years, master_seed=seed,
                            policies=list(exp.policies or [])[:POLICIES])


def _time(exp: Experiment, executor: Executor, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp, ResultStore(Path(tmp)) as store:
        t0 = time.perf_counter()
        status = run_sweep(exp, store, executor, workers=workers)
        seconds = time.perf_counter() - t0
    assert status.complete, status
    return seconds


def _median(worlds: int, years: float, executor: Executor, workers: int, repeats: int) -> float:
    _time(_experiment(1, 0.05, 999), executor, workers)  # warm-up: every worker loads the city
    return statistics.median(_time(_experiment(worlds, years, 100 + r), executor, workers)
                             for r in range(repeats))


def target(fraction: float, repeats: int, workers: int = 2) -> dict:
    """Extrapolated wall time of 256 worlds × 5 policies × 6 years on ``workers`` processes."""
    worlds = max(2, round(WORLDS * fraction))
    freeze_imports()
    ex = make_executor(workers)
    try:
        secs = _median(worlds, YEARS, ex, workers, repeats)
    finally:
        ex.shutdown()
    runs = worlds * POLICIES
    burn_in = _experiment(1, YEARS, 0).policy_scenarios()["baseline"].burn_in_years
    total = secs * WORLDS / worlds
    return {"worlds_run": worlds, "policies": POLICIES, "years": YEARS, "workers": workers,
            "burn_in_years": burn_in, "repeats": repeats, "seconds": secs,
            "seconds_per_run": secs / runs,
            "simulated_years_per_second": runs * (YEARS + burn_in) / secs,
            "extrapolated_minutes": total / 60, "target_minutes": 30.0,
            "meets_target": total / 60 < 30.0}


def efficiency(worlds: int, years: float, repeats: int) -> dict:
    """Dask LocalCluster: 1 worker vs 2 workers on the same policy experiment."""
    from distributed import LocalCluster

    out: dict = {"worlds": worlds, "policies": POLICIES, "years": years, "repeats": repeats}
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            ex = make_executor(None, cluster.scheduler_address)
            try:
                out[f"seconds_w{n}"] = _median(worlds, years, ex, n, repeats)
            finally:
                ex.shutdown()
    out["speedup"] = out["seconds_w1"] / out["seconds_w2"]
    out["parallel_efficiency"] = out["speedup"] / 2
    out["target_efficiency"] = 0.85
    return out


def _table(res: dict) -> str:
    t, e = res["target"], res["efficiency"]
    return "\n".join([
        "Robustness benchmark (medians)",
        f"  target: {t['worlds_run']} of {WORLDS} worlds x {t['policies']} policies x "
        f"{t['years']} years (+{t['burn_in_years']:g} burn-in) on {t['workers']} local workers",
        f"    {t['seconds']:.1f} s, {t['seconds_per_run']:.2f} s per run, "
        f"{t['simulated_years_per_second']:.1f} simulated years/s",
        f"    extrapolated to {WORLDS} worlds: {t['extrapolated_minutes']:.1f} min "
        f"(target < {t['target_minutes']:.0f} min: {'ok' if t['meets_target'] else 'MISSED'})",
        f"  Dask LocalCluster, {e['worlds']} worlds x {e['policies']} policies x {e['years']:g} y:",
        f"    1 worker {e['seconds_w1']:.1f} s, 2 workers {e['seconds_w2']:.1f} s, speed-up "
        f"{e['speedup']:.2f}x, parallel efficiency {e['parallel_efficiency']:.2f} "
        f"(target >= {e['target_efficiency']})",
    ])


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; print a table (stderr with --json) and return the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fraction", type=float, default=0.03,
                    help="share of the 256 worlds to run for the target (default 0.03)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per case (median)")
    ap.add_argument("--quick", action="store_true", help="smoke mode: tiny workloads")
    ap.add_argument("--json", action="store_true", help="JSON on stdout")
    args = ap.parse_args(argv)
    if not 0 < args.fraction <= 1:
        ap.error("--fraction must be in (0, 1]")
    if args.quick:
        res = {"target": target(min(args.fraction, 2 / WORLDS), 1),
               "efficiency": efficiency(4, 0.25, 1)}
    else:
        res = {"target": target(args.fraction, args.repeats),
               "efficiency": efficiency(8, 1.0, args.repeats)}
    text = _table(res)
    if args.json:
        print(text, file=sys.stderr)
        print(json.dumps(res, indent=2))
    else:
        print(text)
    return res


if __name__ == "__main__":
    main()
