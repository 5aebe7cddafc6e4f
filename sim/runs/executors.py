"""The executor seam: every batch of runs goes through a ``concurrent.futures.Executor``.

* ``workers=1`` (or 0): an in-process executor — no pickling, easiest to debug;
* ``workers=N``: a local process pool (the default for sweeps);
* ``scheduler="tcp://host:8786"``: an existing Dask cluster, via
  ``distributed.Client(address).get_executor()``;
* ``scheduler="slurm"``: a dask-jobqueue SLURMCluster (``pip install wijksim[slurm]``).

Results never depend on the executor: each run's seed is fixed before it is submitted.

Ctrl-C reaches only the parent process: local pool workers ignore SIGINT, so the parent
cancels what has not started, lets running batches end, and keeps every committed run.

Workers (local and Dask) import the model once at start-up and freeze the objects alive
then (``gc.freeze``): :func:`sim.runs.runner.execute` runs a full garbage collection after every
run, and without the freeze each collection rescans the ~100,000 long-lived objects of
the imported libraries (about 25 ms per run in a pool worker, 40 ms in a Dask worker).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import signal
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from sim.core.errors import UserError


class InlineExecutor(Executor):
    """Runs each task at submit time in this process (workers=1)."""

    max_in_flight = 1  # a task has finished when submit returns: commit it before the next

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
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_pool_worker_init, initargs=(os.getpid(),))


def freeze_imports() -> None:
    """Import the model and hide every object alive now from the garbage collector.

    Modules, classes and other import-time objects live as long as the process, so the
    per-run ``gc.collect()`` need not scan them; objects created later are collected as usual.
    """
    import sim.model.metrics  # noqa: F401  (what a run needs: numpy, scipy, mesa, pandas)
    import sim.model.model  # noqa: F401

    gc.collect()
    gc.freeze()


def _pool_worker_init(parent_pid: int | None = None) -> None:
    """Pool worker start-up: leave Ctrl-C to the parent; exit when the parent is gone.

    A worker's own parent is the forkserver, not the command, so a watchdog thread checks
    the command's process every :data:`PARENT_CHECK_SECONDS`: when it has died (SIGKILL,
    a crash), the worker exits at once instead of running on as an orphan; the forkserver
    and the resource tracker then end too, as their last clients are gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True,
                         name="wijksim-parent-watch").start()
    freeze_imports()


#: How often a pool worker checks that the command that started it still runs (seconds).
PARENT_CHECK_SECONDS = 0.5


def _parent_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else (pid reused): treat as gone
        return False
    try:  # a zombie (killed, not yet reaped) counts as gone
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _exit_with_parent(pid: int) -> None:
    while _parent_alive(pid):
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


class DaskExecutor(Executor):
    """A Dask ``Client``'s executor that closes the client (and its cluster) on shutdown.

    Tasks are submitted with ``pure=False``: every batch is distinct work, so Dask need not
    hash the arguments to deduplicate them.
    """

    def __init__(self, client: Any, cluster: Any = None):
        self.client = client
        self._cluster = cluster
        self._ex = client.get_executor(pure=False)
        try:
            client.register_plugin(_freeze_plugin())
        except Exception:  # noqa: BLE001 — an optimisation only; never block a sweep on it
            pass

    @property
    def max_in_flight(self) -> int:
        """Batches to keep queued: two per worker thread, and plenty while workers join."""
        try:
            threads = sum(self.client.nthreads().values())
        except Exception:  # noqa: BLE001 — an unreachable scheduler shows up at submit
            threads = 0
        return max(64, 2 * threads)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:  # noqa: D102
        return self._ex.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Wait for (or, with ``cancel_futures``, cancel) the tasks; close the client."""
        self._ex.shutdown(wait=wait and not cancel_futures)
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _freeze_plugin() -> Any:
    """A Dask worker plugin running :func:`freeze_imports` on every worker, also later ones.

    Defined here so ``distributed`` is imported only when a scheduler is used; Dask sends
    the class by value (cloudpickle).
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class FreezeImports(WorkerPlugin):
        name = "wijksim-freeze-imports"
        idempotent = True

        def setup(self, worker: Any) -> None:
            freeze_imports()

    return FreezeImports()


#: A Dask scheduler address: ``[protocol://]host:port``.
SCHEDULER_RE = re.compile(r"^(?:(tcp|tls|ws|wss|ucx|inproc)://)?(\[[0-9a-fA-F:]+\]|[\w.-]+)"
                          r":(\d{1,5})$")


