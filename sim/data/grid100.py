"""CBS *vierkantstatistieken*: households per 100 m × 100 m square, as a GeoPackage.

:func:`read_household_grid` returns the squares' centres (RD New) and household counts.
CBS writes suppressed squares as negative numbers (e.g. -99997): they count as 0 here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.core.errors import UserError
from sim.core.textio import MAX_DATA_BYTES, read_bytes
from sim.data.outlines import RD_NEW

#: Household fields looked for, in order (CBS 2020+, older CBS, a plain name).
HOUSEHOLD_FIELDS = ("aantal_part_huishoudens", "aantal_particuliere_huishoudens",
                    "huishoudens", "households")


def read_household_grid(path: str | Path, *, field: str | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Centres (n, 2) in RD New metres and households (n,) of a 100 m grid file."""
    import geopandas as gpd
    import shapely

    path = Path(path)
    read_bytes(path, what="population grid", max_bytes=MAX_DATA_BYTES)
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 — GDAL's errors are many; say which file
        raise UserError(f"cannot read the population grid: {str(exc)[:200]}.",
                        file=str(path)) from None
    if gdf.crs is None:
        raise UserError("has no coordinate reference system (CRS).", file=str(path),
                        field="crs")
    cols = {c.lower(): c for c in gdf.columns}
    name = field or next((cols[f] for f in HOUSEHOLD_FIELDS if f in cols), None)
    if name is None or name not in gdf.columns:
        raise UserError(f"no households field; looked for {', '.join(HOUSEHOLD_FIELDS)}. "
                        f"The file has: {', '.join(c for c in gdf.columns if c != 'geometry')}.",
                        file=str(path), field="households")
    gdf = gdf.to_crs(RD_NEW)
    centres = shapely.get_coordinates(shapely.centroid(gdf.geometry.values))
    hh = np.nan_to_num(np.asarray(gdf[name], dtype=float), nan=0.0)
    return centres, np.clip(hh, 0, None)
