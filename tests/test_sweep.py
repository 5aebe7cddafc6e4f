"""Sweeps: nothing lost or duplicated across kills and resumes; any executor, same numbers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim.analysis.design import design_run_id, load_design, reference_run_id
from sim.analysis.experiment import known_experiments, load_experiment
from sim.analysis.sensitivity import analyze, outcome_matrix, outcome_runs
from sim.analysis.sweep import run_sweep
from sim.core.errors import UserError
from sim.model.scenario import HOURS_PER_FTE_YEAR
from sim.runs.executors import InlineExecutor, make_executor
from sim.runs.store import ResultStore

# Short horizons keep every run at a few tens of milliseconds.
TINY = """
name = "tiny"
base = "baseline"
reference = "baseline"
master_seed = 7
replications = 2
years = {years}
batch_size = 2
outcomes = ["woninginbraken_per_year", "change_vs_reference_pct", "arrests_per_year",
            "cost_per_prevented_eur"]

[design]
method = "lhs"
n = {n}

[[parameters]]
path = "boa.burglary_patrol_share"
unit = "fraction"
bounds = [0.05, 0.4]

[[parameters]]
path = "interventieteam.fte"
unit = "FTE"
bounds = [0, 6]
"""


def _tiny(tmp_path: Path, n: int = 30, years: float = 0.08) -> Path:
    p = tmp_path / "tiny.toml"
    p.write_text(textwrap.dedent(TINY.format(n=n, years=years)), encoding="utf-8")
    return p


def _sweep_inline(exp, folder: Path) -> None:
    with ResultStore(folder) as store:
        status = run_sweep(exp, store, InlineExecutor())
    assert status.complete, f"inline sweep incomplete: {status}"


def _outcomes(folder: Path) -> dict[str, dict]:
    with ResultStore(folder) as store:
        runs = store.runs()
    assert (runs["status"] == "done").all(), "every stored run finished"
    return {rid: s["outcomes"] for rid, s in zip(runs["run_id"], runs["summary"], strict=True)}


def _count(folder: Path) -> int:
    db = folder / "runs.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:  # the table may not exist yet
        return 0


def _start(exp_file: Path, out: Path, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(exp_file), "--out", str(out),
         "--workers", str(workers)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        # a background job (e.g. CI started with `&`) inherits SIGINT *ignored*; restore the
        # default so the child's Python turns Ctrl-C into KeyboardInterrupt as in a terminal
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(proc: subprocess.Popen, out: Path, at_least: int, timeout: float = 60) -> int:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        n = _count(out)
        if n >= at_least:
            return n
        assert proc.poll() is None, f"sweep ended early: {proc.communicate()[0]}"
        time.sleep(0.02)
    raise AssertionError("sweep did not progress")


def test_kill_and_resume_gives_exactly_the_uninterrupted_sweep(tmp_path):
    # runs long enough (~50 ms each, ~3 s in all) that the interrupt surely lands mid-sweep
    exp_file = _tiny(tmp_path, years=0.25)
    exp = load_experiment(exp_file)
    expected_ids = {design_run_id(row, r) for row in range(30) for r in range(2)} | {
        reference_run_id(r) for r in range(2)}
    ref_dir = tmp_path / "uninterrupted"
    _sweep_inline(exp, ref_dir)
    uninterrupted = _outcomes(ref_dir)
    assert set(uninterrupted) == expected_ids

    out = tmp_path / "interrupted"
    # 1. Ctrl-C (SIGINT to the whole process group, as a terminal does) on a 2-worker pool.
    proc = _start(exp_file, out, workers=2)
    _wait_for(proc, out, 4)
    os.killpg(proc.pid, signal.SIGINT)
    text = proc.communicate(timeout=60)[0]
    assert proc.returncode == 130, f"Ctrl-C should exit 130, got {proc.returncode}: {text}"
    assert "Traceback" not in text and "finished runs are kept" in text, text
    after_int = _count(out)
    assert 0 < after_int < len(expected_ids), f"interrupt left {after_int} runs"

    # 2. A hard crash (SIGKILL) of an in-process sweep a few runs later.
    proc = _start(exp_file, out, workers=1)
    _wait_for(proc, out, after_int + 4)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    with ResultStore(out) as store:
        before = store.runs().set_index("run_id")["finished_at"].to_dict()
    assert len(before) < len(expected_ids), "the kill came too late to test anything"

    # 3. Resume to the end.
    proc = _start(exp_file, out, workers=2)
    text = proc.communicate(timeout=120)[0]
    assert proc.returncode == 0, text
    assert f"{len(before)} already done" in " ".join(text.split()), text

    with sqlite3.connect(out / "runs.sqlite") as con:
        ids = [r[0] for r in con.execute("SELECT run_id FROM runs")]
    assert len(ids) == len(set(ids)), "duplicate run ids in the store"
    assert set(ids) == expected_ids, "the store must hold exactly the design's runs"
    with ResultStore(out) as store:
        after = store.runs().set_index("run_id")["finished_at"].to_dict()
    assert all(after[k] == v for k, v in before.items()), "finished runs were run again"
    resumed = _outcomes(out)
    for rid, values in uninterrupted.items():
        assert resumed[rid] == pytest.approx(values, nan_ok=True), (
            f"{rid}: outcomes after kill+resume differ from the uninterrupted sweep")


def test_changed_experiment_is_refused_on_resume(tmp_path):
    exp_file = _tiny(tmp_path, n=2, years=0.02)
    out = tmp_path / "out"
    _sweep_inline(load_experiment(exp_file), out)
    exp_file.write_text(exp_file.read_text().replace("bounds = [0, 6]", "bounds = [0, 8]"))
    changed = load_experiment(exp_file)
    with ResultStore(out) as store, pytest.raises(UserError) as err:
        run_sweep(changed, store, InlineExecutor())
    msg = str(err.value)
    assert "different version" in msg and "parameters" in msg and "--out" in msg, msg
    with ResultStore(out) as store, pytest.raises(UserError, match=r"design\.n"):
        run_sweep(load_experiment(exp_file, n=4), store, InlineExecutor())


def test_dask_gives_identical_outcomes_to_the_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    exp = load_experiment(_tiny(tmp_path, n=6, years=0.05))
    pool_dir, dask_dir = tmp_path / "pool", tmp_path / "dask"
    with ResultStore(pool_dir) as store:
        ex = make_executor(2)
        try:
            assert run_sweep(exp, store, ex, workers=2).complete
        finally:
            ex.shutdown()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        ex = make_executor(None, cluster.scheduler_address)
        try:
            with ResultStore(dask_dir) as store:
                assert run_sweep(exp, store, ex, workers=2).complete
        finally:
            ex.shutdown()
    pool, dask = _outcomes(pool_dir), _outcomes(dask_dir)
    assert pool.keys() == dask.keys()
    for rid in pool:
        assert dask[rid] == pytest.approx(pool[rid], nan_ok=True, rel=0, abs=0), (
            f"{rid}: Dask and the local pool disagree")


@pytest.mark.parametrize("name", sorted(known_experiments()))
def test_shipped_experiment_runs_and_analyses_at_tiny_size(tmp_path, name):
    exp = load_experiment(name, years=0.02, replications=1)
    if exp.design.method == "sobol":
        exp = exp.with_changes(n=2)
    if exp.design.method == "morris":
        exp = exp.with_changes(trajectories=2)
    if exp.policies:  # every policy in every world: keep the worlds few and skip the burn-in
        exp = exp.with_changes(burn_in_years=0, n=3 if exp.design.method == "lhs" else 1)
    with ResultStore(tmp_path) as store:
        status = run_sweep(exp, store, InlineExecutor())
        assert status.complete, f"{name}: {status}"
        design = load_design(store)
        res = analyze(design, outcome_matrix(store, design), num_resamples=20)
        runs = store.runs() if exp.policies else outcome_runs(store)
    per_row = len(design.policies) or 1
    assert len(runs) == len(design.X) * per_row, f"{name}: one run per design row (and policy)"
    assert res.tables or res.skipped, f"{name}: the analysis produced nothing"


def test_cli_sensitivity_on_the_capacity_grid_writes_tables_and_heatmaps(tmp_path, capsys):
    import json

    from sim.cli import main

    argv = ["sim", "sensitivity", "capaciteit", "--years", "0.01", "-r", "1", "--workers", "1",
            "--out", str(tmp_path), "--json"]
    old, sys.argv = sys.argv, argv
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = old
    out = capsys.readouterr().out
    assert exc.value.code == 0, out
    res = json.loads(out)
    grid = res["tables"]["grid"]
    assert len(grid) == 25, "5 x 5 capacity grid"
    names = {Path(f).name for f in res["files"]}
    assert {"sensitivity_grid.csv", "grid_woninginbraken_per_year.png",
            "grid_cost_per_prevented_eur.png"} <= names, names
    base = load_experiment("capaciteit").base_scenario()
    hours = base.boa.fte * HOURS_PER_FTE_YEAR * base.boa.burglary_patrol_share
    for g in grid:  # the grid point equal to the reference (if any) runs the same seed
        if g["interventieteam.fte"] == 0 and abs(g["boa.burglary_patrol_hours_per_year"]
                                                 - hours) < 1e-6 * hours:
            assert g["change_vs_reference_pct"] == 0, "same scenario, same seed: no change"
    assert all(g["extra_cost_eur_per_year"] > 0 for g in grid if g["interventieteam.fte"] > 0)
    assert (tmp_path / "outcomes.csv").exists()
