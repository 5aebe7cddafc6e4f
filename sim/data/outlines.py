"""Wijk outlines: CBS/Kadaster *Wijk- en Buurtkaart* (PDOK GeoPackage) or any GeoJSON/GPKG.

:func:`read_outlines` returns the wijken of one gemeente in RD New (EPSG:28992), with the
fields ``wijkcode``, ``wijknaam`` (may be missing: then the code is shown) and
``gemeentecode``; invalid geometries are repaired (and said so); every problem a user can
fix is a :class:`~sim.core.errors.UserError` naming the file, the field and what is allowed.

geopandas, shapely and pyogrio are imported only here and in :mod:`sim.model.geography`,
and only when a city has outlines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import UserError
from sim.core.textio import MAX_DATA_BYTES, read_bytes

#: RD New, the Dutch national grid: metres, the CRS every city is rasterised in.
RD_NEW = "EPSG:28992"
FIELDS = ("wijkcode", "wijknaam", "gemeentecode")
GM = re.compile(r"^GM\d{4}$")
WK = re.compile(r"^WK\d{6}$")
#: Outline files a city folder may hold, in the order they are looked for.
OUTLINE_FILES = ("wijken.gpkg", "wijken.geojson")


@dataclass
class Outlines:
    """The wijken of one gemeente: codes, names and polygons in RD New (metres)."""

    path: Path
    gemeente: str
    codes: list[str]
    names: list[str | None]  # None where the file has no name: show the code
    geometries: list[Any]  # shapely (Multi)Polygons, EPSG:28992
    warnings: list[str] = field(default_factory=list)

    def area_ha(self) -> list[float]:
        """Each outline's own area in hectares."""
        return [g.area / 10_000 for g in self.geometries]