def check_scheduler(scheduler: str | None) -> None:
    """Refuse a ``--scheduler`` that is neither 'slurm' nor ``[tcp://]host:port``."""
    if scheduler is None or scheduler == "slurm":
        return
    m = SCHEDULER_RE.match(scheduler)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise UserError(f"'{scheduler}' is not a Dask scheduler address. Allowed: "
                        "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), HOST:PORT, or 'slurm'.",
                        field="--scheduler")


def _dask_executor(scheduler: str, workers: int | None) -> Executor:
    check_scheduler(scheduler)
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
        return DaskExecutor(Client(cluster), cluster)
    _scheduler_handshake(scheduler, SCHEDULER_TIMEOUT_S)
    import dask

    try:
        with dask.config.set({"distributed.comm.timeouts.connect": f"{SCHEDULER_TIMEOUT_S}s"}):
            client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
    except Exception as exc:  # noqa: BLE001 — any failure to start is the address's fault
        raise _scheduler_error(scheduler, f"it failed when the client started ({exc})") from None
    return DaskExecutor(client)


#: Seconds allowed to connect to a Dask scheduler and complete its handshake (each step).
SCHEDULER_TIMEOUT_S = 8


def _scheduler_error(scheduler: str, why: str) -> UserError:
    return UserError(f"cannot use the Dask scheduler at {scheduler}: {why}. Start one with "
                     "'dask scheduler' and workers with 'dask worker <address>', or drop "
                     "--scheduler to run on local processes.", field="--scheduler")


def _scheduler_handshake(address: str, timeout_s: float) -> None:
    """Check ``address`` with Dask's own connect and handshake, bounded in time.

    ``distributed.comm.connect`` retries until its connect timeout (refused, unroutable),
    then exchanges Dask's handshake; an ``identity`` request must be answered by a
    scheduler. Dask bounds only the connect, so the whole exchange is bounded here too:
    a listener that never answers (an HTTP server waiting for a request) or one that speaks
    another protocol (an SSH banner read as a frame length) ends in one line, not a hang or
    a ``MemoryError``.
    """
    import asyncio

    from distributed.comm import connect

    _probe_tcp(address, timeout_s)

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout_s)  # connect, then Dask's handshake
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(identity(), timeout_s + 2))
    except TimeoutError:  # connect gives up (OSError) sooner: this was the handshake
        raise _scheduler_error(address, "something accepted the connection but gave no Dask "
                                        f"handshake within {timeout_s + 2:g} s (not a Dask "
                                        "scheduler?)") from None
    except OSError as exc:
        raise _scheduler_error(address, _connect_failure(exc, timeout_s)) from None
    except (Exception, MemoryError) as exc:  # noqa: BLE001 — bytes that are not Dask's
        raise _scheduler_error(address, "it answered, but not in Dask's protocol (wrong "
                                        f"service on that port?: {type(exc).__name__})"
                               ) from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        kind = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise _scheduler_error(address, f"it speaks Dask but is a {kind}, not a scheduler")


def _probe_tcp(address: str, timeout_s: float) -> None:
    """One plain TCP connect first: a refused port is told at once, on any machine load.

    Dask's connect retries a refused port until its time-out and may then report only the
    time-out; the operating system's answer to one connect is definitive.
    """
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "") or parts.hostname is None or parts.port is None:
        return  # tls://, inproc:// and the like: Dask's own connect judges them
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout_s):
            pass
    except OSError as exc:  # refused, timed out, unreachable: in words
        raise _scheduler_error(address, _connect_failure(exc, timeout_s)) from None


def _connect_failure(exc: OSError, timeout_s: float) -> str:
    """Why a connection failed, in words: refused, timed out (unroutable), or closed."""
    text = str(exc)
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, ConnectionRefusedError) or isinstance(cause, ConnectionRefusedError) \
            or "refused" in f"{text} {cause}".lower():
        return "the connection was refused (nothing listens on that port)"
    if "Timed out" in text or isinstance(exc, TimeoutError) or isinstance(cause, TimeoutError):
        return (f"no connection within {timeout_s:g} s (unroutable address, firewall, "
                "or nothing listening)")
    if "closed" in text.lower() or type(exc).__name__ == "CommClosedError":
        return "the other side closed the connection during Dask's handshake (not a Dask "\
               "scheduler?)"
    return f"the connection failed ({text})"
