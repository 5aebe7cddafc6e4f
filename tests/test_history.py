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


# --- yearly local shocks (the band's third source) ---------------------------------------

def test_local_shock_sd_recovers_known_shocks_and_never_uses_the_judged_gemeente():
    from sim.data.record import Record, local_shock_sd

    rng = np.random.default_rng(3)
    years = list(range(2012, 2024))
    nat = {y: 40_000 - 1_500 * (y - 2012) for y in years}
    counts, truth = {}, {}
    for g, sd in (("A", 0.1), ("B", 0.3)):
        s = rng.normal(0, sd, len(years))
        truth[g] = float(np.std(s, ddof=1))
        # large counts: the Poisson part is negligible, the deviation from the trend is s
        counts[g] = {y: round(5e6 * nat[y] / 40_000 * math.exp(x))
                     for y, x in zip(years, s, strict=True)}
    counts["J"] = {y: 999_999 if y % 2 else 1 for y in years}  # wild: must not count
    rec = Record(counts, {k: k for k in counts}, nat, "test")
    pooled, per = local_shock_sd(rec, exclude="J")
    assert set(per) == {"A", "B"}
    assert per["A"] == pytest.approx(truth["A"], rel=1e-3)
    assert per["B"] == pytest.approx(truth["B"], rel=1e-3)
    assert pooled == pytest.approx(math.sqrt((truth["A"] ** 2 + truth["B"] ** 2) / 2), rel=1e-3)
    # a gemeente that follows the national trend exactly, with small counts: chance only -> 0
    flat = Record({"C": {y: nat[y] // 100 for y in years}}, {"C": "C"}, nat, "t")
    assert local_shock_sd(flat, exclude="J")[0] == 0.0


def test_local_shocks_are_yearly_seeded_and_of_the_stated_size():
    from sim.model.drivers import local_shocks

    t = 2012 + np.arange(365 * 400 + 1) / 365.0
    f = local_shocks(t, 0.2, seed=7)
    years = np.floor(t).astype(int)
    for y in (2012, 2100, 2300):  # one factor per calendar year
        assert np.ptp(f[years == y]) == 0.0
    per_year = np.log(f[np.searchsorted(years, np.unique(years))])
    assert np.std(per_year) == pytest.approx(0.2, rel=0.1)  # 401 years
    assert np.median(per_year) == pytest.approx(0.0, abs=0.03)
    assert np.array_equal(f, local_shocks(t, 0.2, seed=7))
    assert not np.array_equal(f, local_shocks(t, 0.2, seed=8))


def test_history_band_with_local_shocks_is_wider_on_the_same_seeds():
    from sim.analysis.history.run import run_history

    kw = {"replications": 6, "from_year": 2021, "to_year": 2023, "seed": 5, "workers": 1,
          "draws": 0}
    calm = run_history("amstelveen", local_shocks=False, **kw)
    shocked = run_history("amstelveen", **kw)
    assert calm.local_shock_sd == 0 and 0.05 < shocked.local_shock_sd < 0.5
    rec = shocked.record()
    assert rec["local_shock_sd"] > 0 and "local shocks" in rec["band"]

    def spread(h: HistoryResult) -> float:
        return float(np.log(h.runs).std(axis=0).mean())
    assert spread(shocked) > spread(calm)


def test_history_runs_the_team_after_the_record_by_default_and_it_prevents_less():
    """The team the record allows arrests less, so 2019-2020 hold more burglary (same seeds)."""
    from sim.analysis.history.run import run_history, team_after_record

    assert team_after_record("amstelveen") is not None  # written by sim evidence --write
    kw = {"replications": 4, "from_year": 2019, "to_year": 2020, "seed": 9, "workers": 1,
          "draws": 0, "local_shocks": False}
    rec = run_history("amstelveen", **kw)
    studies = run_history("amstelveen", team="studies", **kw)
    assert rec.team == "record" and studies.team == "studies"
    assert "record" in rec.record()["team"] and "studies" in studies.record()["team"]
    assert rec.runs.sum() > studies.runs.sum()
    # a city with no team record runs the priors whatever is asked
    assert team_after_record("amersfoort") is None


def test_cli_refuses_an_unknown_team(tmp_path, capsys, monkeypatch):
    from conftest import invoke_cli

    code, _, err = invoke_cli(["history", "--team", "both", "--out", str(tmp_path)], capsys,
                              monkeypatch)
    assert code == 2 and "--team" in err and "Traceback" not in err
