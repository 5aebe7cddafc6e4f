"""The model's mechanisms, tested by the direction and size of their effects (same seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mean_total, run_model

from sim.model.agents import TEAM
from sim.model.metrics import concentration, holiday_ratio, knox_ratio
from sim.model.model import WijkModel
from sim.model.scenario import load_scenario
from sim.runs.runner import cached_city


def _events(scenario, *, years: float, reps: int, overrides: dict) -> np.ndarray:
    """The events of ``reps`` replications, concatenated."""
    return np.concatenate([run_model(scenario, years=years, replication=r,
                                     overrides=overrides)[1].events for r in range(reps)])


def test_zero_burglars_means_zero_burglaries(baseline):
    _, out = run_model(baseline, years=0.5, overrides={"offenders.active_offenders": 0})
    assert out.attempts.sum() == 0, "no offenders must give no woninginbraken"
    assert out.arrests.sum() == 0


def test_a_larger_offender_pool_gives_more_burglary(baseline):
    # more burglars, more burglary: paired seeds, the pool at half and at one and a half
    # times its default
    n = baseline.offenders.active_offenders
    small = sum(run_model(baseline, years=0.5, replication=r,
                          overrides={"offenders.active_offenders": n // 2})[1].attempts.sum()
                for r in range(3))
    large = sum(run_model(baseline, years=0.5, replication=r,
                          overrides={"offenders.active_offenders": 3 * n // 2})[1].attempts.sum()
                for r in range(3))
    assert small < large, (f"{n // 2} offenders gave {small} woninginbraken, {3 * n // 2} "
                           f"gave {large} (3 seeds, half a year)")


def test_hardening_is_one_strength_avoidance_and_failure(baseline):
    # One mechanism, one strength s: a hardened home is passed by with probability s, and
    # an attempt made on it anyway fails with 1 - (1 - attempt_fail_prob)(1 - s).
    r = baseline.residents
    s, share = r.hardened_attempt_fail_prob, 0.35
    ev = _events(baseline, years=1.0, reps=2,
                 overrides={"residents.initial_hardened_share": share,
                            "residents.victim_hardening_prob": 0.0,
                            "drivers.enabled": False})  # no hardening trend over time
    hard = ev["hardened"]
    want = share * (1 - s) / (share * (1 - s) + 1 - share)
    assert abs(hard.mean() - want) < 0.05, (
        f"hardened homes are {share:.0%} of homes; passed by with probability {s:.2f} they "
        f"should be {want:.1%} of attempts, got {hard.mean():.1%}")
    done_h, done_u = ev["completed"][hard].mean(), ev["completed"][~hard].mean()
    want_h = (1 - r.attempt_fail_prob) * (1 - s)
    assert abs(done_h - want_h) < 0.08, (
        f"completed share of attempts on hardened homes {done_h:.3f}, want "
        f"(1 - attempt_fail_prob)(1 - strength) = {want_h:.3f}")
    assert abs(done_u - (1 - r.attempt_fail_prob)) < 0.05, (
        f"completed share of attempts on other homes {done_u:.3f}, want "
        f"1 - attempt_fail_prob = {1 - r.attempt_fail_prob:.3f}")


def test_hardening_alone_lowers_the_headline_count(baseline):
    # The headline counts attempts too: hardening must lower it (burglars pass hardened
    # homes by), not only turn completions into failed attempts. Paired seeds.
    years, reps = 1.0, 3
    none = {"residents.initial_hardened_share": 0.0, "residents.victim_hardening_prob": 0.0}
    all_hard = {"residents.initial_hardened_share": 1.0}
    for field in ("attempts", "completed"):
        base = mean_total(baseline, years=years, reps=reps, overrides=none, field=field)
        hard = mean_total(baseline, years=years, reps=reps, overrides=all_hard, field=field)
        assert hard < 0.9 * base, (
            f"hardening every home should lower {field} clearly: {hard:.0f} vs {base:.0f}")
    proof = {**all_hard, "residents.hardened_attempt_fail_prob": 1.0}
    _, out = run_model(baseline, years=0.25, overrides=proof)
    assert out.attempts.sum() == 0, "burglary-proof homes everywhere are all passed by"


def test_more_boa_patrol_does_not_raise_burglaries(baseline):
    """A one-sided paired test: 10x the boa patrol hours, same seeds per replication.

    City-wide patrol moves the total by a few percent, less than a year's noise, so the test
    asks that the paired mean difference is not significantly above zero (two standard
    errors), rather than that every noisy comparison comes out lower. The pairs are weakly
    correlated (more patrol draws from the streams, so the runs part ways early): paired
    differences have an sd of about 25 burglaries a year at today's level, hence 16 pairs
    (with 6, the final calibration's first six pairs happened to average +14, se 7; all 16
    average -3, se 7).
    """
    years, reps = 1.0, 16
    diffs = np.array([
        run_model(baseline, years=years, replication=r,
                  overrides={"boa.burglary_patrol_share": 0.5})[1].attempts.sum()
        - run_model(baseline, years=years, replication=r,
                    overrides={"boa.burglary_patrol_share": 0.05})[1].attempts.sum()
        for r in range(reps)], dtype=float)
    se = diffs.std(ddof=1) / np.sqrt(reps)
    assert diffs.mean() <= 2 * se, (
        f"10x boa patrol hours gave significantly more burglaries: {diffs.mean():+.1f} "
        f"a year (se {se:.1f})")


def test_interventieteam_lowers_burglaries_overall(baseline):
    team = load_scenario("interventieteam")
    base = mean_total(baseline, years=1.0, reps=3)
    with_team = mean_total(team, years=1.0, reps=3)
    assert with_team < base, f"the interventieteam should lower burglaries: {with_team} vs {base}"


def test_interventieteam_lowers_burglaries_in_the_cells_it_targets(baseline):
    # Targeting independent of events (info_quality 0: patrol follows households), so the
    # cells the team visits are fixed before any burglary happens: no reverse causality.
    # Its list is short (about 13 cells, each visited every couple of hours), and at today's
    # level those cells hold about one burglary a year: the test counts the homes within
    # the patrol's deterrence radius of them, where a visit deters (about 10 a year).
    team = load_scenario("interventieteam").with_overrides({"interventieteam.info_quality": 0.0})
    radius = baseline.patrol.deterrence_radius_m
    in_base, in_team = 0, 0
    for r in range(6):
        model_t, out_t = run_model(team, years=1.0, replication=r)
        _, out_b = run_model(baseline, years=1.0, replication=r)
        visits = model_t.visit_count[TEAM]
        assert visits.sum() > 0, "the team must patrol"
        xy = model_t.home_xy
        visited = xy[visits > 0]
        dist = np.sqrt(((xy[:, None, :] - visited[None, :, :]) ** 2).sum(-1)).min(axis=1)
        targeted = model_t.home_cell[dist <= radius]
        in_team += int(np.isin(out_t.events["cell"], targeted).sum())
        in_base += int(np.isin(out_b.events["cell"], targeted).sum())
    assert in_team < in_base, (
        f"burglaries where the team patrols: team {in_team} vs baseline {in_base}")


def test_wijkregisseur_effects_build_up_and_persist(baseline):
    sc = load_scenario("wijkregisseur").model_copy(update={"years": 4})
    sc = sc.with_overrides({"wijkregisseur.last_year": sc.start_year + 1})
    r = sc.wijkregisseur
    model = WijkModel(sc, cached_city(sc.city), seed=3)
    model.run_for(model.burn_in_days * 24)  # the burn-in ends where the programme starts
    assert all(g.strength == 0 and g.hours == 0 for g in model.regisseurs), \
        "no network and no regisseur hours before the programme starts"
    hardened, strength = [model.residents.hardened.mean()], [0.0]
    for _ in range(4):  # yearly checkpoints; the programme runs the first two years
        model.run_for(365 * 24)
        hardened.append(model.residents.hardened.mean())
        strength.append(np.mean([g.strength for g in model.regisseurs]))
        for g in model.regisseurs:  # buurtpreventie follows the network's strength
            assert np.allclose(model.residents.buurtpreventie[g.cells],
                               r.buurtpreventie_coverage * g.strength)
    assert hardened[1] > hardened[0] and hardened[2] > hardened[1], (
        f"hardening should build up while the wijkregisseurs work: {hardened}")
    assert strength[2] > strength[1] > 0, f"network strength should grow: {strength}"
    # after the programme: no contact hours, so the network decays with decay_days
    decay = (1 - 1 / r.decay_days) ** 365
    assert strength[3] == pytest.approx(strength[2] * decay, rel=1e-9) and \
        strength[4] == pytest.approx(strength[3] * decay, rel=1e-9), (
        f"strength should decay with decay_days ({r.decay_days}) after the programme: "
        f"{strength}")
    assert hardened[4] >= hardened[2], f"hardened homes stay hardened: {hardened}"


def test_wijkregisseur_network_grows_with_contact_hours(baseline):
    sc = load_scenario("wijkregisseur").model_copy(update={"years": 1})
    strength, hardened = [], []
    for share in (0.0, 0.3, 0.8):
        m, _ = run_model(sc, years=1.0, overrides={"wijkregisseur.contact_share": share,
                                                  "residents.victim_hardening_prob": 0.0,
                                                  "drivers.enabled": False})
        strength.append(np.mean([g.strength for g in m.regisseurs]))
        hardened.append(m.residents.hardened.mean())
    assert strength[0] == 0 and hardened[0] == pytest.approx(
            sc.residents.initial_hardened_share), (
        f"without contact hours no network and no hardening campaign: {strength}, {hardened}")
    assert strength[2] > strength[1] > 0, f"more contact hours, stronger network: {strength}"
    assert hardened[2] > hardened[1] > hardened[0], (
        f"a stronger network gets more homes hardened: {hardened}")


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
    # Isolate the guardians: no alert residents (caught_in_act_prob 0), and the baseline has
    # no wijkregisseurs, so no buurtpreventie. Arrests in the act are then the guardians'.
    assert baseline.wijkregisseur.per_gebied == 0
    guardians = {"residents.caught_in_act_prob": 0.0, "interventieteam.catch_prob": 0.0}
    low = _events(baseline, years=1.0, reps=3,
                  overrides={**guardians, "boa.catch_prob": 0.0, "wijkagenten.catch_prob": 0.0})
    high = _events(baseline, years=1.0, reps=3,
                   overrides={**guardians, "boa.catch_prob": 0.6, "wijkagenten.catch_prob": 0.6})
    assert low["in_act"].sum() == 0, "no guardian catches and no alert residents: none in the act"
    assert high["in_act"].sum() > 0, "guardians who can catch must catch some burglars in the act"
    assert high["arrested"][high["in_act"]].all(), "caught in the act means arrested"


def test_alert_residents_catch_their_share_in_the_act(baseline):
    cip = baseline.residents.caught_in_act_prob
    no_guardians = {"boa.catch_prob": 0.0, "wijkagenten.catch_prob": 0.0,
                    "interventieteam.catch_prob": 0.0}
    ev = _events(baseline, years=1.0, reps=2, overrides=no_guardians)
    share = ev["in_act"].mean()
    assert abs(share - cip) < 0.025, (
        f"without guardians, {share:.3f} of attempts were caught in the act; want "
        f"caught_in_act_prob = {cip:.3f}")
    assert ev["arrested"][ev["in_act"]].all(), "caught in the act means arrested"


def test_christmas_holiday_absence_raises_burglary_then(baseline):
    ratios = []
    for away in (0.0, 0.4):
        daily = sum(run_model(baseline, years=2.0, replication=r,
                              overrides={"residents.holiday_away_share": away})[1]
                    .attempts.sum(axis=1) for r in range(2))
        ratios.append(holiday_ratio(daily))
    assert ratios[1] > 1.2 and ratios[1] > ratios[0] + 0.2, (
        f"with 40% of households away in the Christmas holiday, burglary per day then should "
        f"rise clearly above the year's mean and above the no-absence run: {ratios}")


def test_place_heterogeneity_concentrates_burglary(baseline):
    top5 = []
    for sigma in (0.3, 1.5):
        shares = []
        for r in range(2):
            _, out = run_model(baseline, years=1.0, replication=r,
                               overrides={"residents.place_sigma": sigma})
            shares.append(concentration(out.events["cell"], out.home_cells))
        top5.append(float(np.mean(shares)))
    assert top5[1] > top5[0] + 0.1, (
        f"more heterogeneous places (place_sigma 1.5 vs 0.3) should concentrate burglary in "
        f"the top 5% of home cells: {top5}")


def test_burn_in_is_simulated_but_left_out_of_the_output(baseline):
    runs = {b: run_model(baseline.model_copy(update={"burn_in_years": b}), years=1.0)
            for b in (0, 1)}
    model, out = runs[1]
    assert model.tick == 2 * 365 * 24 and model.year_of_day(0) == baseline.start_year - 1
    assert out.days == 365 and out.attempts.shape[0] == 365
    assert out.events.size == out.attempts.sum() > 0
    assert out.events["tick"].min() >= 0 and out.events["tick"].max() < 365 * 24
    assert out.events["completed"].sum() == out.completed.sum()
    assert out.hours == pytest.approx(runs[0][1].hours), "hours: the counted period only"
    assert np.array_equal(out.home_cells, runs[0][1].home_cells)
