"""``sim city import`` and ``sim city show``: a city folder from outlines and a KWB export.

A tiny gemeente GM9999 is built inside the tests (three wijken in RD New: one with a hole,
one a MultiPolygon of two parts, one a slanted pentagon) next to a wijk of another gemeente
(GM8888), with a KWB export in the labelled CBS form.
"""

from __future__ import annotations

import csv
import inspect
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke_cli
from shapely.geometry import MultiPolygon, Polygon, box

gpd = pytest.importorskip("geopandas")

X0, Y0 = 150_000.0, 450_000.0
KWB_HEADER = ('"Wijken en buurten","Gemeentenaam","Soort regio","Codering",'
              '"Aantal inwoners (aantal)","Huishoudens totaal (aantal)"\n')
KWB_ROWS = {
    "GM9999": ("Testdam", "Gemeente", 9000, 4200),
    "WK999901": ("Wijk 01 Oost (KWB)", "Wijk", 3000, 1401),
    "WK999902": ("Wijk 02 Zuid", "Wijk", 2500, 1203),
    "WK999903": ("WK999903", "Wijk", 3500, 1596),  # the name is the code: no name
    "WK888801": ("Elders", "Wijk", 100, 50),
}
HOUSEHOLDS = {"WK999901": 1401, "WK999902": 1203, "WK999903": 1596}


def _shapes() -> dict[str, object]:
    """RD New polygons: 111 ha with a hole, 100 ha in two parts, ~165 ha pentagon."""
    outer = [(X0, Y0), (X0 + 1200, Y0), (X0 + 1200, Y0 + 1000), (X0, Y0 + 1000)]
    hole = [(X0 + 400, Y0 + 300), (X0 + 700, Y0 + 300), (X0 + 700, Y0 + 600),
            (X0 + 400, Y0 + 600)]
    return {
        "WK999901": Polygon(outer, [hole]),
        "WK999902": MultiPolygon([box(X0 + 1200, Y0, X0 + 2200, Y0 + 800),
                                  box(X0 + 2400, Y0, X0 + 2900, Y0 + 400)]),
        "WK999903": Polygon([(X0, Y0 + 1000), (X0 + 2200, Y0 + 1000), (X0 + 2200, Y0 + 1700),
                             (X0 + 1000, Y0 + 2000), (X0, Y0 + 1700)]),
        "WK888801": box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000),
    }


NAMES = {"WK999901": "Één-Oost", "WK999902": None, "WK999903": None, "WK888801": "Elders"}


def write_outlines(path: Path, *, shapes: dict | None = None, crs: str | None = "EPSG:28992",
                   codes: list[str] | None = None) -> Path:
    shapes = shapes or _shapes()
    codes = codes or list(shapes)
    gdf = gpd.GeoDataFrame(
        {"wijkcode": codes, "wijknaam": [NAMES.get(c) for c in codes],
         "gemeentecode": [f"GM{c[2:6]}" for c in codes],
         "gemeentenaam": ["Testdam" if c.startswith("WK9999") else "Elders" for c in codes]},
        geometry=[shapes[c] for c in codes], crs=crs)
    with pytest.warns(UserWarning) if crs is None else _nothing():
        gdf.to_file(path, layer="wijken", driver="GPKG", engine="pyogrio")
    return path


class _nothing:  # noqa: N801 — a do-nothing context manager
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def write_kwb(path: Path, rows: dict | None = None) -> Path:
    rows = KWB_ROWS if rows is None else rows
    lines = [KWB_HEADER]
    for code, (name, level, inh, hh) in rows.items():
        gm = "Testdam" if code[2:6] == "9999" else "Elders"
        lines.append(f'"{name}","{gm}","{level}","{code}","{inh}","{hh}"\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def inputs(tmp_path):
    return (write_outlines(tmp_path / "wijkenbuurten.gpkg"), write_kwb(tmp_path / "kwb.csv"))


def run_import(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    return invoke_cli(["city", "import", *args], capsys, monkeypatch)


def imported(tmp_path, inputs, capsys, monkeypatch, *extra: str) -> Path:
    outlines, kwb = inputs
    out = tmp_path / "testdam"
    code, stdout, err = run_import(["testdam", "--boundaries", str(outlines), "--gemeente",
                                    "GM9999", "--kwb", str(kwb), "--cell-size", "50", "--out",
                                    str(out), *extra], capsys, monkeypatch)
    assert code == 0, err
    return out


# ---- the import --------------------------------------------------------------------------

def test_import_writes_a_city_folder_of_one_gemeente(tmp_path, inputs, capsys, monkeypatch):
    outlines, kwb = inputs
    out = tmp_path / "testdam"
    code, stdout, err = run_import(["testdam", "--boundaries", str(outlines), "--gemeente",
                                    "GM9999", "--kwb", str(kwb), "--cell-size", "50", "--out",
                                    str(out)], capsys, monkeypatch)
    assert code == 0, err
    assert {"city.toml", "wijken.csv", "wijken.gpkg"} <= {p.name for p in out.iterdir()}
    assert not list(tmp_path.glob(".testdam.import-*")), "the staging folder is removed"
    for c in HOUSEHOLDS:
        assert c in stdout, "the summary table lists every wijk"
    assert "WK888801" not in stdout

    gdf = gpd.read_file(out / "wijken.gpkg", layer="wijken", engine="pyogrio")
    assert gdf.crs.to_epsg() == 28992
    assert {"wijkcode", "wijknaam", "gemeentecode"} <= set(gdf.columns)
    assert list(gdf["wijkcode"]) == list(HOUSEHOLDS), "the other gemeente's wijk is left out"
    assert set(gdf["gemeentecode"]) == {"GM9999"}
    assert gdf.set_index("wijkcode").loc["WK999901", "wijknaam"] == "Één-Oost"

    with (out / "wijken.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert list(rows) == list(HOUSEHOLDS)
    assert rows["WK999901"]["name"] == "Één-Oost", "the outline file's name, diacritics kept"
    assert rows["WK999902"]["name"] == "Wijk 02 Zuid", "else the KWB's name"
    assert rows["WK999903"]["name"] == "", "no name in either file: empty, never guessed"
    assert {c: int(r["households"]) for c, r in rows.items()} == HOUSEHOLDS
    assert [int(r["gebied"]) for r in rows.values()] == [1, 2, 3], "one gebied per wijk"
    for r in rows.values():
        assert "Kerncijfers" in r["source"] and "estimate" in r["source"], r["source"]
    shapes = _shapes()
    for c, r in rows.items():
        assert float(r["area_ha"]) == pytest.approx(shapes[c].area / 10_000, abs=0.01)

    meta = tomllib.loads((out / "city.toml").read_text(encoding="utf-8"))
    assert meta["name"] == "Testdam" and meta["gemeente_code"] == "GM9999"
    assert meta["cell_size_m"] == 50 and meta["layout_seed"] == 9999
    assert meta["gebieden"] == {"1": "Één-Oost", "2": "Wijk 02 Zuid", "3": "WK999903"}
    assert meta["totals"]["households"] == 4200
    assert "estimate" in (out / "city.toml").read_text(encoding="utf-8")


def test_imported_city_rasterises_areas_and_conserves_households(tmp_path, inputs, capsys,
                                                                 monkeypatch):
    from sim.model.city import load_city

    out = imported(tmp_path, inputs, capsys, monkeypatch)
    city = load_city(out)
    assert city.layout == "polygons" and city.cell_size_m == 50
    assert [w.code for w in city.wijken] == list(HOUSEHOLDS)
    shapes = _shapes()
    for i, w in enumerate(city.wijken):
        mask = city.wijk_of_cell == i
        polygon_ha = shapes[w.code].area / 10_000
        assert abs(mask.sum() * 0.25 - polygon_ha) <= 0.05 * polygon_ha, (
            f"{w.code}: {mask.sum()} cells of 0.25 ha vs {polygon_ha:.1f} ha")
        assert city.outline_area_ha[i] == pytest.approx(polygon_ha)
        assert int(city.households[mask].sum()) == HOUSEHOLDS[w.code], "conserved exactly"
    assert int(city.households.sum()) == sum(HOUSEHOLDS.values())
    # the hole of WK999901 holds no cell of it; both parts of WK999902 do
    hx, hy = (X0 + 550 - city.origin_rd[0]) // 50, (city.origin_rd[1] - (Y0 + 450)) // 50
    assert city.wijk_of_cell[int(hy), int(hx)] == -1
    ix, iy = (X0 + 2650 - city.origin_rd[0]) // 50, (city.origin_rd[1] - (Y0 + 200)) // 50
    assert city.wijk_of_cell[int(iy), int(ix)] == 1, "the island part of the MultiPolygon"


def test_city_show_json_has_the_documented_shape(tmp_path, inputs, capsys, monkeypatch):
    out = imported(tmp_path, inputs, capsys, monkeypatch)
    code, stdout, err = invoke_cli(["city", "show", str(out), "--json"], capsys, monkeypatch)
    assert code == 0, err
    doc = json.loads(stdout)
    assert set(doc) == {"name", "gemeente", "layout", "cell_size_m", "crs", "wijken"}
    assert doc["name"] == "Testdam" and doc["gemeente"] == "GM9999"
    assert doc["layout"] == "polygons" and doc["crs"] == "EPSG:28992"
    assert doc["cell_size_m"] == 50
    assert [w["code"] for w in doc["wijken"]] == list(HOUSEHOLDS)
    shapes = _shapes()
    for w in doc["wijken"]:
        assert set(w) == {"code", "name", "households", "inhabitants", "area_ha", "cells",
                          "gebied"}
        assert w["households"] == HOUSEHOLDS[w["code"]]
        assert w["area_ha"] == pytest.approx(shapes[w["code"]].area / 10_000, abs=0.01)
        assert abs(w["cells"] * 0.25 - w["area_ha"]) <= 0.05 * w["area_ha"]
    assert [w["name"] for w in doc["wijken"]] == ["Één-Oost", "Wijk 02 Zuid", None]
    assert [w["gebied"] for w in doc["wijken"]] == [1, 2, 3]
    assert doc["wijken"][0]["inhabitants"] == 3000

    code, stdout, _ = invoke_cli(["city", "show", str(out)], capsys, monkeypatch)
    assert code == 0 and "Één-Oost" in stdout and "WK999903" in stdout


def test_city_show_by_name_and_schematic_crs_null(tmp_path, capsys, monkeypatch):
    code, stdout, err = invoke_cli(["city", "show", "amstelveen", "--json"], capsys,
                                   monkeypatch)
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["gemeente"] == "GM0362" and len(doc["wijken"]) == 14
    folder = tmp_path / "schematic"
    folder.mkdir()
    (folder / "wijken.csv").write_text(
        "code,name,inhabitants,households,area_ha,gebied,source\n"
        "WK999901,,100,50,20,1,estimate\n", encoding="utf-8")
    code, stdout, err = invoke_cli(["city", "show", str(folder), "--json"], capsys,
                                   monkeypatch)
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["layout"] == "schematic" and doc["crs"] is None
    assert doc["wijken"][0]["area_ha"] == 20 and doc["wijken"][0]["name"] is None
    code, _, err = invoke_cli(["city", "show", "no-such-city"], capsys, monkeypatch)
    assert code == 2 and "unknown city" in err


def test_a_short_run_works_on_the_imported_city(tmp_path, inputs, capsys, monkeypatch):
    from sim.cli.run import run as run_command

    out = imported(tmp_path, inputs, capsys, monkeypatch)
    if "city" in inspect.signature(run_command).parameters:
        res = tmp_path / "results"
        code, stdout, err = invoke_cli(["run", "baseline", "--city", str(out), "--years",
                                        "0.02", "--out", str(res), "--json"], capsys,
                                       monkeypatch)
        assert code == 0, err
        doc = json.loads(stdout)
        assert doc["per_wijk"] and set(doc["per_wijk"]) <= set(HOUSEHOLDS)
        return
    from sim.model.city import load_city
    from sim.model.model import WijkModel
    from sim.model.scenario import load_scenario

    sc = load_scenario("baseline").model_copy(
        update={"city": str(out.resolve()), "use_calibration": False, "years": 0.02})
    output = WijkModel(sc, load_city(out), seed=1).run()
    assert output.wijk_codes == list(HOUSEHOLDS)
    assert output.days >= 7 and output.attempts.shape == (output.days, 3)
    assert np.isfinite(output.attempts).all()


def test_grid_squares_are_written_and_spread_households(tmp_path, inputs, capsys, monkeypatch):
    from sim.model.city import load_city

    # 100 m squares with households only in the south-west 400 m x 400 m of WK999901,
    # plus one far away (left out) and one suppressed (-99997)
    squares, hh = [], []
    for i in range(4):
        for j in range(4):
            squares.append(box(X0 + 100 * i, Y0 + 100 * j, X0 + 100 * (i + 1),
                               Y0 + 100 * (j + 1)))
            hh.append(20)
    squares += [box(X0 + 90_000, Y0, X0 + 90_100, Y0 + 100), box(X0 + 1500, Y0 + 1200,
                                                                  X0 + 1600, Y0 + 1300)]
    hh += [500, -99997]
    grid = tmp_path / "cbs_vk100.gpkg"
    gpd.GeoDataFrame({"aantal_part_huishoudens": hh}, geometry=squares,
                     crs="EPSG:28992").to_file(grid, engine="pyogrio")
    out = imported(tmp_path, inputs, capsys, monkeypatch, "--grid", str(grid))
    kept = gpd.read_file(out / "huishoudens_100m.gpkg", engine="pyogrio")
    assert len(kept) == 17, "only the squares around the gemeente are written"
    city = load_city(out)
    w0 = city.wijk_of_cell == 0
    assert int(city.households[w0].sum()) == HOUSEHOLDS["WK999901"]
    rows = np.nonzero(w0)[0]
    south = rows >= rows.max() - 8  # the 400 m nearest the southern edge
    assert city.households[w0][south].sum() == HOUSEHOLDS["WK999901"], (
        "households go where the grid has them")
    text = (out / "city.toml").read_text(encoding="utf-8")
    comments = " ".join(ln.lstrip("# ") for ln in text.splitlines() if ln.startswith("#"))
    assert "spread by huishoudens_100m.gpkg (CBS vierkantstatistieken" in comments


# ---- refusals and repairs -----------------------------------------------------------------

def _err(args: list[str], capsys, monkeypatch) -> str:
    code, _, err = run_import(args, capsys, monkeypatch)
    assert code == 2, err
    assert "Traceback" not in err
    return " ".join(err.split())


def test_no_features_for_the_gemeente(tmp_path, inputs, capsys, monkeypatch):
    outlines, kwb = inputs
    err = _err(["x", "--boundaries", str(outlines), "--gemeente", "GM7777", "--kwb", str(kwb),
                "--out", str(tmp_path / "x")], capsys, monkeypatch)
    assert "no wijken of gemeente GM7777" in err and "GM8888, GM9999" in err


def test_several_gemeenten_need_gemeente(tmp_path, inputs, capsys, monkeypatch):
    outlines, kwb = inputs
    err = _err(["x", "--boundaries", str(outlines), "--kwb", str(kwb), "--out",
                str(tmp_path / "x")], capsys, monkeypatch)
    assert "2 gemeenten" in err and "--gemeente" in err


def test_kwb_and_outlines_must_hold_the_same_wijken(tmp_path, inputs, capsys, monkeypatch):
    outlines, _ = inputs
    rows = {k: v for k, v in KWB_ROWS.items() if k != "WK999903"}
    rows["WK999904"] = ("Nieuw", "Wijk", 10, 5)
    kwb = write_kwb(tmp_path / "kwb_other_year.csv", rows)
    err = _err(["x", "--boundaries", str(outlines), "-g", "GM9999", "--kwb", str(kwb),
                "--out", str(tmp_path / "x")], capsys, monkeypatch)
    assert "In the KWB but not in the outlines: WK999904" in err, err
    assert "In the outlines but not in the KWB: WK999903" in err, err
    assert not (tmp_path / "x").exists(), "nothing is written"


def test_missing_crs(tmp_path, capsys, monkeypatch):
    outlines = write_outlines(tmp_path / "nocrs.gpkg", crs=None)
    kwb = write_kwb(tmp_path / "kwb.csv")
    err = _err(["x", "--boundaries", str(outlines), "-g", "GM9999", "--kwb", str(kwb),
                "--out", str(tmp_path / "x")], capsys, monkeypatch)
    assert "coordinate reference system" in err and "crs" in err


def test_kwb_is_required(tmp_path, inputs, capsys, monkeypatch):
    outlines, _ = inputs
    err = _err(["x", "--boundaries", str(outlines), "-g", "GM9999", "--out",
                str(tmp_path / "x")], capsys, monkeypatch)
    assert "--kwb" in err and "households" in err


def test_name_must_be_a_slug(tmp_path, inputs, capsys, monkeypatch):
    outlines, kwb = inputs
    err = _err(["../Evil", "--boundaries", str(outlines), "-g", "GM9999", "--kwb", str(kwb)],
               capsys, monkeypatch)
    assert "not a city name" in err


def test_invalid_outline_is_repaired_with_a_warning(tmp_path, capsys, monkeypatch):
    shapes = _shapes()
    # a bow-tie: two 600 m triangles meeting in one point, the ring crossing itself
    shapes["WK999903"] = Polygon([(X0, Y0 + 1000), (X0 + 1200, Y0 + 2200),
                                  (X0 + 1200, Y0 + 1000), (X0, Y0 + 2200)])
    outlines = write_outlines(tmp_path / "bowtie.gpkg", shapes=shapes)
    kwb = write_kwb(tmp_path / "kwb.csv")
    out = tmp_path / "bowtie"
    code, _, err = run_import(["bowtie", "--boundaries", str(outlines), "-g", "GM9999",
                               "--kwb", str(kwb), "--out", str(out)], capsys, monkeypatch)
    assert code == 0, err
    err = " ".join(err.split())
    assert "warning:" in err and "repaired the invalid outline of WK999903" in err, err
    saved = gpd.read_file(out / "wijken.gpkg", engine="pyogrio").set_index("wijkcode")
    assert saved.geometry.is_valid.all(), "the repaired outline is written"
    assert saved.loc["WK999903"].geometry.area == pytest.approx(2 * (1200 * 600 / 2),
                                                                rel=1e-6)


def test_existing_city_needs_force_and_keeps_gebieden(tmp_path, inputs, capsys, monkeypatch):
    out = imported(tmp_path, inputs, capsys, monkeypatch)
    outlines, kwb = inputs
    args = ["testdam", "--boundaries", str(outlines), "-g", "GM9999", "--kwb", str(kwb),
            "--cell-size", "50", "--out", str(out)]
    err = _err(args, capsys, monkeypatch)
    assert "already holds a city" in err and "--force" in err
    # the user groups two wijken into one gebied, then imports again with --force
    table = (out / "wijken.csv").read_text(encoding="utf-8")
    lines = table.splitlines()
    lines[3] = lines[3].replace(",3,", ",2,", 1)
    (out / "wijken.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run_import([*args, "--force"], capsys, monkeypatch)
    assert code == 0, err
    with (out / "wijken.csv").open(encoding="utf-8", newline="") as fh:
        assert [int(r["gebied"]) for r in csv.DictReader(fh)] == [1, 2, 2]


def test_nothing_is_written_when_the_city_would_not_load(tmp_path, capsys, monkeypatch):
    shapes = _shapes()
    shapes["WK999902"] = box(X0 + 1200, Y0, X0 + 1230, Y0 + 30)  # 0.09 ha: no 100 m cell
    outlines = write_outlines(tmp_path / "tiny.gpkg", shapes=shapes)
    kwb = write_kwb(tmp_path / "kwb.csv")
    out = tmp_path / "tiny"
    err = _err(["tiny", "--boundaries", str(outlines), "-g", "GM9999", "--kwb", str(kwb),
                "--out", str(out)], capsys, monkeypatch)
    assert "does not load" in err and "WK999902" in err and "cell_size_m" in err
    assert not (out / "wijken.csv").exists()
    assert not list(tmp_path.glob(".tiny.import-*"))