def find_outlines(folder: Path) -> Path | None:
    """The outline file of a city folder, or None."""
    for name in OUTLINE_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def read_outlines(path: str | Path, *, layer: str | None = None,
                  gemeente: str | None = None, crs: str | None = None) -> Outlines:
    """The wijken of ``gemeente`` (all, if the file holds one gemeente) in RD New.

    ``crs``: the coordinate reference system of the file when it names none (or names a
    wrong one, e.g. a GeoJSON in RD New, which GeoJSON readers take as WGS 84).

    Raises:
        UserError: unreadable or empty file, missing layer or fields, no CRS, null or
            duplicate wijk codes, NaN or infinite coordinates, coordinates that look like
            RD New without that CRS or like latitude/longitude swapped, outlines outside
            the Netherlands after projection, no features for the gemeente, several
            gemeenten and none chosen.
    """
    import geopandas as gpd
    import shapely

    path = Path(path)
    if not read_bytes(path, what="outline file", max_bytes=MAX_DATA_BYTES).strip():
        raise UserError("is empty; give a GeoPackage (.gpkg) or GeoJSON file with one "
                        "polygon per wijk.", file=str(path))
    try:
        if layer is None and path.suffix.lower() == ".gpkg":
            layers = _layers(path)
            layer = "wijken" if "wijken" in layers else (layers[0] if len(layers) == 1 else None)
            if layer is None:
                raise UserError(f"holds several layers ({', '.join(layers)}) and none is "
                                "called 'wijken'; choose one with --layer.", file=str(path),
                                field="--layer")
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 — GDAL's errors are many; say which file
        msg = _gdal_message(exc)
        raise UserError(f"cannot read the outlines: {msg}. Give a GeoPackage (.gpkg) or "
                        "GeoJSON file with one polygon per wijk.", file=str(path)) from None
    columns = {c.lower(): c for c in gdf.columns}
    missing = [f for f in ("wijkcode", "gemeentecode") if f not in columns]
    if missing:
        have = ", ".join(c for c in gdf.columns if c != "geometry") or "none"
        raise UserError(f"missing field(s) {', '.join(missing)}; the file has: {have}. "
                        f"Required: {', '.join(FIELDS)} (wijknaam may be empty).",
                        file=str(path), field=missing[0])
    if gdf.empty:
        raise UserError("holds no features; give one polygon per wijk.", file=str(path))
    gdf = gdf.rename(columns={columns[f]: f for f in FIELDS if f in columns})
    for name in ("wijkcode", "gemeentecode"):
        empty = [i + 1 for i, v in enumerate(gdf[name]) if _name(v) is None]
        if empty:
            raise UserError(f"feature(s) {_short([str(i) for i in empty])} have no {name} "
                            "(null or empty); every wijk needs one.", file=str(path),
                            field=name)
    _check_finite(gdf, path)
    if crs is not None:
        try:
            gdf = gdf.set_crs(crs, allow_override=True)
        except Exception:  # noqa: BLE001 — pyproj's errors; say what is allowed
            raise UserError(f"'{crs}' is not a coordinate reference system; give e.g. "
                            f"{RD_NEW} (RD New) or EPSG:4326.", field="--crs") from None
    _check_crs(gdf, path)
    gdf["gemeentecode"] = gdf["gemeentecode"].astype(str).str.strip().str.upper()
    gdf["wijkcode"] = gdf["wijkcode"].astype(str).str.strip().str.upper()
    found = sorted(set(gdf["gemeentecode"]))
    if gemeente is None:
        if len(found) != 1:
            raise UserError(f"holds wijken of {len(found)} gemeenten ({_short(found)}); choose "
                            "one with --gemeente GMxxxx.", file=str(path), field="--gemeente")
        gemeente = found[0]
    gemeente = gemeente.strip().upper()
    if not GM.match(gemeente):
        raise UserError(f"'{gemeente}' is not a gemeente code; allowed: GM and four digits, "
                        "e.g. GM0362.", field="--gemeente")
    gdf = gdf[gdf["gemeentecode"] == gemeente]
    if gdf.empty:
        raise UserError(f"no wijken of gemeente {gemeente}; the file holds {_short(found)}.",
                        file=str(path), field="gemeentecode")
    bad = sorted(c for c in gdf["wijkcode"] if not WK.match(c))
    if bad:
        raise UserError(f"wijk code(s) {_short(bad)} are not CBS wijk codes (WK and six "
                        "digits).", file=str(path), field="wijkcode")
    dup = sorted({c for c in gdf["wijkcode"] if (gdf["wijkcode"] == c).sum() > 1})
    if dup:
        raise UserError(f"wijk code(s) {_short(dup)} appear more than once.", file=str(path),
                        field="wijkcode")
    gdf = gdf.to_crs(RD_NEW).sort_values("wijkcode").reset_index(drop=True)
    _check_in_netherlands(gdf, path)
    warnings = []
    geoms = []
    for code, geom in zip(gdf["wijkcode"], gdf.geometry, strict=True):
        if geom is None or geom.is_empty:
            raise UserError(f"wijk {code} has no geometry.", file=str(path), field="geometry")
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            warnings.append(f"repaired the invalid outline of {code} ({why})")
        geom = _polygonal(geom)
        if geom.is_empty or geom.area <= 0:
            raise UserError(f"wijk {code} has no area (not a polygon).", file=str(path),
                            field="geometry")
        geoms.append(geom)
    names = [_name(v) for v in gdf["wijknaam"]] if "wijknaam" in gdf.columns else (
        [None] * len(gdf))
    return Outlines(path, gemeente, list(gdf["wijkcode"]), names, geoms, warnings)


#: RD New's bounds over the Netherlands (EPSG:28992 area of use, metres, rounded outwards).
RD_BOUNDS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)
#: The Netherlands in longitude/latitude (degrees, rounded outwards).
LON_BOUNDS = (3.0, 7.5)
LAT_BOUNDS = (50.5, 53.8)


