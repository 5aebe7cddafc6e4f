"""Modus-operandi waves (issue 23, item 3): schema errors, spread, success, the answer."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.core.errors import UserError
from sim.model.city import load_city
from sim.model.model import WijkModel
from sim.model.scenario import load_scenario, validate_scenario


def _scenario(**shock):
    sc = load_scenario("baseline", calibrated=False)
    data = sc.params() | {"years": 1.0, "burn_in_years": 0.0}
    data["shocks"] = [{"start": "2024-02-01", **shock}]
    return validate_scenario(data)


@pytest.mark.parametrize("shock, words", [
    ({"technique": "lockpicking"}, ["shocks.0.technique", "cilindertrekken"]),
    ({"start": "2030-01-01"}, ["shocks.0.start", "outside the simulated period"]),
    ({"learning_per_day": -1}, ["shocks.0.learning_per_day", "allowed"]),
    ({"speed": 2}, ["shocks.0.speed", "unknown field"]),
])
def test_bad_shocks_are_refused_with_the_field_named(shock, words):
    with pytest.raises(UserError) as exc:
        _scenario(**shock)
    for w in words:
        assert w in str(exc.value)


def test_the_shipped_wave_scenario_loads_for_any_city():
    for city in ("amstelveen", "amersfoort"):
        sc = load_scenario("inbraakgolf", city=city)
        assert sc.shocks and sc.shocks[0].start == date(2025, 3, 1)


@pytest.fixture(scope="module")
def pair():
    """One year of Amstelveen with and without a wave from 1 February (same seed)."""
    city = load_city("amstelveen")
    on = _scenario(learning_per_day=0.2)
    off = on.model_copy(update={"shocks": []})
    runs = {}
    for key, sc in (("on", on), ("off", off)):
        m = WijkModel(sc, city, seed=5)
        runs[key] = (m, m.run())
    return runs


def test_the_technique_spreads_from_a_few_to_most_offenders(pair):
    wave = pair["on"][0].waves[0]
    share = np.array(wave.knowing_share)
    assert share[0] <= 0.1, "a few bring it in"
    assert share[-30:].mean() > 0.5, "co-offenders pass it on"
    assert share[-30:].mean() > share[:30].mean()


def test_a_wave_raises_burglaries_and_its_answer_lowers_vulnerability(pair):
    m, out = pair["on"]
    _, base = pair["off"]
    assert out.attempts.sum() > base.attempts.sum()
    wave = m.waves[0]
    assert wave.noticed_day is not None and wave.noticed_day > wave.start_day
    assert wave.vulnerable.max() <= wave.p.vulnerable_share
    assert wave.vulnerable.min() < wave.p.vulnerable_share, "letters and tents reach homes"


def test_the_technique_lowers_failure_only_for_those_who_know_it(pair):
    m = pair["on"][0]
    wave = m.waves[0]
    rng = np.random.default_rng(0)
    knower = next(b for b in m.burglars if b.unique_id in wave.knows)
    wave.vulnerable[:] = 1.0
    assert wave.attempt_fail(knower, 0, 0.3, rng) == wave.p.technique_fail_prob
    wave.knows.discard(knower.unique_id)
    assert wave.attempt_fail(knower, 0, 0.3, rng) == 0.3
