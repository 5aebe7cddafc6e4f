"""Sweep throughput (1 vs 2 local workers) and the per-run overhead of Dask vs the local pool.

Every measurement is a real ``run_sweep`` into a fresh SQLite store (commits included) of
a Latin-hypercube experiment on the baseline. Executors are started and warmed up (one
untimed sweep, so every worker has the city loaded) before timing: a user's Dask cluster
is already running, and a local pool's start-up is reported separately.

* throughput: runs of ``years`` simulated years; runs/s with 1 worker (in-process) and 2
  local worker processes, and the ratio (2 cores: at most 2);
* overhead: very short runs (a few simulated days), so the time per run is mostly the
  executor's: wall ms per run through the local pool and through a Dask ``LocalCluster``
  (2 worker processes, 1 thread each), both with automatic batching and with one run per
  task; "Dask - pool" is the extra cost per run of the Dask path.

    python benchmarks/bench_sweep.py            # full, about two minutes
    python benchmarks/bench_sweep.py --quick    # smoke mode, well under a minute
    python benchmarks/bench_sweep.py --json     # JSON on stdout
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

from sim.analysis.experiment import Experiment
from sim.analysis.sweep import run_sweep
from sim.runs.executors import freeze_imports, make_executor
from sim.runs.store import ResultStore


def _experiment(n: int, years: float, seed: int) -> Experiment:
    return Experiment(
        name="bench", base="baseline", master_seed=seed, replications=1, years=years,
        outcomes=["woninginbraken_per_year", "arrests_per_year"],
        design={"method": "lhs", "n": n},
        parameters=[{"path": "boa.burglary_patrol_share", "bounds": [0.05, 0.4]},
                    {"path": "offenders.active_offenders", "bounds": [30, 60]}],
    )


def _time_sweep(exp: Experiment, executor: Executor, workers: int,
                batch_size: int | None = None) -> float:
    with tempfile.TemporaryDirectory() as tmp, ResultStore(Path(tmp)) as store:
        t0 = time.perf_counter()
        status = run_sweep(exp, store, executor, workers=workers, batch_size=batch_size)
        seconds = time.perf_counter() - t0
    assert status.complete, status
    return seconds


def _median_seconds(n: int, years: float, executor: Executor, workers: int, repeats: int,
                    batch_size: int | None = None) -> float:
    _time_sweep(_experiment(min(n, 8), years, 999), executor, workers, batch_size)  # warm-up
    return statistics.median(_time_sweep(_experiment(n, years, seed), executor, workers,
                                         batch_size) for seed in range(repeats))


def throughput(quick: bool) -> dict:
    """Runs per second with 1 and 2 local workers, and their ratio."""
    n, years, repeats = (16, 0.1, 1) if quick else (40, 0.25, 3)
    out = {"runs": n, "years_per_run": years, "repeats": repeats}
    freeze_imports()  # as `sim sweep` does: the in-process case runs here
    for workers in (1, 2):
        t0 = time.perf_counter()
        ex = make_executor(workers)
        ex.submit(int, 0).result()  # starts the pool's processes
        out[f"startup_s_w{workers}"] = time.perf_counter() - t0
        try:
            secs = _median_seconds(n, years, ex, workers, repeats)
        finally:
            ex.shutdown()
        out[f"runs_per_s_w{workers}"] = n / secs
    out["ratio_w2_w1"] = out["runs_per_s_w2"] / out["runs_per_s_w1"]
    return out


def overhead(quick: bool) -> dict:
    """Wall ms per very short run: local pool vs Dask LocalCluster, batched and per-run."""
    from distributed import LocalCluster

    n, years, repeats = (32, 0.005, 1) if quick else (96, 0.005, 3)
    out: dict = {"runs": n, "years_per_run": years, "repeats": repeats}
    ex = make_executor(2)
    try:
        out["inline_ms"] = 1000 * _median_seconds(n, years, make_executor(1), 1, repeats) / n
        for label, batch in (("auto", None), ("1", 1)):
            out[f"pool_ms_batch_{label}"] = 1000 * _median_seconds(n, years, ex, 2, repeats,
                                                                   batch) / n
    finally:
        ex.shutdown()
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        out["dask_cluster_startup_s"] = time.perf_counter() - t0
        ex = make_executor(None, cluster.scheduler_address)
        try:
            for label, batch in (("auto", None), ("1", 1)):
                out[f"dask_ms_batch_{label}"] = 1000 * _median_seconds(n, years, ex, 2,
                                                                       repeats, batch) / n
        finally:
            ex.shutdown()
    for label in ("auto", "1"):
        out[f"dask_minus_pool_ms_batch_{label}"] = (out[f"dask_ms_batch_{label}"]
                                                    - out[f"pool_ms_batch_{label}"])
    return out


def run(quick: bool = False) -> dict:
    """All sweep benchmarks as one dict (used by benchmarks/bench.py)."""
    return {"throughput": throughput(quick), "overhead": overhead(quick)}


def _table(res: dict) -> str:
    t, o = res["throughput"], res["overhead"]
    lines = [
        f"sweep throughput ({t['runs']} runs x {t['years_per_run']} y, median of "
        f"{t['repeats']})",
        f"  1 worker (in-process)      {t['runs_per_s_w1']:8.2f} runs/s",
        f"  2 local workers            {t['runs_per_s_w2']:8.2f} runs/s"
        f"   (pool start-up {t['startup_s_w2']:.2f} s, not timed)",
        f"  ratio 2/1                  {t['ratio_w2_w1']:8.2f}x",
        f"per-run overhead ({o['runs']} runs x {o['years_per_run']} y, median of "
        f"{o['repeats']}; wall ms per run)",
        f"  in-process                 {o['inline_ms']:8.1f} ms",
        f"  local pool, 2 workers      {o['pool_ms_batch_auto']:8.1f} ms (batched)"
        f"   {o['pool_ms_batch_1']:8.1f} ms (1 run/task)",
        f"  Dask LocalCluster, 2 procs {o['dask_ms_batch_auto']:8.1f} ms (batched)"
        f"   {o['dask_ms_batch_1']:8.1f} ms (1 run/task)",
        f"  Dask - pool                {o['dask_minus_pool_ms_batch_auto']:8.1f} ms (batched)"
        f"   {o['dask_minus_pool_ms_batch_1']:8.1f} ms (1 run/task)",
        f"  (Dask cluster start-up {o['dask_cluster_startup_s']:.2f} s, not timed)",
    ]
    return "\n".join(lines)


def main() -> None:
    """Command line: print a table, or JSON with --json."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    ap.add_argument("--json", action="store_true", help="JSON on stdout")
    args = ap.parse_args()
    res = run(quick=args.quick)
    if args.json:
        json.dump(res, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_table(res))


if __name__ == "__main__":
    main()
