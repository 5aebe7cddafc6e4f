"""The embedded result store: one SQLite file per results folder, the source of truth.

Tables:

* ``runs`` — one row per finished run with its provenance (scenario name and content
  hash, parameters, master seed, replication, run seed, package version, start/end time,
  status) and its summary metrics as JSON;
* ``daily`` — per run, day and wijk: woninginbraken (attempts included), completed,
  arrests at a burglary, offender-focused arrests (by the offender's base wijk); only days
  with a count are stored, absent rows are zeros;
* ``events`` — per run, the burglary event list (tick, grid cell, wijk, completed,
  arrested, offender);
* ``meta`` — key/value facts about the folder (e.g. an experiment's hash).

Each run is written in one transaction as it finishes, so a crash or Ctrl-C never loses a
finished run and never leaves half a run behind.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.errors import DiskFullError, UserError, is_disk_full

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    grp TEXT,
    scenario TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    master_seed INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    years REAL NOT NULL,
    package_version TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS daily (
    run_id TEXT NOT NULL, day INTEGER NOT NULL, wijk TEXT NOT NULL,
    woninginbraken INTEGER NOT NULL, completed INTEGER NOT NULL, arrests INTEGER NOT NULL,
    offender_arrests INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, day, wijk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL, tick INTEGER NOT NULL, cell INTEGER NOT NULL, wijk TEXT NOT NULL,
    completed INTEGER NOT NULL, arrested INTEGER NOT NULL, offender INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id);
"""

STORE_NAME = "runs.sqlite"


