"""sim compare --parameter-draws: replications spread over draws of the calibrated parameters.

Replication r of every scenario runs with draw r mod N (common random numbers across
scenarios), the draws come from N(estimate, covariance) of calibrated.toml's [uncertainty]
(clipped to the bounds, seeded from the master seed), a scenario's own value is kept, and a
city without [uncertainty] is refused in one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke_cli

from sim.analysis.compare.comparison import plan_comparison, run_comparison
from sim.analysis.compare.draws import draw_effects
from sim.core.errors import UserError
from sim.core.paths import CALIBRATION
from sim.core.tomlwrite import dumps
from sim.runs.folders import MADE_BY
from sim.runs.store import ResultStore

PATHS = ["offenders.outings_per_offender_day", "residents.attempt_fail_prob"]
ESTIMATE = [0.12, 0.2]
SE = [0.02, 0.05]
BOUNDS = ([0.03, 0.0], [0.35, 0.6])
YEARS, SEED = 0.05, 7


def make_city(tmp_path: Path, uncertainty: bool = True) -> Path:
    """A copy of Amstelveen with a calibrated.toml of two free parameters."""
    city = tmp_path / "stad"
    city.mkdir(parents=True, exist_ok=True)
    for f in ("wijken.csv", "city.toml"):
        shutil.copy(CALIBRATION / "amstelveen" / f, city / f)
    doc = {"parameters": {"offenders": {"outings_per_offender_day": ESTIMATE[0]},
                          "residents": {"attempt_fail_prob": ESTIMATE[1]}},
           "calibration": {"city": "stad"}}
    if uncertainty:
        cov = np.diag(np.square(SE))
        cov[0, 1] = cov[1, 0] = 0.5 * SE[0] * SE[1]
        doc["uncertainty"] = {"parameters": PATHS, "estimate": ESTIMATE,
                              "standard_error": SE, "covariance": cov.tolist(),
                              "lower": BOUNDS[0], "upper": BOUNDS[1]}
    (city / "calibrated.toml").write_text(dumps(doc, "test"), encoding="utf-8")
    return city


def own_value_scenario(tmp_path: Path) -> str:
    path = tmp_path / "eigen.toml"
    path.write_text('extends = "baseline"\nname = "eigen"\n[offenders]\n'
                    "outings_per_offender_day = 0.05\n", encoding="utf-8")
    return str(path)


def values(spec) -> tuple[float, float]:  # noqa: ANN001
    sc = spec.scenario
    return sc.offenders.outings_per_offender_day, sc.residents.attempt_fail_prob


def test_draws_differ_per_draw_and_are_shared_by_every_scenario_of_a_replication(tmp_path):
    city = make_city(tmp_path)
    plan = plan_comparison(["baseline", "interventieteam", own_value_scenario(tmp_path)],
                           YEARS, 6, SEED, city=str(city), parameter_draws=3)
    assert len(plan.draws) == 3
    by_rep: dict[int, dict[str, tuple[float, float]]] = {}
    for spec in plan.specs():
        by_rep.setdefault(spec.replication, {})[spec.scenario.name] = values(spec)
    for r, got in by_rep.items():
        assert got["baseline"] == got["interventieteam"], (
            f"replication {r}: the scenarios ran with different parameter draws")
        draw = plan.draws[r % 3]
        assert got["baseline"] == (draw[PATHS[0]], draw[PATHS[1]]), "draw r mod N"
        # the scenario's own value is kept, the calibrated one it did not set is drawn
        assert got["eigen"] == (0.05, draw[PATHS[1]])
    firsts = {by_rep[r]["baseline"] for r in range(3)}
    assert len(firsts) == 3, "every draw has its own parameters"
    assert by_rep[3]["baseline"] == by_rep[0]["baseline"], "replication 3 reuses draw 0"
    assert set(PATHS) <= set(plan.drawn["baseline"]) and plan.drawn["baseline"] == plan.drawn[
        "interventieteam"]
    assert PATHS[0] not in plan.drawn["eigen"] and PATHS[1] in plan.drawn["eigen"]
    kinds = plan.draw_info["kinds"]
    assert {"calibrated", "mechanism", "prior"} == set(kinds.values()), (
        "every kind of uncertain input is drawn")
    x = np.array([[d[p] for p in PATHS] for d in plan.draws])
    assert np.all(x >= BOUNDS[0]) and np.all(x <= BOUNDS[1]), "clipped to the bounds"


def test_draws_are_seeded_from_the_master_seed_and_follow_the_covariance(tmp_path):
    city = make_city(tmp_path)
    a = plan_comparison(["baseline"], YEARS, 400, SEED, city=str(city), parameter_draws=400)
    b = plan_comparison(["baseline"], YEARS, 400, SEED, city=str(city), parameter_draws=400)
    c = plan_comparison(["baseline"], YEARS, 400, SEED + 1, city=str(city), parameter_draws=400)
    assert a.draws == b.draws, "the same command draws the same parameters"
    assert a.draws != c.draws, "another master seed, other draws"
    # the calibrated inputs as drawn (before the pool's tie rescales the outings)
    x = np.array([a.draw_info["inputs"][p] for p in PATHS]).T
    assert x.mean(axis=0) == pytest.approx(ESTIMATE, abs=4 * max(SE) / np.sqrt(400))
    assert x.std(axis=0) == pytest.approx(SE, rel=0.15)
    assert np.corrcoef(x.T)[0, 1] == pytest.approx(0.5, abs=0.15)


def test_comparison_records_the_draws_and_runs_them(tmp_path):
    city = make_city(tmp_path)
    plan = plan_comparison(["baseline", "interventieteam"], YEARS, 4, SEED, city=str(city),
                           parameter_draws=2)
    comp = run_comparison(plan, tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "comparison.json").read_text())
    pd = saved["provenance"]["parameter_draws"]
    assert pd["n"] == 2 and set(PATHS) <= set(pd["parameters"]) and len(pd["draws"]) == 2
    assert pd["replication_draw"] == [0, 1, 0, 1]
    assert pd["scenarios"]["baseline"] == pd["scenarios"]["interventieteam"]
    assert set(pd["clipped"]) == set(pd["parameters"]), "every parameter's clip count is shown"
    assert pd["estimate"] == ESTIMATE and pd["standard_error"] == pytest.approx(SE)
    hashes = saved["provenance"]["scenarios"]["baseline"]["run_hashes"]
    assert hashes[0] == hashes[2] != hashes[1] == hashes[3], "one scenario hash per draw"
    with ResultStore(tmp_path / "out") as store:
        runs = store.runs().set_index("run_id")
    for r in range(4):
        p = runs.loc[f"baseline-r{r:04d}", "params"]
        assert p["offenders"]["outings_per_offender_day"] == pytest.approx(
            pd["draws"][r % 2][PATHS[0]]), "the stored run holds its draw"
    assert {row["scenario"] for row in comp["rows"]} == {"baseline", "interventieteam"}


def test_refused_without_uncertainty_or_with_more_draws_than_replications(tmp_path):
    city = make_city(tmp_path, uncertainty=False)
    with pytest.raises(UserError, match=r"no \[uncertainty\] table"):
        plan_comparison(["baseline"], YEARS, 2, SEED, city=str(city), parameter_draws=2)
    with pytest.raises(UserError, match="--parameter-draws must be 1 to"):
        plan_comparison(["baseline"], YEARS, 2, SEED, city=str(make_city(tmp_path / "b")),
                        parameter_draws=3)
    plan = plan_comparison(["baseline"], YEARS, 2, SEED, city=str(city))
    assert plan.draws == [] and plan.draw_info == {}, "without the option nothing is drawn"


def test_cli_refuses_in_one_line_and_records_n_in_the_folder_identity(tmp_path, capsys,
                                                                     monkeypatch):
    bare = make_city(tmp_path / "a", uncertainty=False)
    code, _, err = invoke_cli(["compare", "baseline", "--city", str(bare), "--years", "0.05",
                               "-r", "2", "--parameter-draws", "2", "--out",
                               str(tmp_path / "x")], capsys, monkeypatch)
    assert code == 2 and "[uncertainty]" in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, f"one line: {err}"
    assert not (tmp_path / "x").exists(), "nothing is written when refused"

    city = make_city(tmp_path / "b")
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "interventieteam", "--city", str(city), "--years", "0.05",
            "-r", "2", "--out", str(out), "--json"]
    code, stdout, err = invoke_cli([*args, "--parameter-draws", "2"], capsys, monkeypatch)
    assert code == 0, err
    with ResultStore(out) as store:
        identity = store.get_meta(MADE_BY)["identity"]
    assert identity["parameter_draws"] == 2
    code, _, err = invoke_cli([*args, "--parameter-draws", "1"], capsys, monkeypatch)
    assert code == 2, "another number of draws is another comparison: not mixed in"


def test_draw_effects_are_quantiles_of_the_spread_not_an_interval_of_the_mean():
    # Known answer: effects per draw spread as N(-0.2, 0.05); the 5-95% quantiles across
    # draws estimate -0.2 -/+ 1.645 x 0.05 however many draws, where an interval of the
    # mean would shrink like 1/sqrt(draws). The input that drives the effect dominates.
    rng = np.random.default_rng(0)
    for n in (10, 40, 400):
        drive = rng.normal(0, 1, n)
        effect = -0.2 + 0.05 * drive
        ref = np.full(n, 500.0)
        got = draw_effects(ref * (1 + effect), ref, list(range(n)),
                           {"drive": drive.tolist(), "noise": rng.normal(0, 1, n).tolist()})
        width = got["p95"] - got["p5"]
        assert width == pytest.approx(2 * 1.645 * 0.05, rel=0.45 if n == 10 else 0.2)
        assert got["spread"][0]["input"] == "drive" and got["spread"][0]["share"] > 0.9


@pytest.mark.slow
def test_cli_quantile_intervals_do_not_narrow_from_10_to_40_draws(tmp_path, capsys,
                                                                  monkeypatch):
    # The real command, kept as cheap as it goes: a quarter year after a quarter-year
    # burn-in, one replication per draw, every uncertain input drawn (100 short runs, about
    # a minute on 2 cores: opt-in with -m slow; the known-answer test above always runs).
    widths = {}
    for n in (10, 40):
        code, out, err = invoke_cli(
            ["compare", "baseline", "interventieteam", "--years", "0.25", "--burn-in", "0.25",
             "-r", str(n), "--parameter-draws", str(n), "--json", "--out",
             str(tmp_path / f"d{n}")], capsys, monkeypatch)
        assert code == 0, err
        row = next(r for r in json.loads(out) if r["scenario"] == "interventieteam")
        d = row["draw_effect"]
        assert d["draws"] == n and d["p5"] <= d["median"] <= d["p95"]
        assert d["spread"], "the JSON names the inputs that dominate the spread"
        widths[n] = d["p95"] - d["p5"]
        saved = json.loads((tmp_path / f"d{n}" / "comparison.json").read_text())
        clipped = saved["provenance"]["parameter_draws"]["clipped"]
        assert "near_repeat.boost_per_event" in clipped, "clip counts are reported"
    assert widths[40] > 0.6 * widths[10], (
        f"quantiles across draws must not narrow with more draws: {widths}")
