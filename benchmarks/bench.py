"""Wijksim benchmark suite (``make bench``): medians, ratios and targets, measured in one run.

Every case runs in its own fresh Python process (so peak memory is per case and imports are
never timed): one warm-up run, then ``--runs`` timed runs with seeds 1..N (the same seeds in
every case). Model time is ``WijkModel(...)`` construction (set-up) and ``model.run()``
(simulation), measured with ``time.perf_counter``; reading the city and the scenario is
not timed. The textbook Mesa reference (``benchmarks/textbook.py``) is timed on a few
simulated days at full Amstelveen scale and scaled to a year.

    python benchmarks/bench.py            # the full suite, a few minutes
    python benchmarks/bench.py --quick    # smoke mode, under a minute
    python benchmarks/bench.py --json     # JSON on stdout (tables go to stderr)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DAYS_PER_YEAR = 365
TARGETS = {"s_per_year": 0.15, "speedup": 1000.0, "peak_rss_mb": 300.0}  # s_per_year: issue 20


@dataclasses.dataclass
class Case:
    """One measured configuration."""

    key: str
    label: str
    scenario: str = "baseline"
    years: float = 1.0
    city_scale: int = 1  # City.scaled(k): k times the cells and households (tiles)
    households_scale: int = 1  # households per cell x m, same cells
    staff_scale: int = 1  # boa, wijkagenten and interventieteam FTE x s
    offenders_scale: int = 1  # active offenders x o
    textbook_days: int = 0  # > 0: the textbook Mesa reference, timed on this many days
    city: str = ""  # another city folder: its own inputs (staff, offenders), same behaviour


def all_cases(quick: bool) -> list[Case]:
    """The cases of the suite (quick mode drops the largest city and the long horizon)."""
    cases = [
        Case("baseline", "baseline, 1 year"),
        Case("amersfoort", "baseline, Amersfoort (own staff and offenders), 1 year",
             city="amersfoort"),
        Case("interventieteam", "interventieteam, 1 year", scenario="interventieteam"),
        Case("wijkregisseur", "wijkregisseur, 1 year", scenario="wijkregisseur"),
        Case("textbook", "textbook Mesa reference (baseline)", textbook_days=1 if quick else 3),
        Case("horizon_4y", "baseline, 4 years", years=4.0),
        Case("city_4x", "baseline, city 4x", city_scale=4),
        Case("city_16x", "baseline, city 16x", city_scale=16),
        Case("households_4x", "baseline, households per cell 4x", households_scale=4),
        Case("staff_4x", "interventieteam, staff 4x", scenario="interventieteam", staff_scale=4),
        Case("amsterdam", "baseline, city, offenders and staff 16x (Amsterdam-like)",
             city_scale=16, staff_scale=16, offenders_scale=16),
    ]
    if quick:
        cases = [c for c in cases if c.key not in ("city_16x", "horizon_4y", "amsterdam")]
    return cases


# ---- the worker: runs in a fresh process, prints one JSON line ------------------------------
def _peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB else


def measure(case: Case, runs: int) -> dict[str, Any]:
    """Time ``runs`` runs of ``case`` after one warm-up run (call in a fresh process)."""
    import tracemalloc

    sys.path[:0] = [str(HERE.parent), str(HERE)]  # a source checkout works uninstalled too
    from textbook import TextbookModel

    from sim.model.city import load_city
    from sim.model.model import WijkModel
    from sim.model.scenario import load_scenario

    scenario = load_scenario(case.scenario, calibrated=False, city=case.city or None)
    if case.city:  # the city's own inputs (sim.analysis.history.transfer), not its fitted behaviour
        from sim.analysis.history.transfer import PER_HOUSEHOLD
        from sim.model.scenario import calibrated_parameters

        own = calibrated_parameters(case.city)
        scenario = scenario.with_overrides({
            path: own[path.split(".")[0]][path.split(".")[1]] for path in PER_HOUSEHOLD
            if path.split(".")[1] in own.get(path.split(".")[0], {})})
    s, o = case.staff_scale, case.offenders_scale
    scenario = scenario.with_overrides({
        "boa.fte": scenario.boa.fte * s, "wijkagenten.fte": scenario.wijkagenten.fte * s,
        "interventieteam.fte": scenario.interventieteam.fte * s,
        "offenders.active_offenders": scenario.offenders.active_offenders * o})
    # no burn-in: every simulated year is timed (the cost per simulated year is the same)
    scenario = scenario.model_copy(update={"years": case.years, "burn_in_years": 0.0})
    city = load_city(scenario.city)
    if case.city_scale != 1:
        city = city.scaled(case.city_scale)
    if case.households_scale != 1:
        city = dataclasses.replace(city, households=city.households * case.households_scale)
    rss_imports = _peak_rss_mb()

    def one(seed: int) -> tuple[float, float, int]:
        gc.collect()  # free the previous run's agent cycles: peak memory is per run
        t0 = time.perf_counter()
        if case.textbook_days:
            model = TextbookModel(scenario, city, seed=seed)
            t1 = time.perf_counter()
            model.run(case.textbook_days * 24)
            return t1 - t0, time.perf_counter() - t1, len(model.events)
        model = WijkModel(scenario, city, seed=seed)
        t1 = time.perf_counter()
        out = model.run()
        return t1 - t0, time.perf_counter() - t1, int(out.attempts.sum())

    one(0)  # warm-up
    timed = [one(seed) for seed in range(1, runs + 1)]
    rss_peak = _peak_rss_mb()
    tracemalloc.start()
    one(1)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    sim_years = case.textbook_days / DAYS_PER_YEAR if case.textbook_days else case.years
    return {
        "setup_s": [t[0] for t in timed],
        "run_s": [t[1] for t in timed],
        "burglaries": [t[2] for t in timed],
        "sim_years": sim_years,
        "households": int(city.households.sum()),
        "home_cells": int((city.households > 0).sum()),
        "rss_after_imports_mb": rss_imports,
        "peak_rss_mb": rss_peak,
        "traced_peak_mb": traced_peak,
    }


# ---- the orchestrator --------------------------------------------------------------------
def run_case(case: Case, runs: int) -> dict[str, Any]:
    """Measure a case in a subprocess and add medians."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker",
           json.dumps(dataclasses.asdict(case)), "--runs", str(runs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"case": dataclasses.asdict(case), "error": proc.stderr.strip()[-2000:]}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    run_med = statistics.median(res["run_s"])
    res.update(
        case=dataclasses.asdict(case),
        runs=runs,
        run_s_median=run_med,
        s_per_year=run_med / res["sim_years"],
        s_per_year_min=min(res["run_s"]) / res["sim_years"],
        s_per_year_max=max(res["run_s"]) / res["sim_years"],
        setup_s_median=statistics.median(res["setup_s"]),
        burglaries_per_year_median=statistics.median(res["burglaries"]) / res["sim_years"],
    )
    res["us_per_household_year"] = 1e6 * res["s_per_year"] / res["households"]
    return res


