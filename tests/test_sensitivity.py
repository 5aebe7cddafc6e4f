"""Sensitivity analysis: known answers through the real pipeline (design, store, analysis).

The model is replaced by test functions with published or exact indices through the
pluggable ``evaluate`` of :func:`sim.analysis.sweep.run_sweep`; everything else — the SALib
sampler, run ids, the store, alignment by run id, the analysis — is the production path.
"""

from __future__ import annotations

import json
import math
import threading
import time
from concurrent.futures import Executor, Future

import numpy as np
import pytest

from sim.analysis.design import load_design
from sim.analysis.experiment import Experiment
from sim.analysis.sensitivity import analyze, outcome_matrix, write_figures, write_tables
from sim.analysis.sweep import run_sweep
from sim.core.errors import UserError
from sim.runs.store import ResultStore

# Ishigami & Homma (1990), a = 7, b = 0.1; analytic indices as documented by SALib
# (SALib/test_functions/Ishigami.py) and Saltelli et al. (2008).
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
ISHIGAMI_S13 = 0.2437


def ishigami(values: dict[str, float], seed: int) -> dict[str, float]:
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


def linear_interaction(values: dict[str, float], seed: int) -> dict[str, float]:
    # Elementary effects on [0, 1]: x1 -> 3 always; x2 -> 1 + 2*x3 (varies); x4 -> 0.
    return {"y": 3 * values["x1"] + values["x2"] + 2 * values["x2"] * values["x3"]}


