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
                  gemeente: str | None = None) -> Outlines:
    """The wijken of ``gemeente`` (all, if the file holds one gemeente) in RD New.

    Raises:
        UserError: unreadable file, missing layer or fields, no CRS, no features for the
            gemeente, several gemeenten and none chosen, duplicate wijk codes.
    """
    import geopandas as gpd
    import shapely

    path = Path(path)
    read_bytes(path, what="outline file", max_bytes=MAX_DATA_BYTES)  # regular, bounded
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
        msg = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise UserError(f"cannot read the outlines: {msg}. Give a GeoPackage (.gpkg) or "
                        "GeoJSON file with one polygon per wijk.", file=str(path)) from None
    columns = {c.lower(): c for c in gdf.columns}
    missing = [f for f in ("wijkcode", "gemeentecode") if f not in columns]
    if missing:
        have = ", ".join(c for c in gdf.columns if c != "geometry") or "none"
        raise UserError(f"missing field(s) {', '.join(missing)}; the file has: {have}. "
                        f"Required: {', '.join(FIELDS)} (wijknaam may be empty).",
                        file=str(path), field=missing[0])
    if gdf.crs is None:
        raise UserError("has no coordinate reference system (CRS); save it with one, e.g. "
                        f"{RD_NEW} (RD New) or EPSG:4326.", file=str(path), field="crs")
    gdf = gdf.rename(columns={columns[f]: f for f in FIELDS if f in columns})
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