class ResultStore:
    """A results folder's SQLite store. Safe to reopen; writes are per-run transactions."""

    def __init__(self, folder: str | Path, *, create: bool = True, read_only: bool = False):
        """Open (or, with ``create``, create) the store of ``folder``.

        With ``read_only`` the file is opened through SQLite's ``mode=ro`` URI: reading
        needs no write access to the folder or the file (a read-only mount, another user's
        results). Where SQLite cannot even make its shared-memory index there, the store is
        opened as immutable (nobody writes a folder on a read-only mount).

        Raises:
            UserError: the folder cannot be written, or ``runs.sqlite`` is not a readable
                store (truncated, corrupt, or another kind of file).
            DiskFullError: the disk is full (a 0-byte store left there counts as empty).
        """
        self.folder = Path(folder)
        self.path = self.folder / STORE_NAME
        self.read_only = read_only
        create = create and not read_only
        if not create and not self.path.is_file():
            raise UserError("no runs.sqlite here: not a Wijksim results folder.",
                            file=str(self.folder))
        if not create and self.path.stat().st_size == 0:  # e.g. created on a full disk
            raise UserError("is empty (0 bytes): no run was stored here yet. Run the command "
                            "that writes this folder (it may take the folder).",
                            file=str(self.path))
        try:
            if create:
                self.folder.mkdir(parents=True, exist_ok=True)
            self.con = (self._connect_read_only() if read_only
                        else sqlite3.connect(self.path))
        except (OSError, sqlite3.Error) as exc:
            raise self._error(exc) from None
        try:
            check = self.con.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {check[0] if check else '-'}")
            if create:
                self.con.execute("PRAGMA journal_mode=WAL")
                self.con.execute("PRAGMA synchronous=NORMAL")
                self.con.executescript(SCHEMA)
            else:
                self._check_tables()
        except sqlite3.Error as exc:
            self.con.close()
            raise self._error(exc) from None

    def _connect_read_only(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        con = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.OperationalError as exc:
            con.close()
            if "unable to open" not in str(exc) and "readonly" not in str(exc):
                raise
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)

    def _check_tables(self) -> None:
        tables = {r[0] for r in self.con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = {"meta", "runs", "daily", "events"} - tables
        if missing:
            raise sqlite3.DatabaseError(f"missing table(s) {', '.join(sorted(missing))}")

    def _error(self, exc: BaseException) -> UserError:
        """A store problem as one line: read-only folder, or an unreadable file."""
        msg = str(exc)
        if is_disk_full(exc):
            return DiskFullError(f"the result store {self.path}")
        if isinstance(exc, OSError) or "readonly" in msg or "unable to open" in msg:
            return UserError(f"cannot open or write the result store ({msg}); is the folder "
                             "read-only? Choose another --out.", file=str(self.path))
        return UserError(f"is not a readable Wijksim result store ({msg}): truncated, corrupt "
                         "or not made by Wijksim. Move it aside (its runs cannot be read) and "
                         "run the command again.", file=str(self.path))

    def close(self) -> None:
        """Close the connection; a writer leaves the file in rollback-journal mode.

        WAL (fast, concurrent) is used while runs are written. On close the store is set
        back to a single file, so a reader (``mode=ro``) leaves no ``-wal``/``-shm`` files
        beside it and the folder can be read on a read-only mount. When another connection
        still has it open, the switch waits for the last writer to close.
        """
        if not self.read_only:
            try:
                self.con.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.Error:
                pass
        self.con.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing ------------------------------------------------------------------------------
    def add_run(self, record: Any, *, detail: bool = True) -> None:
        """Commit one finished run (a :class:`sim.runs.runner.RunRecord`) in one transaction."""
        try:
            self._add_run(record, detail=detail)
        except sqlite3.Error as exc:
            if is_disk_full(exc):
                raise DiskFullError(f"run {record.run_id} into {self.path}") from None
            raise UserError(f"could not commit run {record.run_id} ({exc}); the runs committed "
                            "before it are kept.", file=str(self.path)) from None

    def _add_run(self, record: Any, *, detail: bool) -> None:
        out = record.output
        with self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.run_id, record.group, record.scenario, record.scenario_hash,
                    json.dumps(record.params, sort_keys=True), record.master_seed,
                    record.replication, record.seed, record.years, record.package_version,
                    record.started_at, record.finished_at, record.status, record.error,
                    json.dumps(record.summary),
                ),
            )
            if not detail or out is None:
                return
            self.con.execute("DELETE FROM daily WHERE run_id = ?", (record.run_id,))
            self.con.execute("DELETE FROM events WHERE run_id = ?", (record.run_id,))
            day, wijk = np.nonzero(out.attempts + out.offender_arrests)
            codes = out.wijk_codes
            self.con.executemany(
                "INSERT INTO daily VALUES (?,?,?,?,?,?,?)",
                (
                    (record.run_id, int(d), codes[w], int(out.attempts[d, w]),
                     int(out.completed[d, w]), int(out.arrests[d, w]),
                     int(out.offender_arrests[d, w]))
                    for d, w in zip(day, wijk, strict=True)
                ),
            )
            ev = out.events
            self.con.executemany(
                "INSERT INTO events VALUES (?,?,?,?,?,?,?)",
                (
                    (record.run_id, int(e["tick"]), int(e["cell"]), codes[int(e["wijk"])],
                     int(e["completed"]), int(e["arrested"]), int(e["offender"]))
                    for e in ev
                ),
            )

    def set_meta(self, key: str, value: Any) -> None:
        """Store a key/value fact about this folder."""
        with self.con:
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def get_meta(self, key: str, default: Any = None) -> Any:
        """Read a key/value fact (``default`` when absent)."""
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    # ---- reading ------------------------------------------------------------------------------
    def count_runs(self) -> int:
        """How many runs (finished or failed) the store holds."""
        return int(self.con.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def finished_run_ids(self) -> set[str]:
        """Run ids already committed with status 'done'."""
        return {r[0] for r in self.con.execute("SELECT run_id FROM runs WHERE status = 'done'")}

    def runs(self, group: str | None = None) -> pd.DataFrame:
        """The runs table, ``params`` and ``summary`` decoded into dicts."""
        q = "SELECT * FROM runs" + (" WHERE grp = ?" if group is not None else "")
        df = pd.read_sql_query(q + " ORDER BY run_id", self.con,
                               params=(group,) if group is not None else None)
        df["params"] = df["params"].map(json.loads)
        df["summary"] = df["summary"].map(lambda s: json.loads(s) if s else None)
        return df

    def daily(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Daily counts per wijk (sparse: only days with a count)."""
        return self._select("daily", run_ids)

    def events(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The burglary event lists."""
        return self._select("events", run_ids)

    def _select(self, table: str, run_ids: Iterable[str] | None) -> pd.DataFrame:
        if run_ids is None:
            return pd.read_sql_query(f"SELECT * FROM {table}", self.con)
        ids = list(run_ids)
        marks = ",".join("?" * len(ids))
        return pd.read_sql_query(
            f"SELECT * FROM {table} WHERE run_id IN ({marks})", self.con, params=ids
        )
