"""Results folders: each records what made it, is locked while written, and is never mixed.

A command that writes runs (``sim run``, ``compare``, ``sweep``, ``sensitivity``,
``calibrate``) claims its folder with :func:`results_folder`:

1. the target must be a new or empty folder, or a Wijksim results folder (one holding
   ``runs.sqlite``); a file, or a folder of other files, is refused;
2. the folder is locked (``flock`` on ``.wijksim.lock``, released by the kernel when the
   process ends, however it ends); a second command gets one line naming the holder;
3. the store's ``made_by`` record (command, scenario or experiment hash, seed, horizon,
   replications) is written on first use and compared on every later use: only an exact
   resume is let through; anything else is refused with one line saying what the folder
   holds (exit 2), so no run is ever overwritten or mixed with another command's runs.

A folder is claimed only by a command that started running: when the ``with`` block ends
in an error (a scheduler that cannot be reached, Ctrl-C, a bad option found late) before
any run was committed, the store this command created is removed again (and the folder,
when this command created it), so nothing records the failed command as its maker. A
store that records a maker but holds no run may be taken by any command.

The last claimed folder is kept in :data:`LAST_CLAIMED`, so the entry point can say, after
a Ctrl-C, how many runs are kept there and which command resumes them.

Provenance: the record keeps the command line that created the folder (``created_by``:
command and time) and, as separate entries, every command line that resumed it
(``resumed_by``: a list of command and time); :func:`folder_history` reads them back.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import DiskFullError, UserError, is_disk_full
from sim.runs.store import STORE_NAME, ResultStore

LOCK_NAME = ".wijksim.lock"
MADE_BY = "made_by"
#: Keys of the stored record that say who wrote when; not part of what must match.
HISTORY_KEYS = ("created_by", "resumed_by")


def command_line(argv: list[str] | None = None) -> str:
    """The command line of this process as a user would type it again (``sim run …``)."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return ""
    head = "sim" if Path(argv[0]).name in ("sim", "__main__.py") else argv[0]
    return " ".join([head, *(shlex.quote(a) for a in argv[1:])])


