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
    assert area_km2 == t["area_km2"] == 44


def test_fourteen_wijken_four_gebieden_and_sources(city):
    assert [w.code for w in city.wijken] == [f"WK0362{i:02d}" for i in range(1, 15)]
    assert city.gebieden == [1, 2, 3, 4]
    for w in city.wijken:
        assert w.source, f"{w.code} needs a source or 'estimate'"


def test_layout_regions_contiguous_with_matching_area(city):
    cell_ha = city.cell_size_m**2 / 10_000
    for i, w in enumerate(city.wijken):
        mask = city.wijk_of_cell == i
        assert mask.sum() * cell_ha == w.area_ha, f"{w.code}: cells {mask.sum()} vs area"
        _, n = ndimage.label(mask)  # 4-connectivity
        assert n == 1, f"{w.code} should be one contiguous region, has {n} parts"
        assert city.households[mask].sum() == w.households


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
