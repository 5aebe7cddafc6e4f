"""The Amstelveen city data: totals match city.toml (docs/sources.md); wijken are contiguous."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from sim.model.city import load_city, schematic_layout


def test_totals_match_the_real_data(city):
    t = city.meta["totals"]
    assert t["inhabitants"] == 95014, "KWB 2024 gemeente row"
    assert abs(city.inhabitants - 95014) <= 14 * 5, "KWB wijken, rounded to 5 by CBS"
    hh = sum(w.households for w in city.wijken)
    assert hh == t["households"] == 41268, "gemeente's own count, 1-1-2017 (drivers/06)"
    assert int(city.households.sum()) == hh, "every household is placed on the grid"
    area_km2 = sum(w.area_ha for w in city.wijken) / 100
    assert abs(area_km2 - 44.08) / 44.08 < 0.01, "CBS 2019 outlines: 4,403.6 ha vs CBS 4,408"


def test_households_follow_kwb_inhabitants(city):
    """Buitengebied Noord is nearly empty, Bovenkerk - Westwijk Noord is not (issue 21)."""
    by = {w.name: w for w in city.wijken}
    assert by["Buitengebied Noord"].inhabitants == 845
    assert by["Bovenkerk - Westwijk Noord"].inhabitants == 10630
    ratio = [w.households / w.inhabitants for w in city.wijken if w.inhabitants > 1000]
    assert max(ratio) - min(ratio) < 0.002, "one households-per-inhabitant ratio everywhere"


def test_fourteen_wijken_four_gebieden_and_sources(city):
    assert [w.code for w in city.wijken] == [f"WK0362{i:02d}" for i in range(1, 15)]
    assert city.gebieden == [1, 2, 3, 4]
    for w in city.wijken:
        assert w.source, f"{w.code} needs a source or 'estimate'"


def test_grid_is_the_outlines_with_matching_areas(city):
    assert city.layout == "polygons" and city.origin_rd is not None
    cell_ha = city.cell_size_m**2 / 10_000
    cells = np.array([(city.wijk_of_cell == i).sum() for i in range(city.n_wijken)])
    areas = np.array(city.outline_area_ha)
    assert abs(cells.sum() * cell_ha - areas.sum()) / areas.sum() < 0.01, "total area"
    for i, w in enumerate(city.wijken):
        mask = city.wijk_of_cell == i
        assert abs(cells[i] * cell_ha - areas[i]) <= max(0.08 * areas[i], 2 * cell_ha), (
            f"{w.code}: {cells[i]} cells vs {areas[i]:.0f} ha")
        _, n = ndimage.label(mask, structure=np.ones((3, 3)))
        assert n == 1, f"{w.code} should be one region on the grid, has {n} parts"
        assert city.households[mask].sum() == w.households, "households conserved exactly"
        assert city.households[mask].max() - city.households[mask].min() <= 1, "uniform"


def test_neighbours_come_from_the_outlines(city):
    adj = city.wijk_adjacency()
    assert (adj == adj.T).all() and not adj.diagonal().any()
    code = {w.code: i for i, w in enumerate(city.wijken)}
    assert adj[code["WK036204"], code["WK036203"]], "Stadshart borders WK036203"
    assert not adj[code["WK036205"], code["WK036213"]], "north-east and far south do not touch"
    # travelling offenders enter on the city's own edge, most near the Amsterdam side
    assert city.entry_xy is not None and abs(city.entry_p.sum() - 1) < 1e-9
    north = city.entry_xy[:, 1] < 0.25 * city.shape[0] * city.cell_size_m
    assert city.entry_p[north].sum() > 0.4


def test_wijk_names_are_cbs_names(city):
    import csv

    from sim.core.paths import ROOT

    with open(ROOT / "data" / "amstelveen" / "wijknamen.csv", encoding="utf-8") as f:
        cbs = {r["wijkcode"]: r["wijknaam_cbs_2019"] for r in csv.DictReader(f)}
    assert {w.code: w.name for w in city.wijken} == cbs, "every wijk has its CBS name"
    assert city.label(0) == "Randwijck", "no wijk is shown as a bare code"


def test_schematic_layout_any_sizes():
    sizes = [7, 1, 30, 12, 5, 44]
    grid = schematic_layout(sizes, band_width=4)
    for i, n in enumerate(sizes):
        assert (grid == i).sum() == n
        assert ndimage.label(grid == i)[1] == 1


def test_city_is_deterministic():
    a, b = load_city("amstelveen"), load_city("amstelveen")
    assert np.array_equal(a.households, b.households)
    assert np.array_equal(a.attractiveness, b.attractiveness)
