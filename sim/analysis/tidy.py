"""``sim export``: a results folder's runs as tidy tables (Parquet via pyarrow, or CSV).

Tidy: one observation per row, one variable per column, units in the column names or in
``docs/results.md``, which documents every column.

* ``runs`` — one row per run: provenance (scenario, hash, seeds, version, times, status)
  and the run's parameters as JSON;
* ``metrics`` — one row per run and summary metric: ``metric`` and, for a metric per area
  or year, its ``key`` (a wijk code, a gebied, a year, an activity), and ``value``;
* ``daily`` — one row per run, day and wijk with a count: burglaries, completed, arrests;
* ``events`` — one row per burglary: run, hour, grid cell, wijk, completed, arrested,
  offender;
* ``outcomes`` — for a sweep: one row per run with its design row (or world and policy)
  and the outcomes the experiment asked for (as ``outcomes.csv``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.core.errors import UserError
from sim.runs.store import ResultStore

FORMATS = ("parquet", "csv")
TABLES = ("runs", "metrics", "daily", "events", "outcomes")
#: Provenance columns of the ``runs`` table, in order.
RUN_COLUMNS = ("run_id", "grp", "scenario", "scenario_hash", "master_seed", "replication",
               "seed", "years", "package_version", "started_at", "finished_at", "status")


def runs_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run: provenance and the parameters as a JSON text."""
    out = runs[list(RUN_COLUMNS)].copy()
    out["params_json"] = [json.dumps(p, sort_keys=True) for p in runs["params"]]
    return out


def metrics_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run and summary metric (``key`` for per-area and per-year metrics)."""
    rows = []
    for rid, summary in zip(runs["run_id"], runs["summary"], strict=True):
        for metric, value in (summary or {}).items():
            if metric == "outcomes":
                continue  # a sweep's outcomes: the outcomes table
            if isinstance(value, dict):
                rows += [(rid, metric, str(k), _float(v)) for k, v in value.items()]
            else:
                rows.append((rid, metric, "", _float(value)))
    return pd.DataFrame(rows, columns=["run_id", "metric", "key", "value"])


def _float(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def daily_table(store: ResultStore, runs: pd.DataFrame) -> pd.DataFrame:
    """Daily counts per wijk with the calendar date."""
    daily = store.daily()
    if daily.empty:
        return daily
    start = runs.set_index("run_id")["params"].map(lambda p: p["start_year"])
    base = pd.to_datetime(daily["run_id"].map(start).astype(str) + "-01-01")
    daily.insert(2, "date", (base + pd.to_timedelta(daily["day"], unit="D")).dt.date)
    return daily


def events_table(store: ResultStore) -> pd.DataFrame:
    """Every burglary event of every run."""
    return store.events()


def outcomes_table(store: ResultStore) -> pd.DataFrame | None:
    """A sweep's outcomes per run (as ``outcomes.csv``), or None for other folders."""
    from sim.analysis.design import load_design
    from sim.analysis.policies import export_policy_outcomes
    from sim.analysis.sensitivity import outcome_runs

    if store.get_meta("experiment") is None:
        return None
    design = load_design(store)
    if design.policies:
        return export_policy_outcomes(store, design)
    runs = outcome_runs(store)
    x = pd.DataFrame(design.X, columns=design.names)
    return runs.join(x, on="row") if len(runs) else runs


def tidy_tables(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The tidy tables of a results folder (only finished runs; read only)."""
    folder = Path(folder)
    if not (folder / "runs.sqlite").is_file():
        raise UserError("holds no runs.sqlite; pass a folder written by sim run, compare, "
                        "sweep, sensitivity or robustness.", file=str(folder))
    with ResultStore(folder, create=False) as store:
        runs = store.runs()
        runs = runs[runs["status"] == "done"]
        tables = {"runs": runs_table(runs), "metrics": metrics_table(runs),
                  "daily": daily_table(store, runs), "events": events_table(store)}
        outcomes = outcomes_table(store)
    if outcomes is not None:
        tables["outcomes"] = outcomes
    return tables


def export(folder: str | Path, out: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write the tidy tables of ``folder`` into ``out`` as Parquet or CSV; the paths."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}.",
                        field="--format")
    tables = tidy_tables(folder)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder ({exc.strerror}).", file=str(out),
                        field="--out") from None
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        try:
            if fmt == "parquet":
                table.to_parquet(path, engine="pyarrow", index=False)
            else:
                table.to_csv(path, index=False)
        except OSError as exc:
            raise UserError(f"cannot write ({exc.strerror}).", file=str(path)) from None
        paths.append(path)
    return paths
