"""Issue 19, item 5 (and the markup of item 10): ``sim city import`` refuses bad outlines
in one line, naming the cause.

Null or duplicate codes, NaN or infinite coordinates, empty files, axes swapped, RD New
coordinates without a CRS and outlines outside the Netherlands.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import invoke_cli
from shapely.geometry import Polygon
from test_city_import import X0, Y0, write_kwb, write_outlines

gpd = pytest.importorskip("geopandas")


def _import(tmp_path: Path, outlines: Path, capsys, monkeypatch, *extra: str):
    kwb = write_kwb(tmp_path / "kwb.csv")
    return invoke_cli(["city", "import", "testdam", "--boundaries", str(outlines),
                       "--gemeente", "GM9999", "--kwb", str(kwb), "--cell-size", "50",
                       "--out", str(tmp_path / "testdam"), *extra], capsys, monkeypatch)


def _refused(result, *needles: str) -> str:
    code, _, err = result
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], f"{n!r} not in: {lines[0]}"
    assert "<DRIVER>" not in err
    return lines[0]


def _geojson(path: Path, features: list[tuple[object, list]], crs: str | None = None) -> Path:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"wijkcode": code, "wijknaam": None,
                                           "gemeentecode": "GM9999"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}} for code, ring in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _square(x: float, y: float, d: float) -> list:
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


RD_SQUARES = [("WK999901", _square(X0, Y0, 1000)), ("WK999902", _square(X0 + 1000, Y0, 1000)),
              ("WK999903", _square(X0, Y0 + 1000, 1000))]


def test_null_wijkcode_is_refused_not_a_type_error(tmp_path, capsys, monkeypatch):
    f = _geojson(tmp_path / "w.geojson", [(None, RD_SQUARES[0][1]), *RD_SQUARES[1:]],
                 crs="urn:ogc:def:crs:EPSG::28992")
    _refused(_import(tmp_path, f, capsys, monkeypatch), "wijkcode", "null")


def test_duplicate_codes_are_refused(tmp_path, capsys, monkeypatch):
    f = _geojson(tmp_path / "w.geojson", [RD_SQUARES[0], ("WK999901", RD_SQUARES[1][1]),
                                          RD_SQUARES[2]], crs="urn:ogc:def:crs:EPSG::28992")
    _refused(_import(tmp_path, f, capsys, monkeypatch), "WK999901", "more than once")


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # shapely, building it
@pytest.mark.parametrize("bad, word", [(math.nan, "NaN"), (math.inf, "infinite")])
def test_nan_or_infinite_coordinates_are_named(bad, word, tmp_path, capsys, monkeypatch):
    shapes = {c: Polygon(r) for c, r in RD_SQUARES}
    shapes["WK999902"] = Polygon([(X0, Y0), (bad, Y0), (X0 + 5, Y0 + 5), (X0, Y0 + 9)])
    f = write_outlines(tmp_path / "w.gpkg", shapes=shapes)
    _refused(_import(tmp_path, f, capsys, monkeypatch), "WK999902", word)


@pytest.mark.parametrize("name, content", [("w.geojson", b""), ("w.gpkg", b"\n  \n"),
                                           ("w.gpkg", b"not a geopackage at all")])
def test_empty_or_unreadable_file_without_gdal_driver_hints(name, content, tmp_path, capsys,
                                                            monkeypatch):
    f = tmp_path / name
    f.write_bytes(content)
    line = _refused(_import(tmp_path, f, capsys, monkeypatch), name)
    assert ("is empty" in line) == (not content.strip()), line


def test_swapped_latitude_longitude_is_detected_and_named(tmp_path, capsys, monkeypatch):
    # Amstelveen-like squares in degrees, written with x = latitude and y = longitude
    swapped = [(c, [[lat, lon] for lon, lat in ring]) for c, ring in
               [(c, _square(4.85 + 0.01 * i, 52.29, 0.01)) for i, (c, _) in
                enumerate(RD_SQUARES)]]
    f = _geojson(tmp_path / "w.geojson", swapped)
    _refused(_import(tmp_path, f, capsys, monkeypatch),
             "coordinates look like latitude/longitude swapped")


def test_rd_coordinates_without_a_crs_are_recognised(tmp_path, capsys, monkeypatch):
    f = _geojson(tmp_path / "w.geojson", RD_SQUARES)  # GeoJSON without crs: read as WGS 84
    _refused(_import(tmp_path, f, capsys, monkeypatch),
             "looks like RD New; add --crs EPSG:28992")
    code, out, err = _import(tmp_path, f, capsys, monkeypatch, "--crs", "EPSG:28992")
    assert code == 0, err
    # item 10: no Rich markup is read from the message: "[gebieden]" is printed as is
    assert "[gebieden] in city.toml" in " ".join(out.split()), out


def test_outlines_outside_the_netherlands_are_refused(tmp_path, capsys, monkeypatch):
    far = [(c, [[x + 600_000, y] for x, y in ring]) for c, ring in RD_SQUARES]
    f = _geojson(tmp_path / "w.geojson", far, crs="urn:ogc:def:crs:EPSG::28992")
    _refused(_import(tmp_path, f, capsys, monkeypatch), "outside the Netherlands")
