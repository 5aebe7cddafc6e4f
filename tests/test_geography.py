"""Real geography (issue 11): outlines on a grid, neighbours and entry from the map, --city."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke_cli
from shapely.geometry import Polygon, box

from sim.core.paths import CALIBRATION
from sim.model.geography import (
    boundary_points,
    outline_adjacency,
    rasterise,
    spread_households,
)


def test_rasterise_known_answer_and_majority_rule():
    # two 1 km x 1 km squares side by side, and a 250 m sliver that covers less than half
    # of the cells it touches
    a = box(100_000, 400_000, 101_000, 401_000)
    b = box(101_000, 400_000, 102_000, 401_000)
    c = box(102_000, 400_000, 102_040, 401_000)  # 40 m wide: no cell of 100 m is mostly it
    r = rasterise([a, b, c], 100.0)
    assert r.wijk_of_cell.shape == (10, 21)
    assert (r.wijk_of_cell == 0).sum() == 100 and (r.wijk_of_cell == 1).sum() == 100
    assert (r.wijk_of_cell == 2).sum() == 0, "a cell belongs to a wijk only if mostly covered"
    assert r.wijk_of_cell[0, 0] == 0 and r.wijk_of_cell[0, 19] == 1, "north-west origin"
    xy = r.to_model(np.array([100_050.0]), np.array([400_950.0]))
    assert np.allclose(xy, [[50.0, 50.0]]), "model coordinates: metres east and south of NW"


def test_a_cell_goes_to_the_wijk_that_covers_most_of_it():
    left = box(0, 0, 160, 100)  # covers 60% of cell 1 (x 100..200)
    right = box(160, 0, 300, 100)  # 40% of cell 1
    r = rasterise([left, right], 100.0)
    assert r.wijk_of_cell.tolist() == [[0, 0, 1]]


def test_adjacency_from_outlines_tolerates_slivers():
    a = box(0, 0, 1000, 1000)
    b = box(1010, 0, 2000, 1000)  # a 10 m sliver between a and b
    c = box(3000, 0, 4000, 1000)
    adj = outline_adjacency([a, b, c])
    assert adj[0, 1] and adj[1, 0] and not adj[0, 2] and not adj[1, 2]


def test_entry_points_lie_on_the_boundary_and_follow_the_weights():
    city = box(100_000, 400_000, 104_000, 404_000)
    r = rasterise([city], 100.0)
    xy, p = boundary_points([city], r, [{"x": 100_000, "y": 404_000, "weight": 1.0}])
    on_edge = (np.isclose(xy[:, 0], 0) | np.isclose(xy[:, 0], 4000) | np.isclose(xy[:, 1], 0)
               | np.isclose(xy[:, 1], 4000))
    assert on_edge.all(), "offenders enter on the city's edge"
    near = np.hypot(xy[:, 0], xy[:, 1]) < 1500  # near the north-west corner
    assert p[near].sum() > 0.9 and abs(p.sum() - 1) < 1e-12
    xy_u, p_u = boundary_points([city], r, [])
    assert np.allclose(p_u, 1 / len(p_u)), "no entries: anywhere on the edge"


@pytest.mark.parametrize("total, n", [(0, 5), (7, 3), (43_500, 3876), (5, 10)])
def test_households_are_conserved_exactly_and_spread_evenly(total, n):
    out = spread_households(total, np.ones(n), np.random.default_rng(1))
    assert out.sum() == total and out.max() - out.min() <= 1
    w = np.array([0.0, 1.0, 3.0])
    out = spread_households(400, w, np.random.default_rng(1))
    assert out.tolist() == [0, 100, 300], "a population grid's weights are followed"


def test_holes_and_multipolygons_rasterise_to_their_area():
    ring = Polygon([(0, 0), (2000, 0), (2000, 2000), (0, 2000)],
                   [[(500, 500), (1500, 500), (1500, 1500), (500, 1500)]])
    r = rasterise([ring], 50.0)
    assert (r.wijk_of_cell == 0).sum() * 0.25 == pytest.approx(ring.area / 10_000, rel=0.05)
    assert r.wijk_of_cell[20, 20] == -1, "the hole holds no cell of the wijk"


# ---- --city on the commands ---------------------------------------------------------------------
@pytest.fixture()
def other_city(tmp_path) -> Path:
    """Amstelveen's data under another name and folder: a second gemeente in all but data."""
    folder = tmp_path / "tweede-stad"
    folder.mkdir()
    for name in ("wijken.csv", "city.toml", "wijken.gpkg"):
        shutil.copy(CALIBRATION / "amstelveen" / name, folder / name)
    text = (folder / "city.toml").read_text(encoding="utf-8")
    (folder / "city.toml").write_text(text.replace('name = "Amstelveen"', 'name = "Tweede"'),
                                      encoding="utf-8")
    return folder


def test_city_option_runs_another_city_end_to_end(other_city, tmp_path, capsys, monkeypatch):
    import json

    code, out, err = invoke_cli(["run", "baseline", "--city", str(other_city), "--years",
                                 "0.05", "--out", str(tmp_path / "r"), "--json"], capsys,
                                monkeypatch)
    assert code == 0, err
    res = json.loads(out)
    assert res["woninginbraken_per_year"] > 0
    code, out, err = invoke_cli(["compare", "baseline", "interventieteam", "--city",
                                 str(other_city), "--years", "0.05", "-r", "2", "--out",
                                 str(tmp_path / "c"), "--json"], capsys, monkeypatch)
    assert code == 0, err
    comp = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert comp["provenance"]["city"] == "Tweede"
    code, _, err = invoke_cli(["sweep", "capaciteit", "--city", str(other_city), "--years",
                               "0.003", "-w", "1", "--out", str(tmp_path / "s")], capsys,
                              monkeypatch)
    assert code == 0, err
    code, _, err = invoke_cli(["run", "baseline", "--city", str(tmp_path / "nowhere"),
                               "--years", "0.05"], capsys, monkeypatch)
    assert code == 2 and "not a city folder" in err


def test_travelling_offenders_enter_on_the_city_edge(city):
    from sim.model.model import WijkModel
    from sim.model.scenario import load_scenario

    sc = load_scenario("baseline").with_overrides({"offenders.local_share": 0.0,
                                                   "offenders.active_offenders": 200})
    model = WijkModel(sc, city, seed=3)
    bases = np.array([b.base_xy for b in model.burglars])
    on_entry = [np.min(np.hypot(*(city.entry_xy - xy).T)) < 1e-6 for xy in bases]
    assert all(on_entry), "every travelling offender's base is an entry point on the edge"
    north = bases[:, 1] < 0.3 * city.shape[0] * city.cell_size_m
    assert north.mean() > 0.3, "most come in on the Amsterdam side (weight 0.5 of entries)"
