"""The Amstelveen city data: totals match city.toml (docs/sources.md); wijken are contiguous."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from sim.model.city import load_city, schematic_layout


def test_totals_match_design(city):
    t = city.meta["totals"]
    assert city.inhabitants == t["inhabitants"] == 94435, (
        "inhabitants 2023 (Amstelveen Facts & Figures 2023)")
    hh = sum(w.households for w in city.wijken)
    assert t["households_min"] <= hh <= t["households_max"], f"households {hh}"
    assert int(city.households.sum()) == hh, "every household is placed on the grid"
    area_km2 = sum(w.area_ha for w in city.wijken) / 100
    assert t["area_km2"] == 44, "CBS: 44 km² including water"
    assert abs(area_km2 - 44) / 44 < 0.05, "the simplified outlines (42.8 km²) are within 5%"


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


def test_wijk_names_come_only_from_cbs(city):
    names = {w.code: w.name for w in city.wijken}
    assert names["WK036204"] == "Stadshart"
    assert all(n == "" for c, n in names.items() if c != "WK036204"), "no guessed names"
    assert city.label(0) == "WK036201", "a wijk without a known name shows its code"


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
