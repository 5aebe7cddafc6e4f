"""Issue 22.9: docs/results.md documents every column a results folder holds, with units.

A tiny comparison (summary.csv, daily.csv, runs.sqlite) and a tiny sweep (outcomes.csv, the
design table) are written for real; every column of every file and SQLite table, and of
every table `sim export` writes (Parquet and CSV), must be listed in docs/results.md (a
family of columns as one pattern, e.g. per_wijk.<wijk code>).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import invoke_cli

from sim.analysis.compare.comparison import plan_comparison, run_comparison
from sim.analysis.experiment import DERIVED
from sim.model.parameters import parameter_rows
from sim.runs.export import export_csv
from sim.runs.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "results.md"
FAMILIES = {"<wijk code>": r"WK\d{6}", "<gebied>": r"[\w-]+", "<year>": r"\d{4}",
            "<outcome>": r"[a-z_]+(\.[\w-]+)?"}


def documented() -> dict[str, list[re.Pattern]]:
    """Section heading -> patterns of the columns its tables list."""
    params = "|".join(re.escape(p) for p in [*(r.path for r in parameter_rows()), *DERIVED])
    out: dict[str, list[re.Pattern]] = {}
    section = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            out.setdefault(section, [])
            continue
        m = re.match(r"\| `([^`]+)` \|", line)
        if not m:
            continue
        name = m.group(1)
        pattern = re.escape(name).replace(re.escape("<parameter>"), f"(?:{params})")
        for family, rx in FAMILIES.items():
            pattern = pattern.replace(re.escape(family), rx)
        out[section].append(re.compile(pattern + r"\Z"))
        if len(m.group(0)) and line.count("|") < 4:
            raise AssertionError(f"docs/results.md: {name}: a row needs column, unit, meaning")
    return out


def _missing(columns, patterns) -> list[str]:  # noqa: ANN001
    return [c for c in columns if not any(p.match(str(c)) for p in patterns)]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("schema")
    cmp = tmp / "cmp"
    run_comparison(plan_comparison(["baseline", "interventieteam"], 0.05, 2, 3, burn_in=0),
                   cmp, command="sim compare baseline interventieteam")
    with ResultStore(cmp) as store:  # as sim compare does after its runs
        export_csv(store, cmp)
    exp = tmp / "tiny.toml"
    exp.write_text('name = "tiny"\nbase = "baseline"\nreference = "baseline"\n'
                   'master_seed = 1\nreplications = 1\nyears = 0.02\n'
                   'outcomes = ["woninginbraken_per_year", "prevented_per_year", '
                   '"cost_per_prevented_eur", "per_wijk.WK036201"]\n'
                   '[design]\nmethod = "grid"\n[[parameters]]\npath = "interventieteam.fte"\n'
                   'unit = "FTE"\nlevels = [0, 4]\n')
    return cmp, exp


def test_every_column_is_documented(folders, tmp_path, capsys, monkeypatch):
    cmp, exp = folders
    doc = documented()
    for name in ("summary.csv", "daily.csv"):
        cols = pd.read_csv(cmp / name, nrows=1).columns
        assert len(cols) > 5 and not _missing(cols, doc[name]), (name, _missing(cols,
                                                                                 doc[name]))
    sweep = tmp_path / "sweep"
    code, _, err = invoke_cli(["sweep", str(exp), "--workers", "1", "--burn-in", "0",
                               "--out", str(sweep)], capsys, monkeypatch)
    assert code == 0, err
    cols = pd.read_csv(sweep / "outcomes.csv", nrows=1).columns
    assert "interventieteam.fte" in cols and "per_wijk.WK036201" in cols
    assert not _missing(cols, doc["outcomes.csv"]), _missing(cols, doc["outcomes.csv"])
    for folder in (cmp, sweep):
        con = sqlite3.connect(folder / "runs.sqlite")
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            assert table in doc, f"SQLite table {table} is not documented"
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            assert not _missing(cols, doc[table]), (table, _missing(cols, doc[table]))
        con.close()
    assert "design" in doc and {"runs", "daily", "events", "meta"} <= set(doc)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_sim_export_writes_documented_tidy_tables(folders, tmp_path, fmt, capsys, monkeypatch):
    cmp, _ = folders
    out = tmp_path / "tables"
    code, text, err = invoke_cli(["export", str(cmp), "--format", fmt, "--out", str(out)],
                                 capsys, monkeypatch)
    assert code == 0, err
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    tables = {p.stem: read(p) for p in sorted(out.glob(f"*.{fmt}"))}
    assert set(tables) == {"runs", "metrics", "daily", "events"}
    doc = documented()
    for name, frame in tables.items():
        assert not _missing(frame.columns, doc[name]), (name, _missing(frame.columns,
                                                                       doc[name]))
    runs, metrics, daily = tables["runs"], tables["metrics"], tables["daily"]
    assert len(runs) == 4, "2 scenarios × 2 replications"
    summary = pd.read_csv(cmp / "summary.csv").set_index("run_id")
    # tidy and wide agree: the long metrics are the summary's numbers
    got = metrics[(metrics["metric"] == "woninginbraken_per_year")].set_index("run_id")["value"]
    assert got.sort_index().to_numpy() == pytest.approx(
        summary.loc[got.index, "woninginbraken_per_year"].sort_index().to_numpy())
    wijk = metrics[metrics["metric"] == "per_wijk"]
    assert wijk["key"].str.match(r"WK\d{6}").all() and len(wijk) == 4 * 14
    assert daily["woninginbraken"].sum() == pytest.approx(
        len(tables["events"])), "one event per burglary, counted daily"


def test_export_refuses_a_folder_without_runs(tmp_path, capsys, monkeypatch):
    code, _, err = invoke_cli(["export", str(tmp_path)], capsys, monkeypatch)
    assert code == 2 and "runs.sqlite" in err and len(err.strip().splitlines()) == 1
    code, _, err = invoke_cli(["export", str(tmp_path), "--format", "xlsx"], capsys,
                              monkeypatch)
    assert code == 2


def test_the_notebook_example_reproduces_figure_1s_numbers(folders, tmp_path):
    """examples/analyse.py: pandas from the tidy tables gives the report's yearly means."""
    import json
    import os
    import subprocess
    import sys

    cmp, _ = folders
    png = tmp_path / "fig1.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "analyse.py"), str(cmp),
                           str(png)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert png.stat().st_size > 10_000 and "figure:" in done.stdout
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import analyse
    finally:
        sys.path.pop(0)
    table = analyse.mean_interval(analyse.yearly(analyse.load(cmp))).set_index(
        ["scenario", "year"])
    comp = json.loads((cmp / "comparison.json").read_text(encoding="utf-8"))
    start = comp["provenance"]["start_year"]
    for name, per_run in comp["figures"]["yearly_totals"].items():
        means = np.mean(np.array(per_run, dtype=float), axis=0)
        for k, m in enumerate(means):
            assert table.loc[(name, start + k), "mean"] == pytest.approx(m), (name, k)
