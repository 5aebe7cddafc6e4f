"""`sim evidence`: the virtual replications of the studies the mechanisms rest on.

Small versions (a few replications, in this process) so that a change that breaks a study
fails here: the contract of the command, and the science that holds even with few
replications (same seeds throughout).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import invoke_cli

from sim.analysis.evidence import replications as ev
from sim.core.errors import UserError
from sim.model.agents import WIJKAGENT
from sim.model.model import WijkModel
from sim.model.scenario import field_info
from sim.runs.runner import cached_city
from sim.runs.seeds import replication_seed

BASELINE_STUDIES = ("johnson2007", "politie2018_in_act",
                    "politie2018_dark_months", "iic2018_holiday", "politie_analisten2014_night",
                    "lee2017_concentration")


def effect(key: str, scenario, reps: int, seed: int = 3, **overrides) -> float:
    """The study's estimate over ``reps`` replications (in this process)."""
    sc = scenario.with_overrides(overrides) if overrides else scenario
    return ev.run_evidence([key], sc, reps, seed)[0].simulated


# ---- the contract ---------------------------------------------------------------------------
def test_json_contract(capsys, monkeypatch):
    code, out, _ = invoke_cli(["evidence", "-r", "2", "-w", "1", "--seed", "5", "--json",
                               "--only", ",".join(BASELINE_STUDIES)], capsys, monkeypatch)
    assert code == 0
    rows = json.loads(out)  # stdout is pure JSON
    assert [r["study"] for r in rows] == list(BASELINE_STUDIES)
    for r in rows:
        for k in ("study", "mechanism", "published", "published_low", "published_high",
                  "simulated", "low", "high", "within", "design", "extra"):
            assert k in r, f"--json rows must carry {k}"
        study = ev.STUDIES[r["study"]]
        assert (r["published"], r["published_low"], r["published_high"]) == (
            study.published, study.low, study.high)
        assert r["published_low"] <= r["published"] <= r["published_high"]
        assert r["replications"] == 2 and len(r["values"]) == 2
        assert r["low"] <= r["high"]
        assert r["within"] == (r["published_low"] <= r["simulated"] <= r["published_high"]
                               and r["controls_clean"])
        assert r["role"] in ("independent", "fitted") and r["role_note"]
    knox = next(r for r in rows if r["study"] == "johnson2007")
    assert knox["simulated"] > 1, "the baseline must show the near-repeat pattern"


def test_calibration_targets_and_mechanism_fits_are_labelled_fitted():
    # A row whose published figure set a parameter agrees by construction: "fitted".
    targets = {"johnson2007", "politie2018_in_act", "politie2018_dark_months",
               "iic2018_holiday", "lee2017_concentration"}
    for key, study in ev.STUDIES.items():
        if key in targets:
            assert study.role == "fitted", f"{key} is a calibration target: fitted"
        elif study.parameter is not None:
            # a study that could set its parameter is "independent" only when the default is
            # not its fit: a stated prior, which the parameter's source must say
            source = field_info(tuple(study.parameter.split("."))).json_schema_extra["source"]
            fitted = not source.startswith("prior")
            assert study.role == ("fitted" if fitted else "independent"), (
                f"{key}: {study.parameter} is {'fitted' if fitted else 'a prior'} ({source!r}), "
                f"but the row says {study.role}")


def test_published_figures_are_not_parameters(baseline):
    # The issue: a mechanism's strength is earned by its virtual study, never copied from it.
    for study in ev.STUDIES.values():
        assert study.low <= study.published <= study.high
        if study.parameter is not None:
            node = baseline
            for part in study.parameter.split("."):
                node = getattr(node, part)
            assert 0 <= node <= 1 and study.parameter.split(".")[-1] in study.mechanism


@pytest.mark.parametrize("args", [["--only", "nope"], ["--only", "braga2019,nope"],
                                  ["--only", ","], ["--fit", "nope"], ["--fit", "johnson2007"],
                                  ["--fit", "braga2019", "--only", "braga2019"]])
def test_bad_study_keys_exit_2(args, capsys, monkeypatch):
    code, out, err = invoke_cli(["evidence", "-w", "1", *args], capsys, monkeypatch)
    assert code == 2 and not out
    assert "error" in err and "Traceback" not in err


def test_text_table(capsys, monkeypatch):
    code, out, _ = invoke_cli(["evidence", "-r", "1", "-w", "1", "--only", "johnson2007"],
                              capsys, monkeypatch)
    assert code == 0
    for text in ("johnson2007", "1.70", "Knox ratio", "Johnson et al. 2007"):
        assert text in out
    assert "ok" in out or "off" in out


