"""Running scenarios: seeds, replications, batches through an executor, into the store.

Seeds come from :mod:`sim.runs.seeds`: the same scenario, master seed and replication give
identical numbers on any executor.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any

from sim import __version__
from sim.core.errors import UserError
from sim.model.city import City, load_city
from sim.model.metrics import summarize
from sim.model.model import RunOutput, WijkModel
from sim.model.scenario import Scenario
from sim.runs.executors import default_workers
from sim.runs.seeds import MAX_SEED, replication_seed


@functools.lru_cache(maxsize=8)
def cached_city(city: str) -> City:
    """Load a city once per process."""
    return load_city(city)


def check_spec(spec: RunSpec) -> None:
    """Check, before any run starts, what would otherwise fail only when a run is stored."""
    if not 0 <= spec.master_seed <= MAX_SEED:
        raise UserError(f"master seed {spec.master_seed} is out of range; allowed: 0 to "
                        f"{MAX_SEED:,} (2^63 - 1).", field="--seed")
    if not 0 <= spec.replication <= MAX_SEED:
        raise UserError(f"replication {spec.replication} is out of range.", field="replication")


@dataclass
class RunSpec:
    """Everything one run needs; picklable, so it can travel to any executor."""

    scenario: Scenario
    master_seed: int
    replication: int
    years: float | None = None  # None: the scenario's own horizon
    run_id: str = ""
    group: str = ""  # e.g. the scenario name in a comparison, the design point in a sweep
    detail: bool = True  # keep daily counts and events (False for large sweeps)

    def __post_init__(self) -> None:
        if not self.run_id:
            self.run_id = f"{self.scenario.name}-r{self.replication:04d}"


@dataclass
class RunRecord:
    """A finished (or failed) run with its provenance."""

    run_id: str
    group: str
    scenario: str
    scenario_hash: str
    params: dict[str, Any]
    master_seed: int
    replication: int
    seed: int
    years: float
    package_version: str
    started_at: str
    finished_at: str
    status: str
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    output: RunOutput | None = None
    seconds: float = 0.0


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def execute(spec: RunSpec) -> RunRecord:
    """Run one spec in this process."""
    scenario = spec.scenario
    if spec.years is not None and spec.years != scenario.years:
        scenario = scenario.model_copy(update={"years": spec.years})
    seed = replication_seed(spec.master_seed, spec.replication)
    started = _now()
    t0 = time.perf_counter()
    base = dict(
        run_id=spec.run_id, group=spec.group or scenario.name, scenario=scenario.name,
        scenario_hash=scenario.content_hash(), params=scenario.params(),
        master_seed=spec.master_seed, replication=spec.replication, seed=seed,
        years=scenario.years, package_version=__version__, started_at=started,
    )
    try:
        model = WijkModel(scenario, cached_city(scenario.city), seed=seed)
        out = model.run()
        gebied = {w.code: scenario.gebied_of_wijk.get(w.code, w.gebied)
                  for w in model.city.wijken}
        summary = summarize(out, gebied, scenario.start_year)
    except Exception as exc:  # noqa: BLE001 — recorded as a failed run, never lost silently
        return RunRecord(**base, finished_at=_now(), status="failed",
                         error="".join(traceback.format_exception_only(exc)).strip(),
                         seconds=time.perf_counter() - t0)
    del model
    gc.collect()  # agents and model form cycles; free the arrays before the next run
    return RunRecord(**base, finished_at=_now(), status="done", summary=summary,
                     output=out if spec.detail else None, seconds=time.perf_counter() - t0)


def execute_batch(specs: list[RunSpec]) -> list[RunRecord]:
    """Run several specs in one task (keeps per-task overhead small on a cluster)."""
    return [execute(s) for s in specs]


def chunked(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive chunks of at most ``size`` items."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def in_flight_limit(executor: Executor) -> int:
    """How many batches to keep submitted at once: enough to keep every worker busy.

    An executor may say so itself (``max_in_flight``); a process pool gets two per worker.
    A bounded window keeps memory flat on long sweeps and means a Ctrl-C leaves little
    unfinished work; with one in-process worker, each batch is committed before the next.
    """
    limit = getattr(executor, "max_in_flight", None)
    if limit is None:
        limit = 2 * (getattr(executor, "_max_workers", None) or default_workers())
    return max(1, int(limit))


def map_batches(
    executor: Executor,
    fn: Callable[[list[Any]], list[Any]],
    batches: Iterable[list[Any]],
    on_result: Callable[[Any], None],
) -> None:
    """Run ``fn(batch)`` for every batch through ``executor``, results handed on at once.

    Each item of each result goes to ``on_result``, in this process, as soon as its batch
    finishes.
    On any exception (Ctrl-C included) the batches not yet finished are cancelled and the
    exception propagates; everything handed to ``on_result`` before stays handed.
    """
    todo = iter(batches)
    limit = in_flight_limit(executor)
    pending: set[Future] = set()

    def fill() -> None:
        while len(pending) < limit and (batch := next(todo, None)) is not None:
            pending.add(executor.submit(fn, batch))

    try:
        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                pending.discard(fut)
                for item in fut.result():
                    on_result(item)
            fill()
    except BaseException:
        for f in pending:
            f.cancel()
        raise


def run_specs(
    specs: Iterable[RunSpec],
    executor: Executor,
    on_record: Callable[[RunRecord], None],
    batch_size: int = 1,
) -> None:
    """Run specs in batches; hand every finished record to ``on_record`` at once.

    ``on_record`` (typically ``store.add_run``) is called in this process, as results arrive,
    so finished runs are committed even if the batch is interrupted later (see
    :func:`map_batches`).
    """
    map_batches(executor, execute_batch, chunked(list(specs), max(1, batch_size)), on_record)