class ReversedExecutor(Executor):
    """Runs tasks last-in-first-out on a thread that starts late, so results arrive shuffled."""

    def __init__(self) -> None:
        self.tasks: list = []
        self.ready = threading.Condition()
        self.thread = threading.Thread(target=self._work, daemon=True)

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        with self.ready:
            self.tasks.append((fut, fn, args, kwargs))
            self.ready.notify()
        if not self.thread.is_alive() and self.thread.ident is None:
            self.thread.start()
        return fut

    def _work(self) -> None:
        time.sleep(0.05)  # let submissions pile up, then take the newest first
        while True:
            with self.ready:
                while not self.tasks:
                    self.ready.wait()
                fut, fn, args, kwargs = self.tasks.pop()
            try:
                fut.set_result(fn(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 — delivered through the future
                fut.set_exception(exc)


def _experiment(method: str, names: list[str], bounds: list[float], **design) -> Experiment:
    return Experiment(name=f"test-{method}", outcomes=["y"], master_seed=11,
                      design={"method": method, **design},
                      parameters=[{"path": n, "bounds": bounds} for n in names])


def _sweep_and_analyze(tmp_path, exp, evaluate, executor=None):
    with ResultStore(tmp_path) as store:
        status = run_sweep(exp, store, executor or ReversedExecutor(), evaluate=evaluate,
                           batch_size=7)
        assert status.complete
        design = load_design(store)
        Y = outcome_matrix(store, design)
        order = [r[0] for r in store.con.execute("SELECT run_id FROM runs ORDER BY rowid")]
    return design, Y, analyze(design, Y, num_resamples=100), order


def test_ishigami_sobol_indices_are_recovered(tmp_path):
    exp = _experiment("sobol", ["x1", "x2", "x3"], [-math.pi, math.pi], n=2048,
                      second_order=True)
    design, Y, res, order = _sweep_and_analyze(tmp_path, exp, ishigami)
    assert order != sorted(order), "the test executor should have shuffled the commit order"
    # alignment by run id: each design row's outcome is the function at that row's sample
    expected = [ishigami(dict(zip(design.names, x, strict=True)), 0)["y"] for x in design.X]
    np.testing.assert_allclose(Y["y"].to_numpy(), expected, err_msg="outcomes misaligned")
    assert design.second_order and len(design.X) == 2048 * (2 * 3 + 2)
    sobol = res.tables["sobol"].set_index("parameter")
    for p in ("x1", "x2", "x3"):
        assert sobol.loc[p, "S1"] == pytest.approx(ISHIGAMI_S1[p], abs=0.04), f"S1 of {p}"
        assert sobol.loc[p, "ST"] == pytest.approx(ISHIGAMI_ST[p], abs=0.04), f"ST of {p}"
        assert sobol.loc[p, "ST_conf"] > 0, "confidence intervals are reported"
    s2 = res.tables["sobol_s2"].set_index(["parameter_1", "parameter_2"])["S2"]
    assert s2[("x1", "x3")] == pytest.approx(ISHIGAMI_S13, abs=0.08), "S2 of x1, x3"
    assert abs(s2[("x1", "x2")]) < 0.08 and abs(s2[("x2", "x3")]) < 0.08, "no other S2"
    files = write_tables(res, tmp_path) + write_figures(res, tmp_path)
    names = {f.name for f in files}
    assert {"sensitivity_sobol.csv", "sensitivity_sobol_s2.csv", "sobol_y.png"} <= names


def test_second_order_flag_travels_with_the_samples(tmp_path):
    exp = _experiment("sobol", ["x1", "x2", "x3"], [-math.pi, math.pi], n=64)
    design, Y, res, _ = _sweep_and_analyze(tmp_path, exp, ishigami)
    assert not design.second_order and "sobol_s2" not in res.tables
    # A store whose flag no longer matches its samples is refused, not misread.
    with ResultStore(tmp_path) as store:
        meta = store.get_meta("experiment")
        store.set_meta("experiment", {**meta, "second_order": True})
        bad = load_design(store)
    with pytest.raises(UserError, match="do not fit the stored design"):
        analyze(bad, Y)
    # And asking for S2 on resume is a changed experiment.
    with ResultStore(tmp_path) as store, pytest.raises(UserError, match="second_order"):
        store.set_meta("experiment", meta)
        run_sweep(exp.with_changes(second_order=True), store, ReversedExecutor(),
                  evaluate=ishigami)


def test_morris_elementary_effects_are_exact_for_a_known_function(tmp_path):
    exp = _experiment("morris", ["x1", "x2", "x3", "x4"], [0.0, 1.0], trajectories=12,
                      levels=4)
    _, _, res, _ = _sweep_and_analyze(tmp_path, exp, linear_interaction)
    m = res.tables["morris"].set_index("parameter")
    assert m.loc["x1", "mu_star"] == pytest.approx(3.0) and m.loc["x1", "sigma"] < 1e-9, (
        "a linear term has a constant elementary effect")
    assert m.loc["x2", "sigma"] > 0.1, "x2 interacts with x3, so its effects vary"
    assert 1.0 <= m.loc["x2", "mu_star"] <= 3.0, "x2's effect lies between 1 and 3"
    assert m.loc["x4", "mu_star"] == 0 and m.loc["x4", "sigma"] == 0, "a dummy has no effect"
    assert list(m.index[:1]) == ["x1"], "ranked by mu*"


def grid_function(values: dict[str, float], seed: int) -> dict[str, float]:
    return {"y": values["x1"] * 100 + values["x2"]}


def test_grid_response_table_and_heatmap(tmp_path):
    exp = Experiment(name="g", outcomes=["y"], design={"method": "grid"}, replications=2,
                     parameters=[{"path": "x1", "levels": [0, 1, 2]},
                                 {"path": "x2", "levels": [0, 10]}])
    _, _, res, _ = _sweep_and_analyze(tmp_path, exp, grid_function)
    grid = res.tables["grid"]
    assert list(grid["y"]) == [0, 10, 100, 110, 200, 210], "grid rows: first parameter slowest"
    files = write_figures(res, tmp_path)
    assert [f.name for f in files] == ["grid_y.png"], "a 2-D grid draws a heatmap"


def test_incomplete_sweep_is_refused_with_a_hint(tmp_path):
    exp = _experiment("lhs", ["x1", "x2"], [0.0, 1.0], n=10)
    with ResultStore(tmp_path) as store:
        run_sweep(exp, store, ReversedExecutor(), evaluate=linear_interaction_2d)
        store.con.execute("DELETE FROM runs WHERE run_id = 'd000003-r000'")
        store.con.commit()
        design = load_design(store)
        with pytest.raises(UserError, match="1 of 10 design runs are missing"):
            outcome_matrix(store, design)
        stored = json.loads(store.con.execute(
            "SELECT value FROM meta WHERE key = 'experiment'").fetchone()[0])
    assert stored["method"] == "lhs" and stored["rows"] == 10


def linear_interaction_2d(values: dict[str, float], seed: int) -> dict[str, float]:
    return {"y": 2 * values["x1"] - values["x2"]}


def test_lhs_rank_correlation_has_the_right_signs(tmp_path):
    exp = _experiment("lhs", ["x1", "x2"], [0.0, 1.0], n=50)
    _, _, res, _ = _sweep_and_analyze(tmp_path, exp, linear_interaction_2d)
    rc = res.tables["rank_correlation"].set_index("parameter")["spearman_rho"]
    assert rc["x1"] > 0.7 and rc["x2"] < -0.2, f"signs of a known linear function: {rc}"
