"""Natural experiments in the record: estimators with known answers, and the record's own."""

from __future__ import annotations

import math

import pytest

from sim.analysis.evidence.natural.estimators import did, did_placebo, synthetic_control
from sim.analysis.evidence.natural.team import observed, posterior

YEARS = range(2012, 2024)
PRE, POST = range(2012, 2018), range(2019, 2023)


def series(level: float, trend: float, bump: float = 1.0) -> dict[int, float]:
    return {y: level * math.exp(trend * (y - 2012)) * (bump if y in POST else 1.0)
            for y in YEARS}


def test_did_recovers_a_known_effect_under_a_common_trend():
    control = series(1000, -0.12)
    treated = series(300, -0.12, bump=1.5)
    assert did(treated, control, PRE, POST) == pytest.approx(0.5)
    assert did(series(300, -0.12), control, PRE, POST) == pytest.approx(0.0, abs=1e-12)


def test_synthetic_control_finds_the_mix_and_the_effect():
    a, b = series(100, -0.05), series(200, -0.20)
    a = {y: v * (1.3 if y in (2013, 2016) else 1.0) for y, v in a.items()}  # shapes differ
    c = {y: 50 * (1.5 if y % 2 else 1.0) for y in YEARS}
    mix = {y: math.exp(0.3 * math.log(a[y] / 100) + 0.7 * math.log(b[y] / 200)) * 400
           for y in YEARS}
    treated = {y: v * (0.8 if y in POST else 1.0) for y, v in mix.items()}
    s = synthetic_control(treated, {"a": a, "b": b, "c": c}, PRE, POST)
    assert s.effect == pytest.approx(-0.2, abs=0.01)
    assert s.weights["a"] == pytest.approx(0.3, abs=0.02) and s.weights["c"] < 0.02


def test_placebos_put_a_real_effect_first():
    units = {"t": series(300, -0.1, bump=1.4),
             **{f"u{i}": {y: v * (1 + 0.02 * ((i * y) % 3 - 1)) for y, v in
                          series(100 * i, -0.1).items()} for i in range(1, 6)}}
    p = did_placebo("t", units, PRE, POST)
    assert p.effect > 0.3 and p.p_value == pytest.approx(1 / 6)
    assert all(abs(v) < p.effect for v in p.placebos.values())


def test_the_record_amstelveen_declined_less_than_the_others():
    """Issue 21: DiD about +35% (others and national), synthetic control about +23%."""
    o = observed()
    assert o["did_others"]["effect"] == pytest.approx(0.35, abs=0.02)
    assert o["did_national"]["effect"] == pytest.approx(0.35, abs=0.02)
    assert 0.18 < o["synthetic_control"]["effect"] < 0.30
    assert o["synthetic_control"]["largest_gap"], "the largest gap of the seven units"
    lo, hi = o["did_others"]["placebo_interval"]
    assert lo < 0 < hi < o["did_others"]["effect"]
    assert any("gang" in c for c in o["confounders"])
    assert any("police" in c for c in o["confounders"])
    assert len(o["sensitivity"]) >= 5


def test_posterior_lies_between_and_says_when_the_record_contradicts():
    o = observed()
    sim = {"effect": -0.25, "sd_log": 0.08}
    p = posterior(sim, o)
    assert math.log1p(p["predicted_from_studies"]) < math.log1p(p["after_record"]) < \
        math.log1p(p["record_estimate"])
    assert p["contradicts"] and "contradicts" in p["plain"]
    agree = posterior({"effect": o["did_others"]["effect"], "sd_log": 0.08}, o)
    assert not agree["contradicts"]


def test_the_lockdown_drop_in_the_record():
    """Issue 21: 2019 -> 2021 Amstelveen -30%, the unit's others about -50%, national -40%."""
    from sim.analysis.evidence.natural.lockdown import ONLY_OCCUPANCY
    from sim.analysis.evidence.natural.lockdown import observed as lockdown_observed

    o = lockdown_observed()
    assert o["amstelveen"] == pytest.approx(186 / 266 - 1)
    assert -0.55 < o["unit_others"] < -0.45
    assert o["national"] == pytest.approx(23526 / 39474 - 1)
    assert ONLY_OCCUPANCY["drivers"]["offending_elasticity"] == 0, "only occupancy moves"


def test_team_record_file_round_trips(tmp_path, monkeypatch):
    from sim.analysis.evidence.natural import posterior_file

    study = {"posterior": {k: 0.1 for k in posterior_file.KEYS},
             "observed": {"did_others": {"effect": 0.35}, "did_national": {"effect": 0.34},
                          "synthetic_control": {"effect": 0.25}, "pre": "2012-2017",
                          "post": "2019-2022", "confounders": ["gang"]},
             "simulated": {"effect": -0.2, "p5": -0.3, "p95": -0.1, "replications": 4,
                           "seed": 1}}
    study["posterior"].update(contradicts=True, plain="x", plain_nl="y", method="m")
    monkeypatch.setattr(posterior_file, "city_folder", lambda city: tmp_path)
    posterior_file.write_team_record(study, "amstelveen")
    got = posterior_file.read_team_record("amstelveen")
    assert got["contradicts"] is True and got["observed"]["did_others"] == 0.35


