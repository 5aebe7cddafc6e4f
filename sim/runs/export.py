"""CSV exports written beside the SQLite store (the store stays the source of truth)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.runs.store import ResultStore


def flat_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run: provenance columns and every scalar or nested summary metric."""
    rows = []
    for _, r in runs.iterrows():
        row = {k: r[k] for k in ("run_id", "grp", "scenario", "scenario_hash", "master_seed",
                                 "replication", "seed", "years", "package_version",
                                 "started_at", "finished_at", "status")}
        for key, val in (r["summary"] or {}).items():
            if isinstance(val, dict):
                for k2, v2 in val.items():
                    row[f"{key}.{k2}"] = v2
            else:
                row[key] = val
        rows.append(row)
    return pd.DataFrame(rows)


def export_csv(store: ResultStore, folder: str | Path) -> list[Path]:
    """Write ``summary.csv`` (one row per run) and ``daily.csv`` (run, date, wijk, counts)."""
    folder = Path(folder)
    runs = store.runs()
    summary = flat_summary(runs)
    paths = [folder / "summary.csv", folder / "daily.csv"]
    summary.to_csv(paths[0], index=False)
    daily = store.daily()
    if not daily.empty:
        start = runs.set_index("run_id")["params"].map(lambda p: p["start_year"])
        base = pd.to_datetime(daily["run_id"].map(start).astype(str) + "-01-01")
        daily.insert(2, "date", (base + pd.to_timedelta(daily["day"], unit="D")).dt.date)
    daily.to_csv(paths[1], index=False)
    return paths