def _entry(argv: str) -> dict[str, str]:
    return {"command": argv, "at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


@dataclass(frozen=True)
class MadeBy:
    """What writes into a results folder; ``identity`` must match for a resume."""

    command: str  # run | compare | sweep | calibrate
    summary: str  # one line for people: "sim run baseline, seed 42, 1 replication, 4 years"
    identity: dict[str, Any] = field(default_factory=dict)
    #: The command line as typed (default: this process's); provenance, not identity.
    argv: str = ""

    def record(self) -> dict[str, Any]:
        """The JSON-normalised record stored in the folder."""
        return json.loads(json.dumps({"command": self.command, "summary": self.summary,
                                      "identity": self.identity}, sort_keys=True))


def _check_target(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError("exists and is not a folder; give a new or empty folder, or a "
                        "Wijksim results folder to resume.", file=str(folder), field="--out")
    if folder.is_dir() and not (folder / STORE_NAME).exists():
        others = sorted(p.name for p in folder.iterdir() if p.name != LOCK_NAME)
        if others:
            shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
            raise UserError(f"holds files that are not Wijksim results ({shown}); give a new "
                            "or empty folder.", file=str(folder), field="--out")


@contextmanager
def folder_lock(folder: Path) -> Iterator[Callable[[str], None]]:
    """Hold an exclusive lock on ``folder`` (released when the process ends, in any way).

    Yields a function that records who holds the lock (shown to a second command); it is
    called only once the folder is known to be ours, so a refused command changes nothing.
    """
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(f"the lock file {path}") from None
        raise UserError(f"cannot write in the results folder ({exc.strerror}); is it "
                        "read-only? Choose another --out.", file=str(folder),
                        field="--out") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            raise UserError(f"is in use by {holder}; wait until it ends, or choose another "
                            "--out.", file=str(folder), field="--out") from None

        def record_holder(summary: str) -> None:
            info = json.dumps({"pid": os.getpid(), "command": summary,
                               "since": dt.datetime.now().isoformat(timespec="seconds")})
            os.ftruncate(fd, 0)
            os.pwrite(fd, info.encode(), 0)

        yield record_holder
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"process {info['pid']} ({info['command']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another Wijksim command"


def check_claim(store: ResultStore, made_by: MadeBy) -> tuple[dict[str, Any] | None, int]:
    """Raise :class:`UserError` when ``made_by`` may not write into ``store``; reads only.

    Returns the stored record (None when there is none) and the number of runs.
    """
    new = made_by.record()
    old = store.get_meta(MADE_BY)
    n_runs = store.count_runs()
    if old is None or n_runs == 0:
        if n_runs:
            raise UserError(f"holds {n_runs} run(s) made by an older Wijksim that did not "
                            "record what made them; choose another --out.",
                            file=str(store.folder), field="--out")
        return old, n_runs
    if old.get("command") != new["command"] or old.get("identity") != new["identity"]:
        diff = (_difference(old.get("identity", {}), new["identity"])
                if old.get("command") == new["command"] else "")
        raise UserError(f"holds {old.get('summary', 'other runs')}; this command would add "
                        f"{new['summary']}{diff}. Only an exact resume may write here: choose "
                        "another --out, or delete the folder to start over.",
                        file=str(store.folder), field="--out")
    return old, n_runs


def claim(store: ResultStore, made_by: MadeBy) -> bool:
    """Record ``made_by`` in a new store, or check it against the stored one.

    Returns True when the folder already held runs of the same command (a resume).
    Raises :class:`UserError` when the folder holds anything else. A store without runs
    belongs to nobody: its record (left by a start that failed) is replaced.
    """
    new = made_by.record()
    old, n_runs = check_claim(store, made_by)
    argv = made_by.argv or command_line()
    if old is None or n_runs == 0:
        store.set_meta(MADE_BY, {**new, "created_by": _entry(argv)})
        return False
    # a resume: recorded as its own entry, the creating command stays as it was
    store.set_meta(MADE_BY, {**old, "resumed_by": [*old.get("resumed_by", []), _entry(argv)]})
    return n_runs > 0


def folder_history(store: ResultStore) -> dict[str, Any]:
    """Who wrote into the folder: ``created_by`` (command, at) and ``resumed_by`` (a list).

    ``created_by`` is None for a folder made before Wijksim recorded command lines.
    """
    rec = store.get_meta(MADE_BY) or {}
    return {"created_by": rec.get("created_by"), "resumed_by": list(rec.get("resumed_by", []))}


def _difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    if not keys or not isinstance(old, dict):
        return ""
    return " (differs in: " + ", ".join(keys) + ")"


@dataclass
class Claimed:
    """The folder a command claimed last: where its runs are, and what resumes them."""

    folder: Path
    argv: str


#: The last folder claimed by this process (None before any); read after a Ctrl-C.
LAST_CLAIMED: Claimed | None = None


def resume_command(claimed: Claimed) -> str:
    """The command line that resumes ``claimed``: as typed, with ``--out`` when missing."""
    argv = claimed.argv
    if "--out" not in shlex.split(argv):
        argv += f" --out {shlex.quote(str(claimed.folder))}"
    return argv


def announce(text: str) -> None:
    """Say one line on stderr (stdout may carry JSON). The CLI may replace this."""
    print(text, file=sys.stderr)


def _remove_unused(folder: Path, created_folder: bool) -> None:
    """Remove a store this command created that holds no run (a start that failed)."""
    store_path = folder / STORE_NAME
    try:
        empty = store_path.stat().st_size == 0
    except OSError:
        empty = False
    try:
        if not empty:
            with ResultStore(folder, read_only=True) as store:
                if store.count_runs():
                    return
    except UserError:
        return  # not ours to judge: leave it
    for suffix in ("", "-wal", "-shm", "-journal"):
        store_path.with_name(STORE_NAME + suffix).unlink(missing_ok=True)
    if created_folder:
        (folder / LOCK_NAME).unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass


@contextmanager
def results_folder(folder: str | Path, made_by: MadeBy, *,
                   announce_resume: bool = True) -> Iterator[Path]:
    """Claim ``folder`` for ``made_by`` (see the module docstring) for the ``with`` block.

    A resume says how many runs it found done (unless ``announce_resume`` is False: a
    command that claims its folder a second time, after its own runs).
    """
    global LAST_CLAIMED
    folder = Path(folder)
    _check_target(folder)
    created_folder = not folder.exists()
    created_store = not (folder / STORE_NAME).exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(f"the results folder {folder}") from None
        raise UserError(f"cannot create the results folder ({exc.strerror}).",
                        file=str(folder), field="--out") from None
    try:
        with folder_lock(folder) as record_holder:
            if not created_store and (folder / STORE_NAME).stat().st_size > 0:
                # a folder that holds another command's runs is refused before it is opened
                # for writing: opening a store to write changes its bytes
                with ResultStore(folder, read_only=True) as peek:
                    check_claim(peek, made_by)
            try:
                with ResultStore(folder) as store:
                    resumed = claim(store, made_by)
                    done = len(store.finished_run_ids())
                record_holder(made_by.summary)
                LAST_CLAIMED = Claimed(folder, made_by.argv or command_line())
                if resumed and done and announce_resume:
                    from sim.core.userlang import say

                    announce(say("resumed", n=done, folder=folder))
                yield folder
            except BaseException:
                if created_store:
                    _remove_unused(folder, created_folder)
                raise
    except BaseException:
        if created_folder and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise
