"""sim compare: common random numbers, known-answer statistics, cost, scenarios, CLI errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke_cli

from sim.analysis.compare.comparison import (
    default_years,
    plan_comparison,
    programme_period,
    run_comparison,
)
from sim.analysis.compare.metrics import (
    cost_per_prevented,
    horizon_cost,
    mean_ci,
    month_edges,
    paired_change,
    spread_cv,
    wdq_areas,
    wdq_interval,
)
from sim.model.scenario import load_scenario
from sim.runs.seeds import replication_seed
from sim.runs.store import ResultStore

YEARS, REPS, SEED = 0.2, 2, 7  # tiny: about 73 simulated days, 2 replications


# ---- known answers, no model ----------------------------------------------------------------
def test_mean_ci_matches_student_t_by_hand():
    mean, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0]))
    half = 2.919986 / np.sqrt(3)  # t(0.95, df=2) * sd / sqrt(n), sd = 1
    assert mean == pytest.approx(2.0)
    assert (lo, hi) == pytest.approx((2 - half, 2 + half), rel=1e-5), "90% t interval"


def test_paired_change_known_answer_and_identity():
    ref = np.array([100.0, 110.0, 90.0])
    c = paired_change(0.8 * ref, ref)
    assert c["pct"] == pytest.approx(-20.0), "a scenario at 80% of the reference is -20%"
    assert c["diff"] == pytest.approx(-20.0)
    lo, hi = c["pct_interval"]
    assert lo < -20 < hi < 0, f"interval {lo, hi} should bracket -20% and stay below 0"
    same = paired_change(ref, ref)
    assert same["pct"] == 0 and tuple(same["pct_interval"]) == (0, 0), (
        "identical runs (common random numbers) must show exactly zero change")


def test_cost_per_prevented_uses_own_cost_and_is_none_without_effect():
    cpp, (lo, hi) = cost_per_prevented(450_000.0, 30.0, (10.0, 50.0))
    assert cpp == pytest.approx(15_000.0)
    assert (lo, hi) == pytest.approx((9_000.0, 45_000.0)), "fewer prevented -> higher cost"
    assert cost_per_prevented(450_000.0, 30.0, (-5.0, 50.0)) == (None, [None, None]), (
        "prevented's interval contains 0: no demonstrable effect, no cost per prevented")
    assert cost_per_prevented(450_000.0, 30.0, (0.0, 50.0))[0] is None, "0 is not excluded"
    assert cost_per_prevented(450_000.0, 0.0, (-5.0, 5.0))[0] is None
    assert cost_per_prevented(450_000.0, -3.0, (-5.0, 1.0))[0] is None


def test_horizon_cost_is_pro_rata():
    costs = {2024: 100.0, 2025: 200.0, 2026: 0.0}
    assert horizon_cost(costs, 2024, 2.5) == pytest.approx(300.0)
    assert horizon_cost(costs, 2024, 1.5) == pytest.approx(100.0 + 0.5 * 200.0)


def test_wdq_areas_and_known_wdq():
    n = 8  # a row of wijken 0-1-2-...-7, the hotspots at the start
    adj = np.zeros((n, n), dtype=bool)
    for i in range(n - 1):
        adj[i, i + 1] = adj[i + 1, i] = True
    ref_counts = np.array([50, 40, 10, 10, 10, 10, 10, 10], dtype=float)
    areas = wdq_areas(ref_counts, adj)
    assert areas == {"treated": [0, 1], "buffer": [2], "control": [3, 4, 5, 6, 7]}
    # treated halves, buffer falls by a quarter, control unchanged: WDQ = 0.25/0.5 * A/B
    ref = np.tile([50, 50, 100, 20, 20, 20, 20, 20], (10, 1)).astype(float)
    scen = ref.copy()
    scen[:, :2] *= 0.5
    scen[:, 2] *= 0.75
    wdq, lo, hi = wdq_interval(ref, scen, areas)
    assert wdq == pytest.approx(0.5), "buffer improves half as much as treated: diffusion"
    assert lo == pytest.approx(0.5) and hi == pytest.approx(0.5)
    assert np.isnan(wdq_interval(ref, ref, areas)[0]), "no effect in the hotspots: no WDQ"
    few = wdq_interval(ref[:3], scen[:3], areas)
    assert few[0] == pytest.approx(0.5) and np.isnan(few[1]) and np.isnan(few[2]), (
        "a ratio's bootstrap interval from 3 replications is not given")


def test_spread_and_months():
    hh = np.array([100.0, 200.0, 300.0])
    assert spread_cv(np.array([[1.0, 2.0, 3.0]]), hh)[0] == pytest.approx(0.0), "equal rates"
    assert spread_cv(np.array([[3.0, 2.0, 1.0]]), hh)[0] > 0.5
    months = month_edges(365 * 2)
    assert len(months) == 24 and months[11][3] == 365 and months[-1][3] == 730
    assert month_edges(40)[-1] == (0, 2, 31, 40), "a partial month is clipped"


# ---- the shipped scenarios ---------------------------------------------------------------
def test_new_scenarios_state_cost_programme_and_description():
    g, p, a = (load_scenario(n) for n in ("gefaseerd", "politienorm", "acht-gebieden"))
    for sc in (g, p, a):
        assert len(sc.description) > 200, f"{sc.name}: a paragraph for the report"
        assert programme_period(sc) is not None, f"{sc.name}: programme years"
        assert sum(sc.yearly_cost_eur().values()) > 0, f"{sc.name}: a yearly cost"
    assert g.interventieteam.last_year < g.wijkregisseur.last_year, "team first, then regisseurs"
    assert g.interventieteam.fte > 0 and g.wijkregisseur.per_gebied > 0
    costs = g.model_copy(update={"years": 4}).yearly_cost_eur()
    assert len(set(costs.values())) > 1, "gefaseerd states its cost by year as it changes"
    assert p.wijkagenten.fte == round(94_435 / 5_000), (
        "norm 1 per 5,000 inhabitants (RVP 2023–2026)")
    assert len(set(a.gebied_of_wijk.values())) == 8 and len(a.gebied_of_wijk) == 14
    assert a.yearly_cost_eur()[2024] == pytest.approx(8 * a.wijkregisseur.cost_eur_per_year)


def test_default_horizon_shows_two_years_after_the_programmes():
    scs = [load_scenario(n) for n in ("baseline", "interventieteam", "gefaseerd", "politienorm")]
    assert default_years(scs) == 6, "programmes end 2027: 2024-2029 by default"


# ---- with the model (tiny runs) ------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    """baseline; an identical copy that costs money; fewer offender outings at a cost."""
    folder = tmp_path_factory.mktemp("compare")
    base = load_scenario("baseline")
    (folder / "kopie.toml").write_text(
        'extends = "baseline"\nname = "kopie"\n'
        "[extra_cost]\neur_per_year = 100000\nwhat = 'test: identical to baseline'\n")
    (folder / "minder.toml").write_text(
        'extends = "baseline"\nname = "minder"\n'
        f"[offenders]\noutings_per_offender_day = {base.offenders.outings_per_offender_day / 2}\n"
        "[extra_cost]\neur_per_year = 200000\nwhat = 'test'\n")
    plan = plan_comparison(["baseline", str(folder / "kopie.toml"), str(folder / "minder.toml"),
                            "interventieteam"], YEARS, REPS, SEED)
    comp = run_comparison(plan, folder / "out")
    return folder / "out", comp


def test_same_seeds_for_every_scenario(tiny):
    folder, comp = tiny
    with ResultStore(folder) as store:
        runs = store.runs()
    assert len(runs) == 4 * REPS
    for rep, grp in runs.groupby("replication"):
        assert grp["seed"].nunique() == 1, f"replication {rep}: scenarios ran with other seeds"
        assert grp["seed"].iloc[0] == replication_seed(SEED, int(rep))
    assert runs["seed"].nunique() == REPS, "replications differ from each other"
    assert set(runs["grp"]) == {"baseline", "kopie", "minder", "interventieteam"}


def test_identical_scenario_shows_zero_change(tiny):
    rows = {r["scenario"]: r for r in tiny[1]["rows"]}
    kopie = rows["kopie"]
    assert kopie["change_vs_reference_pct"] == 0.0
    assert kopie["interval"] == [0.0, 0.0]
    assert kopie["prevented_per_year"] == 0.0
    assert kopie["cost_per_prevented_eur"] is None, "nothing prevented: no cost per prevented"
    assert kopie["woninginbraken_per_year"] == rows["baseline"]["woninginbraken_per_year"]


def test_cost_per_prevented_from_the_scenarios_own_cost(tiny):
    rows = {r["scenario"]: r for r in tiny[1]["rows"]}
    minder = rows["minder"]
    assert minder["prevented_per_year"] > 0, "half the outings must mean fewer burglaries"
    assert minder["change_vs_reference_pct"] < 0
    assert minder["cost_eur_per_year"] == pytest.approx(200_000.0), "its own extra_cost"
    lo, hi = minder["prevented_interval"]
    if lo > 0:  # a demonstrable effect: the cost per prevented burglary from its own cost
        assert minder["effect"] == "fewer"
        assert minder["cost_per_prevented_eur"] == pytest.approx(
            200_000.0 / minder["prevented_per_year"])
        assert minder["cost_per_prevented_interval"] == pytest.approx([200_000 / hi,
                                                                       200_000 / lo])
    else:  # the interval contains 0: no cost per prevented burglary, no claim of an effect
        assert minder["effect"] == "none" and minder["cost_per_prevented_eur"] is None
    team = rows["interventieteam"]
    own = load_scenario("interventieteam").interventieteam
    assert team["cost_eur_per_year"] == pytest.approx(
        own.fte * own.hours_per_fte_year * own.cost_eur_per_hour), (
        "4 x 1406 h x €80 (Amstelveen 2023)")


def test_comparison_json_has_provenance(tiny):
    folder, comp = tiny
    saved = json.loads((folder / "comparison.json").read_text())
    p = saved["provenance"]
    assert p["master_seed"] == SEED and p["replications"] == REPS and p["years"] == YEARS
    assert p["replication_seeds"] == [replication_seed(SEED, r) for r in range(REPS)]
    assert set(p["scenarios"]) == {"baseline", "kopie", "minder", "interventieteam"}
    assert all(len(s["hash"]) == 12 for s in p["scenarios"].values())
    assert "calibration" in p and "package_version" in p


def test_rerun_resumes_and_other_settings_are_refused(tiny):
    folder, comp = tiny
    plan = plan_comparison(["baseline", "interventieteam"], YEARS, REPS, SEED)
    ran = []
    again = run_comparison(plan, folder, runner=lambda specs, store: ran.extend(specs))
    assert ran == [], "finished runs are not run again"
    assert again["rows"][1]["woninginbraken_per_year"] == pytest.approx(
        {r["scenario"]: r for r in comp["rows"]}["interventieteam"]["woninginbraken_per_year"])
    from sim.core.errors import UserError

    with pytest.raises(UserError, match="other settings"):
        run_comparison(plan_comparison(["baseline"], YEARS, REPS, SEED + 1), folder)


# ---- the command line ----------------------------------------------------------------------
def run_cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    return invoke_cli(args, capsys, monkeypatch)


def test_cli_compare_json_and_figures(tmp_path, capsys, monkeypatch):
    out = tmp_path / "cmp"
    code, stdout, err = run_cli(["compare", "baseline", "interventieteam", "--years", "0.05",
                                 "-r", "2", "--out", str(out), "--json"], capsys, monkeypatch)
    assert code == 0, err
    rows = json.loads(stdout)
    assert [r["scenario"] for r in rows] == ["baseline", "interventieteam"]
    for key in ("woninginbraken_per_year", "change_vs_reference_pct", "interval",
                "prevented_per_year", "cost_eur_per_year", "cost_per_prevented_eur", "wdq"):
        assert all(key in r for r in rows), f"--json rows miss {key}"
    assert all(len(r["interval"]) == 2 for r in rows)
    figs = sorted(p.name for p in (out / "figures").iterdir())
    assert len(figs) == 10 and {p.split(".")[1] for p in figs} == {"png", "svg"}
    svg = (out / "figures" / "fig4_cost_vs_prevented.svg").read_text()
    assert rows[1]["scenario_hash"] in svg, "the source line names the scenario hashes"


@pytest.mark.parametrize(("args", "expected"), [
    (["compare", "baselin"], "Did you mean 'baseline'"),
    (["compare", "baseline", "baseline"], "more than once"),
    (["compare", "baseline", "--lang", "de"], "--lang"),
    (["report", "/nonexistent/folder"], "not found"),
])
def test_cli_errors_are_clear(args, expected, capsys, monkeypatch):
    code, _, err = run_cli(args, capsys, monkeypatch)
    assert code == 2, f"{args}: exit code {code}"
    assert expected in err and "Traceback" not in err, err


def test_cli_bad_scenario_file_names_file_and_field(tmp_path, capsys, monkeypatch):
    bad = tmp_path / "kapot.toml"
    bad.write_text('extends = "baseline"\nname = "kapot"\n[boa]\nfte = -3\n')
    code, _, err = run_cli(["compare", "baseline", str(bad), "--out", str(tmp_path / "o")],
                           capsys, monkeypatch)
    assert code == 2 and "kapot.toml" in err and "boa.fte" in err, err
    assert not (tmp_path / "o").exists(), "nothing is written for a bad scenario"


def test_every_shipped_scenario_runs_in_a_comparison(tmp_path):
    from sim.model.scenario import known_scenarios

    names = ["baseline", *(n for n in known_scenarios() if n != "baseline")]
    comp = run_comparison(plan_comparison(names, 0.05, 2, SEED), tmp_path)
    assert [r["scenario"] for r in comp["rows"]] == names
    for r in comp["rows"]:
        assert np.isfinite(r["woninginbraken_per_year"]) and r["woninginbraken_per_year"] > 0
        assert len(r["areas"]["gebied"]["labels"]) == 4, "figure 2 uses the city's 4 gebieden"


# ---- issue 15: warnings, language, provenance of a resumed folder ------------------------------
def test_cli_compare_warns_below_ten_replications_and_short_horizon(tmp_path, capsys,
                                                                    monkeypatch):
    from sim.cli.app import console, err_console

    monkeypatch.setattr(console, "_width", 200)  # a wide terminal: table cells unwrapped
    monkeypatch.setattr(err_console, "_width", 400)
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "interventieteam", "--years", "0.05", "-r", "2", "--out",
            str(out), "--lang", "en"]
    code, stdout, err = run_cli(args, capsys, monkeypatch)
    assert code == 0, err
    assert "uses 2 replications; reliable intervals need at least 10" in err, (
        "below 10 replications: a warning")
    need = re.search(r"about (\d+) replications give a 90% interval of ±5%", err)
    assert need and int(need.group(1)) >= 2, err
    assert "ends in 2024, before the end of interventieteam in interventieteam (2024–2027)" in err
    assert "warning" not in stdout, "warnings go to stderr"
    comp = json.loads((out / "comparison.json").read_text())
    assert comp["checks"]["too_few_replications"] is True
    assert comp["checks"]["needed_replications"] == int(need.group(1))
    team = comp["rows"][1]
    if team["effect"] != "fewer":
        assert "no demonstrable effect" in stdout, "no cost per prevented without an effect"
    # the same folder again, resumed with other workers and Dutch: a separate entry
    code, stdout, err = run_cli([*args[:-2], "--lang", "nl", "--workers", "0"], capsys,
                                monkeypatch)
    assert code == 0, err
    assert "let op: Deze berekening gebruikt 2 replicaties" in err and "Neveneffecten" in stdout, (
        "one language: nl")
    assert "warning" not in err and "Side effects" not in stdout
    with ResultStore(out) as store:
        from sim.runs.folders import folder_history

        hist = folder_history(store)
    assert hist["created_by"]["command"] == "sim " + " ".join(args)
    assert [r["command"] for r in hist["resumed_by"]] == [
        "sim " + " ".join([*args[:-2], "--lang", "nl", "--workers", "0"])]
    prov = json.loads((out / "comparison.json").read_text())["provenance"]
    assert prov["command"] == hist["created_by"]["command"], "the creating command"
    assert prov["resumed_by"] == hist["resumed_by"], "the resume, as its own entry"
    code, stdout, err = run_cli(["report", str(out), "--format", "html"], capsys, monkeypatch)
    assert code == 0 and "rapport:" in stdout and "let op" in err
    html_text = (out / "report-nl.html").read_text(encoding="utf-8")
    assert "Hervat met" in html_text and "--workers 0" in html_text


def test_run_folder_records_its_command_and_each_resume(tmp_path, capsys, monkeypatch):
    from sim.runs.folders import folder_history

    out = tmp_path / "r"
    first = ["run", "baseline", "--years", "0.02", "--out", str(out), "--json"]
    assert run_cli(first, capsys, monkeypatch)[0] == 0
    again = ["run", "baseline", "--years", "0.02", "--out", str(out), "--lang", "nl"]
    assert run_cli(again, capsys, monkeypatch)[0] == 0
    with ResultStore(out) as store:
        hist = folder_history(store)
    assert hist["created_by"]["command"] == "sim " + " ".join(first)
    assert [r["command"] for r in hist["resumed_by"]] == ["sim " + " ".join(again)]
    assert hist["created_by"]["at"] <= hist["resumed_by"][0]["at"]
