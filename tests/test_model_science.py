"""The model's mechanisms, tested by the direction and size of their effects (same seeds)."""

from __future__ import annotations

import numpy as np
from conftest import mean_total, run_model

from sim.model.agents import TEAM
from sim.model.metrics import knox_ratio
from sim.model.scenario import load_scenario


def test_zero_burglars_means_zero_burglaries(baseline):
    _, out = run_model(baseline, years=0.5, overrides={"offenders.active_offenders": 0})
    assert out.attempts.sum() == 0, "no offenders must give no woninginbraken"
    assert out.arrests.sum() == 0


def test_hardening_every_home_cuts_completed_burglaries(baseline):
    years, reps = 1.0, 2
    base = mean_total(baseline, years=years, reps=reps, field="completed")
    all_hard = {"residents.initial_hardened_share": 1.0}
    hard_completed = mean_total(baseline, years=years, reps=reps, overrides=all_hard,
                                field="completed")
    hard_attempts = mean_total(baseline, years=years, reps=reps, overrides=all_hard)
    fail = baseline.residents.hardened_attempt_fail_prob
    assert hard_completed < 0.5 * base, (
        f"hardening every home should at least halve completed burglaries: {hard_completed} "
        f"vs {base}")
    share = hard_completed / hard_attempts
    assert abs(share - (1 - fail)) < 0.06, (
        f"with every home hardened, the completed share {share:.3f} should be close to "
        f"1 - hardened_attempt_fail_prob = {1 - fail:.3f}")
    proof = {**all_hard, "residents.hardened_attempt_fail_prob": 1.0}
    _, out = run_model(baseline, years=years, overrides=proof)
    assert out.attempts.sum() > 0 and out.completed.sum() == 0, (
        "burglary-proof homes everywhere: attempts still happen, none is completed")


def test_more_boa_patrol_does_not_raise_burglaries(baseline):
    years, reps = 1.0, 4
    low = mean_total(baseline, years=years, reps=reps,
                     overrides={"boa.burglary_patrol_share": 0.05})
    high = mean_total(baseline, years=years, reps=reps,
                      overrides={"boa.burglary_patrol_share": 0.5})
    assert high <= low, f"10x boa patrol hours gave more burglaries: {high} vs {low}"


def test_interventieteam_lowers_burglaries_overall(baseline):
    team = load_scenario("interventieteam")
    base = mean_total(baseline, years=1.0, reps=3)
    with_team = mean_total(team, years=1.0, reps=3)
    assert with_team < base, f"the interventieteam should lower burglaries: {with_team} vs {base}"


def test_interventieteam_lowers_burglaries_in_the_cells_it_targets(baseline):
    # Targeting independent of events (info_quality 0: patrol follows households), so the
    # cells the team visits most are fixed before any burglary happens: no reverse causality.
    team = load_scenario("interventieteam").with_overrides({"interventieteam.info_quality": 0.0})
    in_base, in_team = 0, 0
    for r in range(3):
        model_t, out_t = run_model(team, years=1.0, replication=r)
        _, out_b = run_model(baseline, years=1.0, replication=r)
        visits = model_t.visit_count[TEAM]
        assert visits.sum() > 0, "the team must patrol"
        targeted = model_t.home_cell[visits >= np.quantile(visits, 0.9)]
        in_team += int(np.isin(out_t.events["cell"], targeted).sum())
        in_base += int(np.isin(out_b.events["cell"], targeted).sum())
    assert in_team < in_base, (
        f"burglaries in the team's most-patrolled cells: team {in_team} vs baseline {in_base}")


def test_wijkregisseur_effects_build_up_and_persist(baseline):
    sc = load_scenario("wijkregisseur").model_copy(update={"years": 4})
    sc = sc.with_overrides({"wijkregisseur.last_year": sc.start_year + 1})
    from sim.model.model import WijkModel
    from sim.runs.runner import cached_city

    model = WijkModel(sc, cached_city(sc.city), seed=3)
    hardened, strength = [model.residents.hardened.mean()], [0.0]
    for _ in range(4):  # yearly checkpoints; the programme runs the first two years
        model.run_for(365 * 24)
        hardened.append(model.residents.hardened.mean())
        strength.append(np.mean([r.strength for r in model.regisseurs]))
    assert hardened[1] > hardened[0] and hardened[2] > hardened[1], (
        f"hardening should build up while the wijkregisseurs work: {hardened}")
    assert strength[2] > strength[1] > 0, f"network strength should grow: {strength}"
    assert strength[4] < strength[2], f"strength should decay after the programme: {strength}"
    assert hardened[4] >= hardened[2], f"hardened homes stay hardened: {hardened}"


def _knox_mean(scenario, enabled: bool, reps: int = 3) -> float:
    ks = []
    for r in range(reps):
        _, out = run_model(scenario, years=3.0, replication=r,
                           overrides={"near_repeat.enabled": enabled})
        ks.append(knox_ratio(out.events["tick"], out.cell_xy[out.events["cell"]]))
    return float(np.mean(ks))


def test_near_repeat_boost_gives_space_time_clustering(baseline):
    on = _knox_mean(baseline, True)
    off = _knox_mean(baseline, False)
    assert on > 1.15, f"Knox ratio (≤200 m, ≤14 d) with near-repeat on should be > 1.15: {on:.2f}"
    assert 0.85 < off < 1.12, f"Knox ratio with near-repeat off should be ≈ 1: {off:.2f}"


def test_knox_ratio_known_answers():
    rng = np.random.default_rng(0)
    n = 3000  # enough close pairs (~200 expected) for a precise ratio
    ticks = rng.integers(0, 365 * 24 * 3, n)
    xy = rng.uniform(0, 8000, (n, 2))
    k = knox_ratio(ticks, xy)
    assert 0.8 < k < 1.2, f"independent events give a ratio near 1, got {k:.2f}"
    # every event followed by a copy nearby and soon: strong clustering
    ticks2 = np.concatenate([ticks, ticks + 24])
    xy2 = np.concatenate([xy, xy + 50])
    assert knox_ratio(ticks2, xy2) > 2, "copies nearby and soon must cluster"


def test_occupancy_shapes_burglary_by_hour(baseline):
    _, out = run_model(baseline, years=1.0)
    hours = out.events["tick"] % 24
    night = np.isin(hours, [1, 2, 3, 4]).sum()
    day = np.isin(hours, [10, 11, 12, 13]).sum()
    assert day > 3 * night, f"daytime (homes empty) should dominate the night: {day} vs {night}"


def test_darker_evenings_raise_winter_evening_burglary(baseline):
    _, out = run_model(baseline, years=2.0)
    day = (out.events["tick"] // 24) % 365
    hour = out.events["tick"] % 24
    evening = (hour >= 18) & (hour <= 21)
    winter = (day < 60) | (day >= 305)
    summer = (day >= 120) & (day < 240)
    w = (evening & winter).sum() / winter.sum()
    s = (evening & summer).sum() / summer.sum()
    assert w > s, f"evening share of burglaries should be higher in winter: {w:.3f} vs {s:.3f}"


def test_guardians_nearby_catch_burglars_in_the_act(baseline):
    low = mean_total(baseline, years=1.0, reps=3, field="arrests",
                     overrides={"boa.catch_prob": 0.0, "wijkagenten.catch_prob": 0.0})
    high = mean_total(baseline, years=1.0, reps=3, field="arrests",
                      overrides={"boa.catch_prob": 0.6, "wijkagenten.catch_prob": 0.6})
    assert high > low, f"a higher catch-in-the-act probability must add arrests: {high} vs {low}"
