"""Stable hot spots (issue 12): what patrol targets is where burglary comes next."""

from __future__ import annotations

import numpy as np

from sim.model.model import HOURS_PER_DAY, WijkModel
from sim.runs.seeds import replication_seed


def _hotspot_snapshots(baseline, city, seed: int, place_sigma: float):
    """Run two counted years; every 28 days keep the hotspot field that patrols use."""
    sc = baseline.with_overrides({"residents.place_sigma": place_sigma}).model_copy(
        update={"years": 2.0})
    snaps: dict[int, np.ndarray] = {}

    def look(model: WijkModel, day: int):  # noqa: ANN202
        if day >= model.burn_in_days and (day - model.burn_in_days) % 28 == 0:
            snaps[day] = model.hotspot.copy()
        return None

    model = WijkModel(sc, city, seed=replication_seed(seed, 0), study=look)
    model.run()
    ev = np.array(model.events, dtype=[("tick", "i8"), ("cell", "i8"), ("wijk", "i4"),
                                        ("completed", "?"), ("arrested", "?"),
                                        ("offender", "i8"), ("in_act", "?"),
                                        ("hardened", "?")])
    home_index = {int(c): i for i, c in enumerate(model.home_cell)}
    return model, snaps, ev, home_index


def _next_weeks_ratio(model, snaps, ev, home_index, top: float = 0.05) -> float:
    """Burglaries per home cell in the next 28 days: top hotspot cells over the others."""
    hot_hits = cold_hits = hot_n = cold_n = 0
    idx = np.array([home_index[int(c)] for c in ev["cell"]])
    day_of = ev["tick"] // HOURS_PER_DAY
    for day, field in snaps.items():
        if field.max() <= 0:
            continue
        k = max(1, int(top * model.n_homes))
        hot = np.zeros(model.n_homes, dtype=bool)
        hot[np.argsort(-field)[:k]] = True
        window = (day_of >= day) & (day_of < day + 28)
        hits = np.bincount(idx[window], minlength=model.n_homes)
        hot_hits += hits[hot].sum()
        cold_hits += hits[~hot].sum()
        hot_n += hot.sum()
        cold_n += (~hot).sum()
    return (hot_hits / hot_n) / (cold_hits / cold_n)


def test_patrol_hotspots_are_where_burglaries_come_next(baseline, city):
    model, snaps, ev, home_index = _hotspot_snapshots(baseline, city, seed=5,
                                                      place_sigma=baseline.residents.place_sigma)
    ratio = _next_weeks_ratio(model, snaps, ev, home_index)
    assert ratio > 2.0, f"the hotspots patrols target see {ratio:.1f}x the burglaries next"


def test_place_heterogeneity_makes_hot_spots_last(baseline, city):
    """With a stronger place field, last month's hotspots predict next month's better."""
    weak = _next_weeks_ratio(*_hotspot_snapshots(baseline, city, seed=6, place_sigma=0.0))
    strong = _next_weeks_ratio(*_hotspot_snapshots(baseline, city, seed=6, place_sigma=1.5))
    assert strong > weak, f"place heterogeneity {strong:.2f} vs none {weak:.2f}"
