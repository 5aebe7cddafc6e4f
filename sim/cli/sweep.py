"""``sim sweep`` and ``sim sensitivity``: batch runs of an experiment, and their analysis."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from sim.analysis.design import experiment_hash, load_design
from sim.analysis.experiment import Experiment, load_experiment
from sim.analysis.sensitivity import (
    Analysis,
    analyze,
    export_outcomes,
    outcome_matrix,
    write_figures,
    write_tables,
)
from sim.analysis.sweep import SweepStatus, run_sweep
from sim.cli.app import BURN_IN, CITY, app, out_console, print_json, resolve_city
from sim.core.errors import UserError
from sim.runs.executors import check_scheduler, default_workers, freeze_imports, make_executor
from sim.runs.folders import MadeBy, results_folder
from sim.runs.store import ResultStore

EXPERIMENT_ARG = typer.Argument(..., help="Shipped experiment name (experiments/*.toml) or a path.")
WORKERS = typer.Option(None, "--workers", "-w", min=0, max=256,
                       help="Local worker processes (default: all cores; 1 = in-process).")
SCHEDULER = typer.Option(None, "--scheduler",
                         help="Dask scheduler address (tcp://host:8786) or 'slurm'.")
OUT = typer.Option(None, "--out", help="Results folder (default results/<experiment>); "
                   "re-running with the same folder resumes.")
N = typer.Option(None, "--n", min=1, max=1_000_000,
                help="Override design n (Sobol: a power of 2; LHS size).")
TRAJ = typer.Option(None, "--trajectories", min=2, max=10_000, help="Override Morris trajectories.")
REPS = typer.Option(None, "--replications", "-r", min=1, max=10_000,
                   help="Override replications per point.")
YEARS = typer.Option(None, "--years", min=0.001, max=50, help="Override simulated years per run.")
BATCH = typer.Option(None, "--batch-size", min=1, max=10_000,
                    help="Runs per task (default: automatic).")
JSON = typer.Option(False, "--json", help="Print the result as one JSON object.")


def _load(experiment: str, n: int | None, trajectories: int | None, replications: int | None,
          years: float | None, scheduler: str | None = None,
          city: str | None = None, burn_in: float | None = None) -> tuple[Experiment, str]:
    check_scheduler(scheduler)
    exp = load_experiment(experiment, n=n, trajectories=trajectories,
                          replications=replications, years=years, city=resolve_city(city),
                          burn_in_years=burn_in)
    suffix = "".join(f"-{k}{v:g}" for k, v in (("n", n), ("t", trajectories),
                                                ("r", replications), ("y", years)) if v)
    return exp, f"{exp.name}{suffix}"


def _sweep(exp: Experiment, out: Path, workers: int | None, scheduler: str | None,
           batch_size: int | None, con: Console) -> SweepStatus:
    """Run the sweep with a progress bar; Ctrl-C stops cleanly (exit 130), keeping runs."""
    n_workers = default_workers() if workers is None else max(1, workers)
    with results_folder(out, sweep_made_by(exp)):
        return _sweep_locked(exp, out, workers, n_workers, scheduler, batch_size, con)


def sweep_made_by(exp: Experiment) -> MadeBy:
    """What a sweep (or sensitivity run) of ``exp`` records in its folder."""
    digest, _ = experiment_hash(exp)
    return MadeBy("sweep", f"a sweep of experiment '{exp.name}' (hash {digest}, "
                           f"{exp.planned_runs():,} runs)",
                  {"experiment": exp.name, "hash": digest})


def _sweep_locked(exp: Experiment, out: Path, workers: int | None, n_workers: int,
                  scheduler: str | None, batch_size: int | None, con: Console) -> SweepStatus:
    freeze_imports()  # cheap per-run gc.collect when runs execute in this process (-w 1)
    executor = make_executor(workers if workers is not None else n_workers, scheduler)
    with ResultStore(out) as store:
        bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]}"), console=con, transient=True)
        start, first = time.perf_counter(), [None]

        def progress(done: int, total: int) -> None:
            if first[0] is None:
                first[0] = done - 1
            new = done - first[0]
            rate = new / max(time.perf_counter() - start, 1e-9)
            eta = (total - done) / rate if rate > 0 else float("inf")
            bar.update(task, completed=done, total=total,
                       rate=f"{rate:.2f} runs/s  ETA {_clock(eta)}")

        try:
            with bar:
                task = bar.add_task(exp.name, total=None, rate="starting…")
                status = run_sweep(exp, store, executor, workers=n_workers,
                                   batch_size=batch_size, on_progress=progress)
        except KeyboardInterrupt:
            executor.shutdown(wait=True, cancel_futures=True)
            done = len(store.finished_run_ids())
            con.print(f"stopped: {done} finished runs are kept in {store.path}. Run the same "
                      "command again to resume.")
            raise typer.Exit(130) from None
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        design = load_design(store)
        export_outcomes(store, design, out)
    if status.failed:
        raise UserError(f"{len(status.failed)} run(s) failed (e.g. {status.failed[0]}); see the "
                        f"'error' column of the runs table in {out / 'runs.sqlite'}. Finished "
                        "runs are kept; re-running retries the failed ones.")
    return status


def _clock(seconds: float) -> str:
    if seconds == float("inf"):
        return "–"
    m, s = divmod(int(seconds + 0.5), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


@app.command()
def sweep(experiment: str = EXPERIMENT_ARG, workers: int = WORKERS, scheduler: str = SCHEDULER,
          out: Path = OUT, n: int = N, trajectories: int = TRAJ, replications: int = REPS,
          years: float = YEARS, batch_size: int = BATCH, city: str = CITY,
          burn_in: float = BURN_IN, as_json: bool = JSON) -> None:
    """Run an experiment's design × replications into the results folder (resumable)."""
    exp, default = _load(experiment, n, trajectories, replications, years, scheduler, city,
                         burn_in)
    out = out or Path("results") / default
    con = out_console(as_json)
    t0 = time.perf_counter()
    status = _sweep(exp, out, workers, scheduler, batch_size, con)
    secs = time.perf_counter() - t0
    result = {"experiment": exp.name, "results_dir": str(out), "runs": status.total,
              "already_done": status.done_before, "ran_now": status.done_now,
              "seconds": secs, "runs_per_second": status.done_now / secs if secs else None}
    if as_json:
        print_json(result)
        return
    con.print(f"{exp.name}: {status.total} runs in {out} ({status.done_before} already done, "
              f"{status.done_now} run now, {result['runs_per_second'] or 0:.2f} runs/s). "
              f"Outcomes per run: {out / 'outcomes.csv'}")