def test_compare_shows_both_team_estimates_on_team_rows_only():
    from sim.cli.compare import _team_estimates

    est = {"predicted_from_studies": -0.21, "after_record": 0.01}
    comp = {"team_estimates": est, "provenance": {"scenarios": {
        "baseline": {"params": {"interventieteam": {"fte": 0}}},
        "interventieteam": {"params": {"interventieteam": {"fte": 4}}}}}}
    assert _team_estimates(comp, {"scenario": "interventieteam"}) == {"team_estimates": est}
    assert _team_estimates(comp, {"scenario": "baseline"}) == {}
    assert _team_estimates({**comp, "team_estimates": None},
                           {"scenario": "interventieteam"}) == {}


def test_strength_after_record_inverts_the_curve_and_says_when_bounded():
    from sim.analysis.evidence.natural.team import strength_after_record

    curve = {"0": -0.05, "0.5": -0.12, "1": -0.2, "2": -0.3}
    mid = strength_after_record(curve, -0.16)
    y0, y1 = math.log1p(-0.12), math.log1p(-0.2)
    assert mid["strength"] == pytest.approx(0.5 + (math.log1p(-0.16) - y0) / (y1 - y0) * 0.5,
                                            abs=1e-4)
    assert mid["bounded"] == "" and mid["effect_at_strength"] == pytest.approx(-0.16, abs=1e-4)
    assert strength_after_record(curve, -0.2)["strength"] == pytest.approx(1.0)
    low = strength_after_record(curve, +0.10)  # the record allows less than patrol alone
    assert low["strength"] == 0 and low["bounded"] == "low"
    assert low["effect_at_strength"] == pytest.approx(-0.05)
    assert strength_after_record(curve, -0.6)["bounded"] == "high"


def test_team_inputs_scale_the_incapacitation_priors_only():
    from sim.analysis.evidence.natural.team import INCAPACITATION, team_inputs
    from sim.model.scenario import load_scenario

    team = load_scenario("baseline").interventieteam
    half = team_inputs("amstelveen", 0.5)
    assert set(half) == set(INCAPACITATION)
    for k in INCAPACITATION:
        assert half[k] == pytest.approx(getattr(team, k) * 0.5, abs=1e-6)
    assert all(v == 0 for v in team_inputs("amstelveen", 0).values())


def test_the_team_after_the_record_scenario_holds_the_written_inputs():
    """scenarios/interventieteam-na-registratie.toml carries team_record.toml's inputs."""
    from sim.analysis.evidence.natural import posterior_file
    from sim.model.scenario import load_scenario

    rec = posterior_file.read_team_record("amstelveen")
    inputs = rec["team_after_record"]["inputs"]
    sc = load_scenario("interventieteam-na-registratie")
    base = load_scenario("interventieteam")
    for k, v in inputs.items():
        assert getattr(sc.interventieteam, k) == pytest.approx(v, abs=1e-4), k
    # everything else is the interventieteam's
    assert sc.interventieteam.fte == base.interventieteam.fte > 0
    assert sc.interventieteam.cost_eur_per_hour == base.interventieteam.cost_eur_per_hour


def test_page_one_ranking_says_what_the_record_changes():
    """Issue 21: when the record contradicts the studies, the ranking sentence says so."""
    from sim.report.build import _record_caveat

    def row(name, cpp):
        return {"scenario": name, "cost_per_prevented_eur": cpp}

    team, rec, reg = (row("interventieteam", 6480), row("interventieteam-na-registratie", 40900),
                      row("wijkregisseur", 9900))
    scen = {"interventieteam": {"params": {"interventieteam": {"fte": 4}}},
            "interventieteam-na-registratie": {"params": {"interventieteam": {"fte": 4}}},
            "wijkregisseur": {"params": {"interventieteam": {"fte": 0}}}}
    comp = {"team_estimates": {"contradicts": True}, "provenance": {"scenarios": scen}}
    rows = [team, rec, reg]
    nl = _record_caveat(comp, rows, rows, team, "nl")
    assert "spreken het effect van een inbrakenteam tegen" in nl
    assert "40.900" in nl and "wijkregisseur de laagste kosten" in nl and "9.900" in nl
    en = _record_caveat(comp, [team, reg], [team, reg], team, "en")
    assert "add the scenario interventieteam-na-registratie" in en
    # no caveat when the record agrees, or when the cheapest is not the studies' team
    assert _record_caveat({**comp, "team_estimates": {"contradicts": False}}, rows, rows, team,
                          "nl") == ""
    assert _record_caveat(comp, rows, rows, reg, "nl") == ""
