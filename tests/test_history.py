"""sim history: the JSON contract, coverage and rmse, the figure, and a real short run."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.analysis.history.figure import history_figure
from sim.analysis.history.run import LOCKDOWNS, HistoryResult
from sim.cli import app

CONTRACT = {"city", "years", "coverage", "rmse_log"}
YEAR_KEYS = {"year", "observed", "simulated", "low", "high", "inside"}


def fake(runs: np.ndarray, observed: dict[int, int]) -> HistoryResult:
    years = list(range(2012, 2012 + runs.shape[1]))
    return HistoryResult("amstelveen", "GM0362", years, observed, runs, 1, runs.shape[0], 0,
                         programmes=[{"name": "t", "start": 2019.16, "end": 2022.16, "fte": 4,
                                      "source": "x"}], lockdowns=list(LOCKDOWNS))


def test_contract_coverage_and_rmse_are_what_they_say():
    rng = np.random.default_rng(0)
    runs = 400 + rng.normal(0, 20, size=(200, 3))
    h = fake(runs, {2012: 400, 2013: 600, 2014: 405})
    rec = h.record()
    assert CONTRACT <= set(rec) and all(set(r) >= YEAR_KEYS for r in rec["years"])
    assert [r["inside"] for r in rec["years"]] == [True, False, True]
    assert rec["coverage"] == pytest.approx(2 / 3, abs=1e-4)
    want = math.sqrt(sum((math.log(r["simulated"]) - math.log(o)) ** 2
                         for r, o in zip(rec["years"], (400, 600, 405), strict=True)) / 3)
    assert rec["rmse_log"] == pytest.approx(want, abs=1e-4)
    json.dumps(rec)  # plain JSON


def test_years_without_a_record_are_not_counted():
    h = fake(np.full((10, 2), 300.0), {2012: 300})
    assert h.rows()[1]["observed"] is None and h.rows()[1]["inside"] is None
    assert h.coverage() == 1.0


def test_figure_from_result_or_its_json(tmp_path):
    h = fake(np.full((10, 12), 300.0) + np.arange(12), {2012: 541, 2020: 270})
    for src in (h, h.record()):
        p = history_figure(src, tmp_path / "h.png", lang="en")
        assert p.read_bytes()[:4] == b"\x89PNG"


def test_cli_json_holds_the_contract(tmp_path):
    res = CliRunner().invoke(app, ["history", "amstelveen", "--from", "2023", "--to", "2023",
                                   "-r", "2", "-w", "1", "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert CONTRACT <= set(rec) and rec["city"] == "amstelveen"
    assert [r["year"] for r in rec["years"]] == [2023] and rec["years"][0]["observed"] == 245
    assert (tmp_path / "history.json").is_file() and (tmp_path / "history_nl.png").is_file()


def test_cli_refuses_years_before_the_record(tmp_path):
    res = CliRunner().invoke(app, ["history", "--from", "2005", "--out", str(tmp_path)])
    assert res.exit_code == 2


def test_profile_recovers_a_known_elasticity_and_level():
    from sim.analysis.history.fit import profile

    years = np.arange(12)
    suspects = np.exp(-0.15 * years)  # the driver
    obs = 500 * suspects**0.7  # the record: elasticity 0.7, level 500 at the start
    grid = (0.3, 0.55, 0.8, 1.05, 1.3)
    noise = 1 + 0.05 * np.sin(years)  # a little misfit, the same for every candidate
    means = np.array([100 * suspects**b * noise for b in grid])  # run at level0 = 1.0
    fit = profile(grid, means, obs, level0=1.0)
    assert fit["elasticity"] == pytest.approx(0.7, abs=0.03)
    assert fit["level"] == pytest.approx(5.0, rel=0.05), "500 / 100 x level0"
    assert 0 < fit["elasticity_se"] < 0.1
