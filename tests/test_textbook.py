"""The textbook Mesa reference (benchmarks/textbook.py) implements WijkModel's rules.

The benchmark's speed-up figure only means something if the reference simulates the same
thing. On a small city (about one household per home cell, so the per-household reference
is quick) and a 60-day horizon we check: no offenders -> no burglaries; the levels of
burglaries and of completed burglaries agree with WijkModel's within sampling error; and both
respond in the same direction to patrols that deter longer (96 hours instead of the default
minutes) and farther (400 instead of 200 m). Offenders are made homogeneous (``rate_shape``
large) to cut the run-to-run variance that offender heterogeneity causes. The reference has no
burn-in, so WijkModel runs with ``burn_in_years = 0``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import statistics
import sys
from pathlib import Path

import pytest

from sim.model.city import load_city
from sim.model.model import WijkModel
from sim.model.scenario import load_scenario

DAYS = 60
# one rate for every offender; no drivers over time (the reference has none)
HOMOGENEOUS = {"offenders.rate_shape": 1000.0, "drivers.enabled": False}
# patrols deter longer and farther: a strong, cheap-to-simulate enforcement effect
LONGER_DETERRENCE = {**HOMOGENEOUS, "patrol.residual_deterrence_hours": 96.0,
                     "patrol.deterrence_radius_m": 400.0}
TEXTBOOK_SEEDS = (101, 102, 103)
WIJK_SEEDS = range(20)


def _load_textbook():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "textbook.py"
    spec = importlib.util.spec_from_file_location("wijksim_textbook", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


textbook = _load_textbook()


@pytest.fixture(scope="module")
def small_city():
    city = load_city("amstelveen")
    return dataclasses.replace(city, households=-(-city.households // 40))  # ceil: >= 1 per cell


def scenario(overrides: dict):
    # The reference has no burn-in: WijkModel starts on 1 January too, like for like.
    base = load_scenario("baseline", calibrated=False).model_copy(
        update={"years": DAYS / 365, "burn_in_years": 0})
    return base.with_overrides(overrides)


def textbook_counts(sc, city, seed: int, days: int = DAYS) -> tuple[int, int]:
    """Attempts (woninginbraken, attempts included) and completed burglaries."""
    model = textbook.TextbookModel(sc, city, seed=seed)
    model.run(days * 24)
    return len(model.events), sum(e[3] for e in model.events)


def textbook_attempts(sc, city, seed: int, days: int = DAYS) -> int:
    return textbook_counts(sc, city, seed, days)[0]


def wijk_counts(sc, city) -> list[tuple[int, int]]:
    outs = [WijkModel(sc, city, seed=s).run() for s in WIJK_SEEDS]
    return [(int(o.attempts.sum()), int(o.completed.sum())) for o in outs]


def wijk_attempts(sc, city) -> list[int]:
    return [a for a, _ in wijk_counts(sc, city)]


@pytest.fixture(scope="module")
def baseline_runs(small_city):
    sc = scenario(HOMOGENEOUS)
    tb = [textbook_counts(sc, small_city, s) for s in TEXTBOOK_SEEDS]
    wm = wijk_counts(sc, small_city)
    return {"textbook": [a for a, _ in tb], "wijk": [a for a, _ in wm],
            "textbook_completed": [c for _, c in tb], "wijk_completed": [c for _, c in wm]}


def test_no_offenders_no_burglaries(small_city):
    sc = scenario({"offenders.active_offenders": 0})
    assert textbook_attempts(sc, small_city, seed=1, days=3) == 0, \
        "textbook reference: burglaries without any offender"
    assert int(WijkModel(sc, small_city, seed=1).run().attempts.sum()) == 0, \
        "WijkModel: burglaries without any offender"


@pytest.mark.parametrize("what", ["", "_completed"])
def test_burglary_level_agrees_with_wijkmodel(baseline_runs, what):
    # attempts test target choice, occupancy and deterrence; completed ones also hardening
    # (one mechanism: attempts on hardened homes fail with hardened_attempt_fail_prob)
    tb, wm = baseline_runs["textbook" + what], baseline_runs["wijk" + what]
    sd = statistics.stdev(wm)  # run-to-run spread, taken from the cheap model
    se = sd * math.sqrt(1 / len(tb) + 1 / len(wm))
    diff = statistics.mean(tb) - statistics.mean(wm)
    label = "completed burglaries" if what else "burglaries"
    assert abs(diff) <= 4 * se, (
        f"textbook reference {statistics.mean(tb):.1f} vs WijkModel {statistics.mean(wm):.1f} "
        f"{label} in {DAYS} days: differ by {diff:+.1f}, more than 4 standard errors "
        f"({4 * se:.1f}); the reference no longer implements the model's rules")
    assert statistics.mean(wm) > 20, "too few burglaries for the comparison to mean anything"


def test_longer_patrol_deterrence_fewer_burglaries_in_both(small_city, baseline_runs):
    sc = scenario(LONGER_DETERRENCE)
    seeds = TEXTBOOK_SEEDS[:2]  # the baseline's seeds: common random numbers
    tb_more = sum(textbook_attempts(sc, small_city, s) for s in seeds)
    tb_base = sum(baseline_runs["textbook"][: len(seeds)])
    more = wijk_attempts(sc, small_city)
    wm_more = statistics.mean(more)
    wm_base = statistics.mean(baseline_runs["wijk"])
    se = statistics.stdev(baseline_runs["wijk"]) * math.sqrt(2 / len(more))
    assert wm_more < wm_base - 3 * se, (
        f"WijkModel: longer deterrence gave {wm_more:.1f} burglaries vs {wm_base:.1f} "
        f"(want fewer by more than 3 standard errors, {3 * se:.1f})")
    assert tb_more < tb_base, \
        f"textbook: longer deterrence gave {tb_more} burglaries vs {tb_base} in {len(seeds)} runs"