# ---- the science ------------------------------------------------------------------------------
def test_hardening_risk_ratio_below_one_and_monotone(baseline):
    values = [effect("vollaard_vanours2011", baseline, 2,
                     **{"residents.hardened_attempt_fail_prob": h}) for h in (0.1, 0.45, 0.9)]
    assert values[0] > values[1] > values[2], (
        f"more burglary-resistant homes must lower their relative risk: {values}")
    default = effect("vollaard_vanours2011", baseline, 2)
    assert default < 0, f"hardened homes must have the lower risk: {default:+.2f}"


def test_sleeping_residents_deter_less_so_more_burglary_at_night(baseline):
    values = [effect("politie_analisten2014_night", baseline, 2,
                     **{"residents.asleep_deterrence": d}) for d in (0.0, 0.5, 1.0)]
    assert values[0] > values[1] > values[2], (
        f"the less sleeping residents deter, the larger the night share: {values}")
    assert 0.0 < values[2] < 0.13 < values[0], (
        f"the published 13% must lie between the ends the fit searches: {values}")


def test_frequency_concentration_known_answer():
    from sim.model.metrics import concentration, frequency_concentration

    homes = np.arange(100)
    # 20 cells with a burglary: one with 11, nineteen with 1 -> top 10% (2 cells) hold 12/30
    cells = np.concatenate([np.full(11, 7), np.arange(20, 39)])
    assert frequency_concentration(cells, homes) == pytest.approx(12 / 30)
    # prevalence over all 100 cells: top 5% (5 cells) hold 11 + 4 of 30
    assert concentration(cells, homes) == pytest.approx(15 / 30)


def test_place_heterogeneity_concentrates_burglary_beyond_chance(baseline):
    """A stronger place field concentrates burglary more; any field beats household chance."""
    (none,) = ev.run_evidence(["lee2017_concentration"],
                              baseline.with_overrides({"residents.place_sigma": 0.0}), 2, 3)
    (strong,) = ev.run_evidence(["lee2017_concentration"],
                                baseline.with_overrides({"residents.place_sigma": 1.5}), 2, 3)
    assert strong.simulated > none.simulated
    assert strong.extra["rank_stability"] > none.extra["rank_stability"]
    assert strong.extra["prevalence_top5"] > strong.extra["prevalence_top5_chance"]


def placebo_events(scenario, hook) -> tuple[list, list, WijkModel]:
    """Events of one run with and without ``hook`` (same seed), and the hooked model."""
    seed = replication_seed(3, 0)
    plain = WijkModel(scenario, cached_city(scenario.city), seed=seed)
    plain.run_for(plain.n_ticks)
    hooked = WijkModel(scenario, cached_city(scenario.city), seed=seed, study=hook)
    hooked.run_for(hooked.n_ticks)
    return plain.events, hooked.events, hooked


def test_hot_spot_visits_change_nothing_without_deterrence(baseline):
    # With no deterrence and no catching, the extra visits are a pure placebo: the run is
    # the plain run with the same seed (the trial's randomisation has its own stream).
    sc = baseline.with_overrides({"patrol.deterrence_when_present": 0.0,
                                  "wijkagenten.catch_prob": 0.0}).model_copy(
        update={"years": 0.25})
    hook = ev.HotSpotTrial(np.random.default_rng(1))
    plain, hooked, model = placebo_events(sc, hook)
    assert hook.treated.size == ev.HOT_SPOTS // 2
    visits = model.visit_count[WIJKAGENT]
    untreated = np.setdiff1d(np.arange(model.n_homes), hook.treated)
    assert visits[hook.treated].mean() > visits[untreated].mean() + 90 * ev.VISITS_PER_DAY / 2
    assert plain == hooked, "without deterrence the virtual treatment must change nothing"


class RecordingHotSpotTrial(ev.HotSpotTrial):
    """The Braga design, remembering every visit as (tick, home-cell index)."""

    def __init__(self, rng):
        super().__init__(rng)
        self.visits: set[tuple[int, int]] = set()

    def __call__(self, model, day):  # noqa: ANN001, ANN204
        out = super().__call__(model, day)
        if out is not None:
            hours, cells, _ = out
            self.visits |= {(day * 24 + int(h), int(c)) for h, c in zip(hours, cells,
                                                                         strict=True)}
        return out


