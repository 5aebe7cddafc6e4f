"""The incapacitation block: offenders differ in how easy they are to find, so the team's
effect levels off with its size, and arrest rates per offender stay plausible.

See docs/incapacitation.md for the inputs and their sources; benchmarks/incapacitation.py
prints the same figures on a larger run.
"""

from __future__ import annotations

import numpy as np
from conftest import run_model

from sim.model.model import WijkModel
from sim.model.scenario import load_scenario
from sim.runs.runner import cached_city

YEARS, SEEDS = 1.0, (0, 1, 2)


def _attempts(fte: float, seed: int) -> float:
    sc = load_scenario("interventieteam").model_copy(update={"years": YEARS})
    sc = sc.with_overrides({"interventieteam.fte": fte})
    return float(WijkModel(sc, cached_city(sc.city), seed=seed).run().attempts.sum())


def test_the_team_saturates_the_second_8_fte_prevent_less_than_half_of_the_first_8():
    # Paired seeds (common random numbers): prevented = baseline - with the team.
    base = np.array([_attempts(0, s) for s in SEEDS])
    first8 = base - np.array([_attempts(8, s) for s in SEEDS])
    all16 = base - np.array([_attempts(16, s) for s in SEEDS])
    assert first8.mean() > 0.1 * base.mean(), "8 FTE must prevent a clear share"
    second8 = all16.mean() - first8.mean()
    assert second8 < 0.5 * first8.mean(), (
        f"the second 8 FTE prevent {second8:.0f} a year, the first 8 {first8.mean():.0f}: "
        "the easiest offenders are caught first, so the effect must level off")


def test_arrests_per_active_offender_are_plausible(baseline):
    # 0.07 arrests per woninginbraak (Politie A-A 2016-17) on about 400 a year and a pool of
    # about 80 (docs/incapacitation.md) is about 0.35-0.5 an offender a year; well above 1
    # (the former pool of 45) would mean every active burglar is arrested every year.
    rates = []
    for r in range(2):
        model, out = run_model(baseline, years=YEARS, replication=r)
        arrests = out.arrests.sum() + out.offender_arrests.sum()
        rates.append(arrests / YEARS / model.params.offenders.active_offenders)
    assert 0.2 < np.mean(rates) < 0.9, f"{np.mean(rates):.2f} arrests per offender a year"


def test_the_team_finds_the_visible_first():
    # An offender of visibility 0 is never found by offender-focused work; the visible are.
    sc = load_scenario("interventieteam").model_copy(update={"years": 0.1,
                                                              "burn_in_years": 0})
    model = WijkModel(sc, cached_city(sc.city), seed=3)
    for i, b in enumerate(model.burglars):
        b.known = True
        b.visibility = 0.0 if i % 2 else 50.0
    invisible = {b.unique_id for b in model.burglars if b.visibility == 0}
    for day in range(30):
        model.team.work_offenders(day, model.rng_offending)
    caught = [b for b in model.burglars if b.free_from > model.tick]
    free_ids = {b.unique_id for b in model.burglars if b.free_from <= model.tick}
    assert invisible <= free_ids, "the invisible must never be found"
    assert model.daily_offender_arrests.sum() > 0 and len(caught) + len(model._arrivals) > 0