def ratios(r: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Ratios between cases measured in this run, with the target each is judged by."""
    out: list[dict[str, Any]] = []

    def add(name, num, den, field, target=None, ok=None):
        if num in r and den in r and "error" not in r[num] and "error" not in r[den]:
            v = r[num][field] / r[den][field]
            out.append({"ratio": name, "value": v, "target": target,
                        "met": None if ok is None else bool(ok(v))})

    add("interventieteam / baseline (s per year)", "interventieteam", "baseline", "s_per_year")
    add("wijkregisseur / baseline (s per year)", "wijkregisseur", "baseline", "s_per_year")
    add("textbook / Wijksim (cost per household-year)", "textbook", "baseline",
        "us_per_household_year", ">= 1000", lambda v: v >= 1000)
    add("horizon 4 y / 1 y (run time)", "horizon_4y", "baseline", "run_s_median",
        "~4 (linear)", lambda v: v <= 4.4)
    add("city 4x / 1x (s per year)", "city_4x", "baseline", "s_per_year",
        "<= 4 (linear in cells)", lambda v: v <= 4)
    add("city 16x / 4x (s per year)", "city_16x", "city_4x", "s_per_year",
        "<= 4 (linear in cells)", lambda v: v <= 4)
    add("city 16x / 1x (s per year)", "city_16x", "baseline", "s_per_year",
        "<= 16 (linear in cells)", lambda v: v <= 16)
    add("households per cell 4x / 1x (s per year)", "households_4x", "baseline", "s_per_year",
        "~1 (nearly flat)", lambda v: v <= 1.25)
    add("staff 4x / 1x (interventieteam, s per year)", "staff_4x", "interventieteam",
        "s_per_year")
    add("Amersfoort / Amstelveen (s per year)", "amersfoort", "baseline", "s_per_year")
    add("Amersfoort / Amstelveen (cost per household-year)", "amersfoort", "baseline",
        "us_per_household_year", "<= 1.5", lambda v: v <= 1.5)
    add("Amsterdam-like 16x / Amstelveen (s per year)", "amsterdam", "baseline", "s_per_year",
        "<= 16 (linear; aim 12)", lambda v: v <= 16)
    return out


def sweep_figures(quick: bool) -> dict[str, Any] | None:
    """Figures of ``benchmarks/bench_sweep.py`` (``run(quick) -> dict``) when it exists."""
    if not (HERE / "bench_sweep.py").exists():
        return None
    sys.path.insert(0, str(HERE))
    try:
        import bench_sweep

        with contextlib.redirect_stdout(sys.stderr):  # keep --json output clean
            return {"figures": bench_sweep.run(quick=quick)}
    except Exception as exc:  # noqa: BLE001 — a broken helper must not sink the suite
        return {"error": f"{type(exc).__name__}: {exc}"}


def machine() -> dict[str, Any]:
    """Where and when the figures were measured."""
    import mesa
    import numpy

    from sim import __version__

    cpu = next((ln.split(":", 1)[1].strip() for ln in _read("/proc/cpuinfo").splitlines()
                if ln.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                            capture_output=True, check=False).stdout.strip()
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "python": platform.python_version(),
            "numpy": numpy.__version__, "mesa": mesa.__version__, "wijksim": __version__,
            "commit": commit, "cpu": cpu, "cores": os.cpu_count(),
            "load_average_at_start": os.getloadavg()[0]}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _flatten(d: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(d, dict):
        return [kv for k, v in d.items() for kv in _flatten(v, f"{prefix}{k}.")]
    return [(prefix.rstrip("."), d)]


def render(doc: dict[str, Any]) -> str:
    """Markdown tables of the results."""
    m = doc["machine"]
    load = m["load_average_at_start"]
    lines = [f"Wijksim {m['wijksim']} ({m['commit']}), Python {m['python']}, numpy {m['numpy']}, "
             f"Mesa {m['mesa']}; {m['cpu']}, {m['cores']} cores, load average {load:.2f}"
             f" at start; medians of {doc['runs']} runs after a warm-up, each case in its own "
             "process.", "",
             "| case | s per sim-year (median) | min–max | set-up ms | peak RSS MB | "
             "traced peak MB | households | burglaries/yr |", "|---|---|---|---|---|---|---|---|"]
    for r in doc["cases"].values():
        c = r["case"]
        if "error" in r:
            lines.append(f"| {c['label']} | failed: {r['error'].splitlines()[-1]} |||||||")
            continue
        lines.append(
            f"| {c['label']} | {r['s_per_year']:.3f} | {r['s_per_year_min']:.3f}–"
            f"{r['s_per_year_max']:.3f} | {1000 * r['setup_s_median']:.0f} | "
            f"{r['peak_rss_mb']:.0f} | {r['traced_peak_mb']:.1f} | {r['households']:,} | "
            f"{r['burglaries_per_year_median']:.0f} |")
    lines += ["", "| ratio (same run) | value | target | met |", "|---|---|---|---|"]
    for q in doc["ratios"]:
        met = "" if q["met"] is None else ("yes" if q["met"] else "NO")
        lines.append(f"| {q['ratio']} | {q['value']:.2f} | {q['target'] or ''} | {met} |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for t in doc["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |")
    sweep = doc.get("sweep")
    if sweep:
        lines += ["", "| bench_sweep | value |", "|---|---|"]
        for k, v in _flatten(sweep):
            lines.append(f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |")
    return "\n".join(lines)


def targets(cases: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's absolute targets, judged on the baseline case."""
    b = cases.get("baseline", {})
    if "s_per_year" not in b:
        return []
    s, mb = b["s_per_year"], b["peak_rss_mb"]
    return [
        {"target": "<= 0.15 s per simulated year (baseline Amstelveen, one core)",
         "measured": f"{s:.3f} s", "met": s <= TARGETS["s_per_year"]},
        {"target": "peak memory <= 300 MB for one Amstelveen run (process RSS)",
         "measured": f"{mb:.0f} MB", "met": mb <= TARGETS["peak_rss_mb"]},
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print tables (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke mode: fewer, smaller cases")
    ap.add_argument("--json", action="store_true", help="print JSON on stdout")
    ap.add_argument("--runs", type=int, default=None,
                    help="timed runs per case (default 7; 3 in quick mode)")
    ap.add_argument("--only", default="", help="comma-separated case keys to run")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    if args.worker:
        print(json.dumps(measure(Case(**json.loads(args.worker)), runs)))
        return 0
    sys.path.insert(0, str(HERE.parent))  # run from a source checkout without installing
    cases = all_cases(args.quick)
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c.key in keep]
    log = sys.stderr
    t0 = time.perf_counter()
    doc: dict[str, Any] = {"machine": machine(), "quick": args.quick, "runs": runs, "cases": {}}
    for c in cases:
        print(f"  {c.label} ...", file=log, end="", flush=True)
        doc["cases"][c.key] = run_case(c, max(runs - 2, 3) if c.textbook_days else runs)
        print(" failed" if "error" in doc["cases"][c.key] else " done", file=log, flush=True)
    doc["ratios"] = ratios(doc["cases"])
    doc["targets"] = targets(doc["cases"])
    doc["sweep"] = sweep_figures(args.quick)
    doc["wall_s"] = time.perf_counter() - t0
    table = render(doc)
    if args.json:
        print(table, file=log)
        print(json.dumps(doc, indent=2))
    else:
        print(table)
    return 1 if any("error" in r for r in doc["cases"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