def _attempts_during_visits(scenario, deterrence: float) -> tuple[int, int]:
    """Attempts in a treated hot spot in the very hour of a visit, and all visits."""
    sc = scenario.with_overrides({"patrol.deterrence_when_present": deterrence}).model_copy(
        update={"years": 0.5})
    hook = RecordingHotSpotTrial(np.random.default_rng(4))
    model = WijkModel(sc, cached_city(sc.city), seed=replication_seed(4, 0), study=hook)
    model.run_for(model.n_ticks)
    index = {int(c): i for i, c in enumerate(model.home_cell)}
    hits = sum((int(t), index[int(c)]) in hook.visits for t, c, *_ in model.events)
    return hits, len(hook.visits)


def test_full_deterrence_cuts_attempts_in_a_visited_hot_spot_hour(baseline):
    # A visit deters for its minutes (and a residual after), not for the whole hour: at
    # full deterrence attempts in a visited hot-spot hour fall clearly, but not to zero
    # (an outing before the visit starts, or long after it, is not deterred).
    hits, visits = _attempts_during_visits(baseline, 1.0)
    hits0, _ = _attempts_during_visits(baseline, 0.0)
    assert visits > 1000 and hits0 > 0, "visited hot spots see burglaries without deterrence"
    assert hits < 0.8 * hits0, f"{hits} vs {hits0} attempts in visited hours"


def test_buurtpreventie_changes_nothing_without_deterrence(baseline):
    sc = baseline.with_overrides({"wijkregisseur.buurtpreventie_deterrence": 0.0,
                                  "wijkregisseur.buurtpreventie_catch_prob": 0.0}).model_copy(
        update={"years": 0.75})
    hook = ev.BuurtpreventieTrial(np.random.default_rng(1))
    plain, hooked, model = placebo_events(sc, hook)
    assert model.residents.buurtpreventie.max() == ev.STUDY_COVERAGE
    assert plain == hooked, "without deterrence buurtpreventie must change nothing"


def test_buurtpreventie_effect_grows_with_its_deterrence(baseline):
    key, par = "akkermans_vollaard2015", "wijkregisseur.buurtpreventie_deterrence"
    # Same seeds for both (common random numbers). The placebo's own size is not asserted:
    # a half-year DiD of 7 against 7 wijken swings by tens of percent (offender turnover,
    # near repeats); that the placebo changes nothing at all is the test above.
    none = effect(key, baseline, 2, **{par: 0.0, "wijkregisseur.buurtpreventie_catch_prob": 0})
    full = effect(key, baseline, 2, **{par: 1.0})
    assert full < none - 0.2, (
        f"full deterrence must lower treated wijken: {full:+.0%} vs placebo {none:+.0%}")


def test_buurtpreventie_controls_do_not_move_against_a_same_seed_placebo(baseline):
    # The control wijken of the buurtpreventie study must not move by more than noise
    # against the same run without treatment: no displacement (Akkermans & Vollaard 2015
    # found none next door) and no pool that grows because fewer offenders are caught.
    row = ev.run_evidence(["akkermans_vollaard2015"], baseline, 3, 11)[0]
    x, se = row.extra["control_vs_placebo"], row.placebo_se
    assert np.isfinite(x) and np.isfinite(se) and se > 0
    assert row.clean and abs(x) <= ev.PLACEBO_Z * se, (
        f"control wijken moved {x:+.1%} against the placebo (se {se:.1%})")


def test_difference_in_differences():
    assert ev.did(100, 50, 100, 100) == pytest.approx(-0.5)
    assert ev.did(100, 80, 50, 50) == pytest.approx(-0.2)
    assert np.isnan(ev.did(0, 5, 10, 10))
    assert ev.pooled([(10, 5, 10, 10), (30, 15, 10, 10)]) == pytest.approx(-0.5)


def test_fit_finds_the_hardening_strength(baseline):
    res = ev.fit("vollaard_vanours2011", baseline, 2, 3, max_evaluations=4)
    assert res.reachable and 0 < res.value < 1
    assert len(res.evaluations) <= 4
    at_ends = [m for x, m, *_ in res.evaluations if x in (0.0, 1.0)]
    assert at_ends[0] > ev.VOLLAARD_VAN_OURS_2011[0] > at_ends[1]
    best = min(res.evaluations, key=lambda e: abs(e[0] - res.value))
    # two replications of a 15% new-build group: its effect is noisy (se about 0.05)
    assert abs(best[1] - ev.VOLLAARD_VAN_OURS_2011[0]) < 0.15
    with pytest.raises(UserError):
        ev.fit("johnson2007", baseline, 1, 3)