def _gdal_message(exc: BaseException) -> str:
    """GDAL's error as one plain line: no driver-prefix hint, no second line."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = re.split(r"\s*;?\s*It might help to specify the correct driver", text)[0]
    text = text.replace("<DRIVER>:", "")
    return text.strip().rstrip(";.")[:200] or type(exc).__name__


def _check_finite(gdf: Any, path: Path) -> None:
    """Every coordinate a finite number (NaN or infinity named, with the wijk)."""
    import numpy as np
    import shapely

    for i, geom in enumerate(gdf.geometry):
        if geom is None or geom.is_empty:
            continue
        xy = shapely.get_coordinates(geom)
        if not np.isfinite(xy).all():
            kind = "NaN" if np.isnan(xy).any() else "infinite"
            code = _name(gdf["wijkcode"].iloc[i]) or f"feature {i + 1}"
            raise UserError(f"wijk {code} has {kind} coordinates; every coordinate must be a "
                            "finite number.", file=str(path), field="geometry")


def _range(lo: float, hi: float) -> str:
    return f"{lo:,.6g} to {hi:,.6g}"


def _check_crs(gdf: Any, path: Path) -> None:
    """A CRS is given, and the coordinates fit it: RD New named, axes not swapped."""
    xmin, ymin, xmax, ymax = (float(v) for v in gdf.total_bounds)
    rd_like = (RD_BOUNDS[0] <= xmin and xmax <= RD_BOUNDS[2] and RD_BOUNDS[1] <= ymin
               and ymax <= RD_BOUNDS[3] and max(abs(xmax), abs(ymax)) > 1_000)
    geographic = gdf.crs is not None and gdf.crs.is_geographic
    if gdf.crs is None or (geographic and rd_like):
        if rd_like:
            why = ("names no coordinate reference system" if gdf.crs is None
                   else "is read as degrees, as GeoJSON without a crs member is")
            raise UserError(f"coordinates x {_range(xmin, xmax)}, y {_range(ymin, ymax)}: "
                            f"looks like RD New; add --crs {RD_NEW} (the file {why}).",
                            file=str(path), field="crs")
        raise UserError("has no coordinate reference system (CRS); save it with one, or give "
                        f"it with --crs, e.g. --crs {RD_NEW} (RD New) or --crs EPSG:4326.",
                        file=str(path), field="crs")
    if geographic and (LAT_BOUNDS[0] <= xmin and xmax <= LAT_BOUNDS[1]
                       and LON_BOUNDS[0] <= ymin and ymax <= LON_BOUNDS[1]):
        raise UserError(f"coordinates look like latitude/longitude swapped: x runs "
                        f"{_range(xmin, xmax)} (latitudes of the Netherlands) and y "
                        f"{_range(ymin, ymax)} (its longitudes). Save the file with x = "
                        "longitude, y = latitude.", file=str(path), field="geometry")


def _check_in_netherlands(gdf: Any, path: Path) -> None:
    """After projection every outline lies within RD New's bounds over the Netherlands."""
    import numpy as np

    bounds = np.asarray(gdf.geometry.bounds)
    inside = ((bounds[:, 0] >= RD_BOUNDS[0]) & (bounds[:, 1] >= RD_BOUNDS[1])
              & (bounds[:, 2] <= RD_BOUNDS[2]) & (bounds[:, 3] <= RD_BOUNDS[3]))
    outside = [c for c, ok in zip(gdf["wijkcode"], inside, strict=True) if not ok]
    if outside:
        xmin, ymin, xmax, ymax = (float(v) for v in gdf.total_bounds)
        raise UserError(f"wijk(en) {_short(outside)} lie outside the Netherlands in RD New "
                        f"(x {_range(xmin, xmax)}, y {_range(ymin, ymax)} m; allowed x "
                        f"{_range(RD_BOUNDS[0], RD_BOUNDS[2])}, y "
                        f"{_range(RD_BOUNDS[1], RD_BOUNDS[3])}); is the file's CRS right?",
                        file=str(path), field="geometry")


def _layers(path: Path) -> list[str]:
    import pyogrio

    return [str(row[0]) for row in pyogrio.list_layers(path)]


def _polygonal(geom: Any) -> Any:
    """Only the polygon parts (make_valid may add lines or points)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon | MultiPolygon)]
    return shapely.union_all(parts) if parts else Polygon()


def _name(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _short(items: list[str], limit: int = 8) -> str:
    return ", ".join(items[:limit]) + (f", … ({len(items)} in all)" if len(items) > limit
                                       else "") if items else "none"
