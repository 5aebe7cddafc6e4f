"""Target choice at scale: the block draw is the inverse-CDF draw; the kernel's reach."""

import numpy as np

from sim.model.agents import KERNEL_CUTOFF
from sim.model.city import load_city
from sim.model.model import WijkModel
from sim.model.sampling import BLOCK, WeightedDraw
from sim.model.scenario import load_scenario


def test_block_draw_is_the_inverse_cdf_draw():
    rng = np.random.default_rng(3)
    for n in (1, 7, BLOCK, BLOCK + 1, 5 * BLOCK + 17):
        w = rng.gamma(0.5, size=n)
        w[rng.random(n) < 0.2] = 0.0  # cells nobody would choose
        w[0] += 1e-3
        cum = np.cumsum(w)
        draw = WeightedDraw(w)
        for u in rng.random(400):
            expect = min(int(np.searchsorted(cum, u * cum[-1], side="right")), n - 1)
            assert draw.draw(u) == expect, (n, u)


def test_block_draw_frequencies_follow_the_weights():
    w = np.array([1.0, 0.0, 3.0] * 200)
    draw = WeightedDraw(w)
    picks = np.array([draw.draw(u) for u in np.random.default_rng(1).random(20_000)])
    assert not np.any(picks % 3 == 1), "a zero-weight cell is never drawn"
    share = np.mean(picks % 3 == 2)
    assert abs(share - 0.75) < 0.015


def test_offenders_see_every_amstelveen_home_and_only_near_homes_in_a_large_city():
    sc = load_scenario("baseline", calibrated=False).model_copy(
        update={"years": 0.01, "burn_in_years": 0.0})
    city = load_city(sc.city)
    small = WijkModel(sc, city, seed=1)
    assert all(b.homes is None for b in small.burglars), "no Amstelveen home is cut off"
    big = WijkModel(sc, city.scaled(16), seed=1)
    reach_km = sc.offenders.journey_decay_km * -np.log(KERNEL_CUTOFF)
    for b in big.burglars[:20]:
        d_km = np.hypot(*(big.home_xy - b.base_xy).T) / 1000
        homes = np.arange(big.n_homes) if b.homes is None else b.homes
        assert np.array_equal(homes, np.flatnonzero(d_km <= reach_km))
        assert big.wijk[homes[np.argmax(b.kernel)]] == b.wijk
