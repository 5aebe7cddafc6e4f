"""Sweeps: an experiment's design points × replications, run through the executor seam.

Runs go through :func:`sim.runs.executors.make_executor` and :func:`sim.runs.runner.run_specs`,
several per task. Seeds derive from the master seed and the replication only (common
random numbers: a design point and its reference run share their random streams). When
the experiment asks for outcomes against the reference, the reference runs go first.
Every run is committed as it arrives, with its outcomes in its summary (one transaction),
so Ctrl-C or a crash loses no finished run. Re-running skips finished runs (and retries
failed ones); a changed experiment is refused (see :mod:`sim.analysis.design`).

An experiment with policies runs every policy in every world instead (run ids by world,
policy and replication; see :mod:`sim.analysis.policies`), through the same executors,
store, resume and progress.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim import __version__
from sim.analysis.design import (
    REFERENCE,
    design_run_id,
    open_design,
    parse_run_id,
    reference_run_id,
)
from sim.analysis.experiment import Experiment, apply_values
from sim.analysis.outcomes import REFERENCE_OUTCOMES, compute_outcomes, mean_yearly_cost
from sim.analysis.policies import plan as policy_plan
from sim.analysis.policies import policy_run_id, run_policies
from sim.core.errors import UserError
from sim.model.scenario import Scenario
from sim.runs.runner import RunRecord, RunSpec, chunked, map_batches, run_specs
from sim.runs.seeds import replication_seed
from sim.runs.store import ResultStore

#: A pluggable evaluation: parameter values and a run seed -> outcome values.
Evaluate = Callable[[dict[str, float], int], dict[str, float]]


@dataclass
class SweepStatus:
    """How far a sweep got."""

    total: int  # runs in the plan (design runs and reference runs)
    done_before: int  # already in the store when this call started
    done_now: int  # committed by this call
    failed: list[str]  # run ids that failed in this call

    @property
    def complete(self) -> bool:
        """Every planned run is in the store."""
        return self.done_before + self.done_now == self.total and not self.failed


def _committer(store: ResultStore, status: SweepStatus,
               on_progress: Callable[[int, int], None] | None) -> Callable[[RunRecord], None]:
    """Store each finished run as it ends, count it in ``status`` and report progress."""
    def commit(rec: RunRecord) -> None:
        store.add_run(rec, detail=False)
        if rec.status == "done":
            status.done_now += 1
        else:
            status.failed.append(rec.run_id)
        if on_progress:
            on_progress(status.done_before + status.done_now, status.total)

    return commit


def auto_batch_size(n_runs: int, workers: int, years: float) -> int:
    """Runs per task: about a second of work, but at least 4 tasks per worker."""
    per_run = 0.02 + 0.3 * years  # rough seconds per run (baseline: ~0.25 s per year)
    by_time = max(1, round(1.0 / per_run))
    by_balance = max(1, math.ceil(n_runs / (4 * max(1, workers))))
    return int(min(by_time, by_balance, 64))


def run_sweep(exp: Experiment, store: ResultStore, executor: Executor, *,
              workers: int = 1, batch_size: int | None = None, evaluate: Evaluate | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> SweepStatus:
    """Run every planned run not yet in ``store`` and commit each as it arrives.

    ``evaluate`` replaces the model by a function of the parameter values (for tests with
    known answers); the design, run ids, store and analysis stay the same.
    ``on_progress(done, total)`` is called after every commit.
    """
    design = open_design(exp, store)
    finished = store.finished_run_ids()
    if exp.policies:
        if evaluate is not None:
            raise ValueError("policies need the model, not an evaluate function")
        return _run_policies(exp, design, store, executor, finished, workers, batch_size,
                             on_progress)
    reps = range(exp.replications)
    refs = [reference_run_id(r) for r in reps] if exp.needs_reference() else []
    if refs and evaluate is not None:
        raise ValueError("reference outcomes need the model, not an evaluate function")
    plan = [(row, r) for row in range(len(design.X)) for r in reps]
    total = len(plan) + len(refs)
    status = SweepStatus(total, len(finished & ({*refs} | {design_run_id(*p) for p in plan})),
                         0, [])
    years = exp.years if exp.years is not None else exp.base_scenario().years
    size = batch_size or exp.batch_size or auto_batch_size(total, workers, years)

    commit = _committer(store, status, on_progress)

    todo = [p for p in plan if design_run_id(*p) not in finished]
    if evaluate is not None:
        tasks = [(design_run_id(row, r), row, r, dict(zip(design.names, design.X[row].tolist(),
                                                          strict=True))) for row, r in todo]
        _run_tasks(executor, evaluate, tasks, exp, commit, size)
        return status
    base = exp.base_scenario()
    missing_refs = [r for r in reps if refs and reference_run_id(r) not in finished]
    if missing_refs:  # references first: the design runs' outcomes compare with them
        ref_sc = exp.reference_scenario()
        ref_cost = mean_yearly_cost(ref_sc, exp.years)
        specs = [RunSpec(ref_sc, exp.master_seed, r, years=exp.years, run_id=reference_run_id(r),
                         group=REFERENCE, detail=False) for r in missing_refs]
        run_specs(specs, executor, _with_outcomes(exp, commit, {}, ref_cost, None), 1)
    ref_summaries = _reference_summaries(store, refs)
    ref_cost = mean_yearly_cost(exp.reference_scenario(), exp.years) if refs else 0.0
    scenarios: dict[int, Scenario] = {}
    for row, _ in todo:
        if row not in scenarios:
            values = dict(zip(design.names, design.X[row].tolist(), strict=True))
            try:
                scenarios[row] = apply_values(base, values)
            except UserError as exc:
                raise UserError(f"design point {row} ({values}) is not a valid scenario: {exc}",
                                file=exp.source or None) from None
    costs = {row: mean_yearly_cost(sc, exp.years) if refs else 0.0
             for row, sc in scenarios.items()}
    specs = [RunSpec(scenarios[row], exp.master_seed, r, years=exp.years,
                     run_id=design_run_id(row, r), group=f"d{row:06d}", detail=False)
             for row, r in todo]
    run_specs(specs, executor, _with_outcomes(exp, commit, costs, ref_cost, ref_summaries), size)
    return status


def _run_policies(exp: Experiment, design: Any, store: ResultStore, executor: Executor,
                  finished: set[str], workers: int, batch_size: int | None,
                  on_progress: Callable[[int, int], None] | None) -> SweepStatus:
    """Every policy in every world (see :mod:`sim.analysis.policies`), committed as it ends."""
    runs = policy_plan(design)
    ids = [policy_run_id(*p) for p in runs]
    status = SweepStatus(len(runs), len(finished.intersection(ids)), 0, [])
    size = batch_size or exp.batch_size or auto_batch_size(len(runs), workers, exp.years or 1)

    commit = _committer(store, status, on_progress)

    todo = [p for p, rid in zip(runs, ids, strict=True) if rid not in finished]
    run_policies(exp, design, todo, executor, commit, size)
    return status


def _reference_summaries(store: ResultStore, refs: list[str]) -> dict[int, dict[str, Any]]:
    if not refs:
        return {}
    runs = store.runs(group=REFERENCE)
    done = runs[runs["status"] == "done"]
    got = {parse_run_id(rid)[1]: s for rid, s in zip(done["run_id"], done["summary"],
                                                      strict=True)}
    missing = [r for r in refs if parse_run_id(r)[1] not in got]
    if missing:
        err = runs.loc[runs["status"] != "done", "error"].dropna()
        why = f": {err.iloc[0]}" if len(err) else ""
        raise UserError(f"the reference run {missing[0]} failed{why}; the outcomes that "
                        "compare with the reference cannot be computed.")
    return got


def _with_outcomes(exp: Experiment, commit: Callable[[RunRecord], None],
                   costs: dict[int, float], ref_cost: float,
                   refs: dict[int, dict[str, Any]] | None) -> Callable[[RunRecord], None]:
    """An ``on_record`` that adds the outcomes to each summary before committing it."""
    def on_record(rec: RunRecord) -> None:
        if rec.status == "done":
            row, rep = parse_run_id(rec.run_id)
            if row is None:  # a reference run records the outcomes that need no reference
                names = [o for o in exp.outcomes if o not in REFERENCE_OUTCOMES]
                rec.summary["outcomes"] = compute_outcomes(names, rec.summary, ref_cost, None, 0)
            else:
                ref = refs.get(rep) if refs else None
                rec.summary["outcomes"] = compute_outcomes(exp.outcomes, rec.summary,
                                                           costs.get(row, 0.0), ref, ref_cost)
        commit(rec)
    return on_record


def _evaluate_batch(evaluate: Evaluate, master_seed: int,
                    tasks: list[tuple[str, int, int, dict[str, float]]]) -> list[RunRecord]:
    """Evaluate a batch of design runs with a plain function (executor task)."""
    out = []
    for run_id, row, rep, values in tasks:
        seed = replication_seed(master_seed, rep)
        start, t0 = dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), time.perf_counter()
        result = {k: float(v) for k, v in evaluate(values, seed).items()}
        out.append(RunRecord(
            run_id=run_id, group=f"d{row:06d}", scenario=getattr(evaluate, "__name__", "f"),
            scenario_hash="", params=values, master_seed=master_seed, replication=rep,
            seed=seed, years=0.0, package_version=__version__, started_at=start,
            finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), status="done",
            summary={"outcomes": result}, seconds=time.perf_counter() - t0))
    return out


def _run_tasks(executor: Executor, evaluate: Evaluate, tasks: list, exp: Experiment,
               commit: Callable[[RunRecord], None], size: int) -> None:
    def keep_outcomes(rec: RunRecord) -> None:
        rec.summary["outcomes"] = {k: rec.summary["outcomes"][k] for k in exp.outcomes}
        commit(rec)

    map_batches(executor, functools.partial(_evaluate_batch, evaluate, exp.master_seed),
                chunked(tasks, size), keep_outcomes)


# ---- summary -----------------------------------------------------------------------------------
#: Up to this many design points a sweep's summary lists them all; beyond, the extremes.
SUMMARY_ALL = 12
#: Points at each end of the main outcome when the summary shows only the extremes.
SUMMARY_EACH = 5


def point_summary(names: list[str], X: Any, Y: pd.DataFrame, main: str | None = None,
                  few: int = SUMMARY_ALL, each: int = SUMMARY_EACH) -> pd.DataFrame:
    """Design points with their parameter values and mean outcomes, for a summary table.

    All points when there are at most ``few``; otherwise the ``each`` lowest and ``each``
    highest on ``main`` (default: the first outcome with a value anywhere), lowest first.
    Columns: ``point`` (design row), the parameters, the outcomes. ``attrs``: ``main``,
    ``shown`` ("all" or "extremes"), ``points`` (how many in the design).
    """
    frame = pd.DataFrame(X, columns=names)
    frame.insert(0, "point", range(len(frame)))
    frame = pd.concat([frame, Y.reset_index(drop=True)], axis=1)
    if main is None:
        main = next((c for c in Y.columns if Y[c].notna().any()), None)
    if main is not None:
        frame = frame.sort_values(main, kind="stable", na_position="last")
    shown = "all"
    if len(frame) > few:
        defined = frame[frame[main].notna()] if main is not None else frame
        frame = pd.concat([defined.head(each), defined.tail(each)]).drop_duplicates("point")
        shown = "extremes"
    frame = frame.reset_index(drop=True)
    frame.attrs.update(main=main, shown=shown, points=len(X))
    return frame