@app.command()
def sensitivity(experiment: str = EXPERIMENT_ARG, workers: int = WORKERS,
                scheduler: str = SCHEDULER, out: Path = OUT, n: int = N,
                trajectories: int = TRAJ, replications: int = REPS, years: float = YEARS,
                batch_size: int = BATCH, city: str = CITY, burn_in: float = BURN_IN,
                as_json: bool = JSON) -> None:
    """Run (or finish) an experiment's sweep, then its sensitivity analysis: tables, figures."""
    exp, default = _load(experiment, n, trajectories, replications, years, scheduler, city,
                         burn_in)
    out = out or Path("results") / default
    con = out_console(as_json)
    _sweep(exp, out, workers, scheduler, batch_size, con)
    with results_folder(out, sweep_made_by(exp)):
        with ResultStore(out) as store:
            design = load_design(store)
            res = analyze(design, outcome_matrix(store, design))
        files = write_tables(res, out) + write_figures(res, out)
    if as_json:
        print_json({"experiment": exp.name, "method": res.method, "results_dir": str(out),
                    "skipped": res.skipped, "files": [str(f) for f in files],
                    "tables": {k: t.to_dict(orient="records") for k, t in res.tables.items()}})
        return
    _print(res, con)
    con.print(f"tables and figures: {', '.join(str(f) for f in files)}")


COLUMNS = {
    "sobol": ["parameter", "S1", "S1_conf", "ST", "ST_conf"],
    "sobol_s2": ["parameter_1", "parameter_2", "S2", "S2_conf"],
    "morris": ["parameter", "mu_star", "mu_star_conf", "sigma", "mu"],
    "rank_correlation": ["parameter", "spearman_rho", "p_value"],
}


def _print(res: Analysis, con: Console) -> None:
    for name, table in res.tables.items():
        if name == "grid":
            t = Table(title="Response per grid point (mean over replications)")
            for c in table.columns:
                t.add_column(c, justify="right")
            for _, r in table.iterrows():
                t.add_row(*(f"{v:,.4g}" for v in r))
            con.print(t)
            continue
        for outcome, part in table.groupby("outcome", sort=False):
            t = Table(title=f"{name.replace('_', ' ')}: {outcome}")
            for c in COLUMNS[name]:
                t.add_column(c, justify="left" if c.startswith("parameter") else "right")
            for _, r in part.iterrows():
                t.add_row(*(r[c] if isinstance(r[c], str) else f"{r[c]:.3f}"
                            for c in COLUMNS[name]))
            con.print(t)
    for outcome, why in res.skipped.items():
        con.print(f"[yellow]skipped[/] {outcome}: {why}")
