"""The executor seam: every batch of runs goes through a ``concurrent.futures.Executor``.

* ``workers=1`` (or 0): an in-process executor — no pickling, easiest to debug;
* ``workers=N``: a local process pool (the default for sweeps);
* ``scheduler="tcp://host:8786"``: an existing Dask cluster, via
  ``distributed.Client(address).get_executor()``;
* ``scheduler="slurm"``: a dask-jobqueue SLURMCluster (``pip install wijksim[slurm]``).

Results never depend on the executor: each run's seed is fixed before it is submitted.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from sim.errors import UserError


class InlineExecutor(Executor):
    """Runs each task at submit time in this process (workers=1)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:  # noqa: D102
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 — delivered through the future
            if isinstance(exc, KeyboardInterrupt):
                raise
            fut.set_exception(exc)
        return fut


def default_workers() -> int:
    """Local worker count: the machine's cores (at least 1)."""
    return max(1, os.cpu_count() or 1)


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Create the executor for a batch (see module docstring)."""
    if scheduler:
        return _dask_executor(scheduler, workers)
    n = default_workers() if workers is None else workers
    if n <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("forkserver"))


def _dask_executor(scheduler: str, workers: int | None) -> Executor:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise UserError(
            "--scheduler needs dask[distributed]; pip install 'dask[distributed]'"
        ) from None
    if scheduler == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise UserError(
                "--scheduler slurm needs dask-jobqueue: pip install 'wijksim[slurm]'"
            ) from None
        cluster = SLURMCluster(cores=1, memory="2GB")
        cluster.scale(jobs=workers or 4)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise UserError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc}). Start one with "
                "'dask scheduler' and workers with 'dask worker <address>', or drop "
                "--scheduler to run on local processes.",
                field="--scheduler",
            ) from None
    ex = client.get_executor()
    ex._wijksim_client = client  # keep the client alive as long as the executor
    return ex
