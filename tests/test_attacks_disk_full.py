"""Issue 19, item 6: a full disk gives exit 74 and one line; finished runs are kept.

ENOSPC is simulated (monkeypatched writes): no test fills a real disk.
"""

from __future__ import annotations

import errno
import sqlite3

from conftest import invoke_cli

import sim.cli.run as run_cli
from sim.core.errors import DISK_FULL_EXIT, DiskFullError, is_disk_full
from sim.runs.store import ResultStore

TINY = ["--years", "0.02", "--burn-in", "0"]


def _one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_disk_full_while_committing_a_run_exit_74_runs_kept(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r"
    n = {"commits": 0}
    orig = ResultStore._add_run

    def full_after_one(self, record, *, detail):  # noqa: ANN001, ANN202
        n["commits"] += 1
        if n["commits"] > 1:
            raise sqlite3.OperationalError("database or disk is full")
        return orig(self, record, detail=detail)

    monkeypatch.setattr(ResultStore, "_add_run", full_after_one)
    code, _, err = invoke_cli(["run", "baseline", "-r", "3", *TINY, "--out", str(out)],
                              capsys, monkeypatch)
    line = _one_line(err)
    assert code == DISK_FULL_EXIT == 74, err
    assert "disk full" in line and "could not write run" in line, line
    assert "finished runs are kept" in line and "free some space" in line, line
    monkeypatch.undo()
    with ResultStore(out, read_only=True) as store:
        assert len(store.finished_run_ids()) == 1, "the run committed before is kept"


def test_enospc_anywhere_is_disk_full_not_an_internal_error(tmp_path, capsys, monkeypatch):
    def no_space(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "summary.csv"))

    monkeypatch.setattr(run_cli, "export_csv", no_space)
    code, _, err = invoke_cli(["run", "baseline", *TINY, "--out", str(tmp_path / "x")],
                              capsys, monkeypatch)
    line = _one_line(err)
    assert code == 74, err
    assert "internal error" not in line and "summary.csv" in line, line


def test_zero_byte_store_on_a_full_disk_is_empty_not_corrupt(tmp_path, capsys, monkeypatch):
    out = tmp_path / "full"
    out.mkdir()
    (out / "runs.sqlite").write_bytes(b"")  # what a full disk leaves
    real = sqlite3.connect

    class FullDisk:
        """A connection whose every write finds the disk full."""

        def __init__(self, con: sqlite3.Connection):
            self._con = con

        def execute(self, sql, *a):  # noqa: ANN001, ANN002, ANN202
            if not sql.lstrip().upper().startswith(("PRAGMA QUICK_CHECK", "SELECT")):
                raise sqlite3.OperationalError("database or disk is full")
            return self._con.execute(sql, *a)

        def executescript(self, sql):  # noqa: ANN001, ANN202
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            self._con.close()

    monkeypatch.setattr("sim.runs.store.sqlite3.connect",
                        lambda *a, **k: FullDisk(real(*a, **k)))
    code, _, err = invoke_cli(["run", "baseline", *TINY, "--out", str(out)], capsys,
                              monkeypatch)
    line = _one_line(err)
    assert code == 74, err
    assert "corrupt" not in line and "Move it aside" not in line, line
    assert "disk full" in line
    # and once space is back, the 0-byte store is simply taken as empty
    monkeypatch.undo()
    (out / "runs.sqlite").write_bytes(b"")
    with ResultStore(out) as store:
        assert store.count_runs() == 0


def test_disk_full_is_recognised_in_both_forms():
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(sqlite3.OperationalError("database or disk is full"))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert DiskFullError("x").exit_code == 74
