"""A city from its data folder: the wijk table, the grid layout and the cell fields.

A city folder (``calibration/<city>/``) holds:

* ``city.toml`` — name, gemeente code, cell size, gebied names, totals to check;
* ``wijken.csv`` — one row per CBS wijk: code, name, inhabitants, households, area_ha,
  gebied, source (a source or the word "estimate");
* optionally ``layout.csv`` — a raster of wijk codes (one grid row per line, ``.`` or
  empty for cells outside every wijk) that replaces the generated schematic layout.

The generated layout fills vertical bands of the grid in a serpentine order, giving each
wijk a contiguous block whose cell count equals its area (1 ha per 100 m cell).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from sim.core.errors import UserError
from sim.core.paths import CALIBRATION
from sim.core.textio import MAX_DATA_BYTES, read_text, read_toml
from sim.data.outlines import find_outlines, read_outlines
from sim.data.wijktable import COLUMNS, Wijk

#: Size limits of a city (memory and run time stay bounded): cells of the grid, and per wijk.
MAX_CELLS = 4_000_000
MAX_WIJK_HA = 100_000
MAX_WIJK_HOUSEHOLDS = 1_000_000
#: Edge of a CBS vierkantstatistieken square (m).
GRID_SQUARE_M = 100.0
#: Files of a city folder whose bytes define the city (in a scenario's content hash).
CITY_FILES = ("wijken.csv", "city.toml", "layout.csv", "wijken.gpkg", "wijken.geojson",
              "huishoudens_100m.gpkg", "drivers.toml")

REQUIRED_COLUMNS = COLUMNS


@dataclass
class City:
    """Grid and per-cell fields of one gemeente.

    Attributes:
        name: gemeente name.
        code: CBS gemeente code (e.g. GM0362).
        wijken: the wijk table, in file order; wijk index i refers to ``wijken[i]``.
        gebied_names: gebied number -> name.
        cell_size_m: edge of a square cell in metres.
        wijk_of_cell: (height, width) int array, wijk index per cell, -1 outside the city.
        households: (height, width) int array of households per cell.
        attractiveness: (height, width) float array (mean 1 over homes).
    """

    name: str
    code: str
    wijken: list[Wijk]
    gebied_names: dict[int, str]
    cell_size_m: float
    wijk_of_cell: np.ndarray
    households: np.ndarray
    attractiveness: np.ndarray
    folder: Path | None = None
    #: (height, width) fixed standard-normal field of place attractiveness, spatially smooth
    #: (``place_range_m`` in city.toml); scenarios scale it by ``residents.place_sigma``.
    place_z: np.ndarray | None = None
    meta: dict = field(default_factory=dict)
    #: "polygons" (rasterised wijk outlines), "raster" (layout.csv) or "schematic".
    layout: str = "schematic"
    #: RD New coordinates of the grid's north-west corner (polygons only).
    origin_rd: tuple[float, float] | None = None
    #: (n, n) bool: wijken that border each other (from the outlines when there are any).
    adjacency: np.ndarray | None = None
    #: Where travelling offenders enter: points on the outer boundary (model coordinates,
    #: metres east and south of the grid's north-west corner) and their probabilities;
    #: None: anywhere on the grid's bounding box.
    entry_xy: np.ndarray | None = None
    entry_p: np.ndarray | None = None
    #: The wijk outlines in RD New as lists of rings of (x, y), for maps (polygons only).
    outlines: list[list[list[tuple[float, float]]]] | None = None
    #: Each wijk's own outline area in hectares (polygons only; None otherwise).
    outline_area_ha: list[float] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """Grid (height, width) in cells."""
        return self.wijk_of_cell.shape

    @property
    def n_wijken(self) -> int:
        """Number of wijken."""
        return len(self.wijken)

    @cached_property
    def gebied_of_wijk(self) -> np.ndarray:
        """Gebied number for each wijk index."""
        return np.array([w.gebied for w in self.wijken], dtype=np.int64)

    @cached_property
    def gebieden(self) -> list[int]:
        """Sorted gebied numbers."""
        return sorted(set(self.gebied_of_wijk.tolist()))

    @property
    def inhabitants(self) -> int:
        """Total inhabitants of the wijk table."""
        return sum(w.inhabitants for w in self.wijken)

    def scaled(self, factor: int) -> City:
        """A city ``factor`` times larger in cells and households (tiles of this one).

        Used by the benchmarks to measure scaling. ``factor`` must be a perfect square.
        """
        k = int(round(factor**0.5))
        if k * k != factor:
            raise ValueError("scale factor must be a perfect square (1, 4, 16, ...)")
        tile = lambda a: np.tile(a, (k, k))  # noqa: E731
        return City(
            name=f"{self.name} x{factor}",
            code=self.code,
            wijken=self.wijken,
            gebied_names=self.gebied_names,
            cell_size_m=self.cell_size_m,
            wijk_of_cell=tile(self.wijk_of_cell),
            households=tile(self.households),
            attractiveness=tile(self.attractiveness),
            folder=self.folder,
            meta=self.meta,
            layout="schematic",
            place_z=None if self.place_z is None else tile(self.place_z),
        )

    def wijk_adjacency(self) -> np.ndarray:
        """(n, n) bool: wijken that border each other (outlines, else shared grid edges)."""
        if self.adjacency is not None:
            return self.adjacency
        adj = np.zeros((self.n_wijken, self.n_wijken), dtype=bool)
        g = np.asarray(self.wijk_of_cell)
        for a, b in ((g[:, :-1], g[:, 1:]), (g[:-1, :], g[1:, :])):
            m = (a >= 0) & (b >= 0) & (a != b)
            adj[a[m], b[m]] = True
            adj[b[m], a[m]] = True
        return adj

    def label(self, i: int) -> str:
        """The wijk's CBS name, or its code where no name is known (never a guess)."""
        w = self.wijken[i]
        return w.name or w.code


def city_folder(city: str | Path) -> Path:
    """Resolve a city to its data folder.

    A name (a slug such as ``amstelveen``) is a folder under ``calibration/``; a
    :class:`~pathlib.Path` or an absolute path (given on the command line, never read from
    a scenario file) is used as it is. A name never reaches outside ``calibration/``.
    """
    if isinstance(city, Path) or Path(str(city)).is_absolute():
        folder = Path(city)
        if not (folder / "wijken.csv").is_file():
            raise UserError("not a city folder: it needs wijken.csv (and city.toml).",
                            file=str(folder))
        return folder
    if not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", str(city)):
        raise UserError(f"city '{str(city)[:60]}' is not a city name: a city is the name of a "
                        "folder under calibration/ (lowercase letters, digits, '-', '_').",
                        field="city")
    folder = CALIBRATION / str(city)
    if not (folder / "wijken.csv").is_file():
        known = sorted(d.name for d in CALIBRATION.iterdir() if (d / "wijken.csv").exists())
        raise UserError(
            f"unknown city '{city}'. Known cities: {', '.join(known) or 'none'}; "
            "or give a folder holding wijken.csv and city.toml."
        )
    return folder


def read_wijk_table(path: Path) -> list[Wijk]:
    """Read and check ``wijken.csv``."""
    with io.StringIO(read_text(path, what="wijk table (CSV)", max_bytes=MAX_DATA_BYTES),
                     newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise UserError(
                f"missing column(s) {', '.join(missing)}; the file has "
                f"{', '.join(reader.fieldnames or [])}. Required: {', '.join(REQUIRED_COLUMNS)}.",
                file=str(path),
            )
        wijken = []
        for line, row in enumerate(reader, start=2):
            try:
                w = Wijk(
                    code=row["code"].strip(),
                    name=row["name"].strip(),
                    inhabitants=int(row["inhabitants"]),
                    households=int(row["households"]),
                    area_ha=float(row["area_ha"]),
                    gebied=int(row["gebied"]),
                    source=row["source"].strip(),
                )
            except (TypeError, ValueError) as exc:
                raise UserError(
                    f"line {line}: cannot read numbers ({exc}); inhabitants, households and "
                    "gebied must be whole numbers, area_ha a number.",
                    file=str(path),
                ) from None
            for fld, value in (("inhabitants", w.inhabitants), ("households", w.households)):
                if value < 0:
                    raise UserError(
                        f"line {line} ({w.code}): {fld} is {value}; must be 0 or more.",
                        file=str(path),
                        field=fld,
                    )
            if not 0 < w.area_ha <= MAX_WIJK_HA:
                raise UserError(
                    f"line {line} ({w.code}): area_ha is {w.area_ha}; a wijk needs an area "
                    f"above 0 and at most {MAX_WIJK_HA:,} ha.",
                    file=str(path),
                    field="area_ha",
                )
            if w.households > MAX_WIJK_HOUSEHOLDS or w.inhabitants > 10 * MAX_WIJK_HOUSEHOLDS:
                raise UserError(
                    f"line {line} ({w.code}): at most {MAX_WIJK_HOUSEHOLDS:,} households and "
                    f"{10 * MAX_WIJK_HOUSEHOLDS:,} inhabitants per wijk.",
                    file=str(path), field="households")
            if not w.source:
                raise UserError(
                    f"line {line} ({w.code}): empty source; name the source or write 'estimate'.",
                    file=str(path),
                    field="source",
                )
            wijken.append(w)
    codes = [w.code for w in wijken]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise UserError(f"duplicate wijk code(s): {', '.join(dup)}", file=str(path), field="code")
    if not wijken:
        raise UserError("the wijk table has no rows", file=str(path))
    return wijken


def schematic_layout(area_cells: list[int], band_width: int) -> np.ndarray:
    """Lay wijken out as contiguous blocks on a grid, in table order.

    The grid is ``band_width * n_bands`` wide and an odd number of rows high. Cells are
    visited band by band (down the first band, up the next, ...) and row by row within a
    band, alternating direction, so consecutive cells always touch; each wijk takes its
    cell count of consecutive cells and is therefore one contiguous region.
    """
    total = int(sum(area_cells))
    rows = max(3, int(np.ceil(np.sqrt(total * 0.7))))
    rows += 1 - rows % 2  # odd, so every band ends on the side where the next one starts
    n_bands = int(np.ceil(total / (rows * band_width)))
    width = n_bands * band_width
    order = []
    for b in range(n_bands):
        row_seq = range(rows) if b % 2 == 0 else range(rows - 1, -1, -1)
        for i, r in enumerate(row_seq):
            cols = range(b * band_width, (b + 1) * band_width)
            order.extend((r, c) for c in (cols if i % 2 == 0 else reversed(cols)))
    grid = np.full((rows, width), -1, dtype=np.int64)
    pos = 0
    for wi, n in enumerate(area_cells):
        for r, c in order[pos : pos + n]:
            grid[r, c] = wi
        pos += n
    return grid


def read_layout(path: Path, wijken: list[Wijk]) -> np.ndarray:
    """Read a raster of wijk codes and check it against the wijk table."""
    index = {w.code: i for i, w in enumerate(wijken)}
    rows = []
    with io.StringIO(read_text(path, what="layout raster (CSV)", max_bytes=MAX_DATA_BYTES),
                     newline="") as fh:
        for line in csv.reader(fh):
            rows.append([x.strip() for x in line])
    width = max((len(r) for r in rows), default=0)
    if not rows or width == 0 or len(rows) * width > MAX_CELLS:
        raise UserError(f"the raster must have between 1 and {MAX_CELLS:,} cells.",
                        file=str(path))
    grid = np.full((len(rows), width), -1, dtype=np.int64)
    unknown = set()
    for r, row in enumerate(rows):
        for c, code in enumerate(row):
            if code in ("", "."):
                continue
            if code not in index:
                unknown.add(code)
                continue
            grid[r, c] = index[code]
    absent = [w.code for i, w in enumerate(wijken) if not (grid == i).any()]
    if unknown or absent:
        raise UserError(
            "the layout raster and the wijk table do not match: "
            + (f"codes in the raster but not in wijken.csv: {', '.join(sorted(unknown))}. "
               if unknown else "")
            + (f"wijken in wijken.csv with no cell in the raster: {', '.join(absent)}."
               if absent else ""),
            file=str(path),
            field="wijk code",
        )
    return grid


#: city.toml's numeric settings: name -> (low, high, unit).
META_BOUNDS = {
    "cell_size_m": (10, 1_000, "m"),
    "band_width_cells": (1, 1_000, "cells"),
    "layout_seed": (0, 2**63 - 1, ""),
    "households_per_residential_cell": (1, 10_000, "households"),
    "attractiveness_sigma": (0, 5, ""),
    "place_range_m": (0, 5_000, "m"),
}


def _check_meta(meta: dict, path: Path) -> None:
    for key, (lo, hi, unit) in META_BOUNDS.items():
        if key not in meta:
            continue
        v = meta[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
            raise UserError(f"must be a number from {lo:,} to {hi:,} {unit} (got {v!r}).",
                            file=str(path), field=key)
    entries = meta.get("entry", [])
    if not isinstance(entries, list):
        raise UserError("must be a list of [[entry]] tables.", file=str(path), field="entry")
    for i, e in enumerate(entries):
        ok = isinstance(e, dict) and all(
            isinstance(e.get(k), int | float) and not isinstance(e.get(k), bool)
            for k in ("x", "y", "weight"))
        if not ok or not (0 <= e["weight"] <= 1e6 and 0 <= e["x"] <= 300_000
                          and 300_000 <= e["y"] <= 625_000):
            raise UserError("each [[entry]] needs x and y in RD New metres (x 0–300,000, "
                            "y 300,000–625,000) and a weight of 0 or more.", file=str(path),
                            field=f"entry[{i}]")
    gebieden = meta.get("gebieden", {})
    if not isinstance(gebieden, dict) or not all(
            str(k).isdigit() and isinstance(v, str) for k, v in gebieden.items()):
        raise UserError("must be a table of gebied number = name (e.g. 1 = \"Noord\").",
                        file=str(path), field="gebieden")


def load_city(city: str | Path = "amstelveen") -> City:
    """Load a city folder into a :class:`City`; raises :class:`UserError` on bad data."""
    folder = city_folder(city)
    meta_path = folder / "city.toml"
    meta = read_toml(meta_path, what="city file") if meta_path.exists() else {}
    _check_meta(meta, meta_path)
    wijken = read_wijk_table(folder / "wijken.csv")
    cell_size = float(meta.get("cell_size_m", 100))
    cell_ha = cell_size * cell_size / 10_000
    if sum(w.area_ha for w in wijken) / cell_ha > MAX_CELLS:
        raise UserError(f"the wijken cover more than {MAX_CELLS:,} cells of {cell_size:g} m; "
                        "raise cell_size_m.", file=str(meta_path), field="cell_size_m")
    rng = np.random.default_rng(int(meta.get("layout_seed", 0)))
    geo: dict = {}
    outline_path = find_outlines(folder)
    layout_path = folder / "layout.csv"
    if outline_path is not None:
        grid, households, geo = _from_outlines(outline_path, folder, meta, wijken, cell_size,
                                               rng)
    else:
        if layout_path.exists():
            grid = read_layout(layout_path, wijken)
        else:
            cells = [max(1, int(round(w.area_ha / cell_ha))) for w in wijken]
            grid = schematic_layout(cells, int(meta.get("band_width_cells", 10)))
        households = _residential_households(grid, wijken, meta, rng)
    sigma = float(meta.get("attractiveness_sigma", 0.3))
    attractiveness = rng.lognormal(-0.5 * sigma**2, sigma, size=grid.shape)
    place_z = _place_field(grid, float(meta.get("place_range_m", 150)) / cell_size, rng)
    gebied_names = {int(k): str(v) for k, v in meta.get("gebieden", {}).items()}
    for w in wijken:
        gebied_names.setdefault(w.gebied, f"gebied {w.gebied}")
    return City(
        name=str(meta.get("name", folder.name)),
        code=str(meta.get("gemeente_code", "")),
        wijken=wijken,
        gebied_names=gebied_names,
        cell_size_m=cell_size,
        wijk_of_cell=grid,
        households=households,
        attractiveness=attractiveness,
        folder=folder,
        meta=meta,
        place_z=place_z,
        layout=geo.get("layout", "raster" if layout_path.exists() else "schematic"),
        **{k: v for k, v in geo.items() if k != "layout"},
    )


def _place_field(grid: np.ndarray, range_cells: float, rng: np.random.Generator) -> np.ndarray:
    """A fixed, spatially smooth field with mean 0 and sd 1 over the city's cells.

    White noise smoothed with a Gaussian of ``range_cells``: neighbouring cells are alike,
    so attractive places form stable hot spots a few cells wide.
    """
    from scipy.ndimage import gaussian_filter

    z = rng.standard_normal(grid.shape)
    if range_cells > 0:
        z = gaussian_filter(z, range_cells, mode="nearest")
    inside = grid >= 0
    vals = z[inside] if inside.any() else z.ravel()
    sd = vals.std()
    return (z - vals.mean()) / (sd if sd > 0 else 1.0)


def _residential_households(grid: np.ndarray, wijken: list[Wijk], meta: dict,
                            rng: np.random.Generator) -> np.ndarray:
    """Schematic and raster layouts: each wijk puts its homes on a share of its cells.

    The rest is park, water, road, offices; counts per cell vary (lognormal weights). Fixed
    by the city's ``layout_seed``, so every run and replication sees the same city.
    """
    per_cell = float(meta.get("households_per_residential_cell", 12))
    households = np.zeros(grid.shape, dtype=np.int64)
    flat_grid = grid.ravel()
    flat_hh = households.ravel()
    for wi, w in enumerate(wijken):
        cells = np.flatnonzero(flat_grid == wi)
        if w.households == 0 or cells.size == 0:
            continue
        n_res = int(np.clip(round(w.households / per_cell), 1, max(1, round(0.9 * cells.size))))
        chosen = rng.choice(cells, size=n_res, replace=False)
        weights = rng.lognormal(0.0, 0.5, size=n_res)
        flat_hh[chosen] = rng.multinomial(w.households, weights / weights.sum())
    return households


def _from_outlines(path: Path, folder: Path, meta: dict, wijken: list[Wijk], cell_size: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    """Grid, households and geography of a city folder holding wijk outlines."""
    from sim.model.geography import (
        boundary_points,
        outline_adjacency,
        rasterise,
        spread_households,
    )

    gemeente = str(meta.get("gemeente_code", "")) or None
    outlines = read_outlines(path, gemeente=gemeente)
    table = [w.code for w in wijken]
    only_map = sorted(set(outlines.codes) - set(table))
    only_table = sorted(set(table) - set(outlines.codes))
    if only_map or only_table:
        raise UserError(
            "the outlines and the wijk table do not match: "
            + (f"wijken in the outlines but not in wijken.csv: {', '.join(only_map)}. "
               if only_map else "")
            + (f"wijken in wijken.csv without an outline: {', '.join(only_table)}."
               if only_table else ""), file=str(path), field="wijkcode")
    order = [outlines.codes.index(c) for c in table]
    geoms = [outlines.geometries[i] for i in order]
    raster = rasterise(geoms, cell_size)
    grid = raster.wijk_of_cell
    if grid.size > MAX_CELLS:
        raise UserError(f"the outlines span more than {MAX_CELLS:,} cells of {cell_size:g} m; "
                        "raise cell_size_m.", file=str(folder / "city.toml"),
                        field="cell_size_m")
    empty = [w.code for i, w in enumerate(wijken) if not (grid == i).any()]
    if empty:
        raise UserError(f"wijk(en) {', '.join(empty)} cover no cell of {cell_size:g} m; lower "
                        "cell_size_m.", file=str(path), field="geometry")
    weights = np.ones(grid.size)
    grid_file = folder / "huishoudens_100m.gpkg"  # CBS vierkantstatistieken, if given
    if grid_file.is_file():
        from sim.data.grid100 import read_household_grid

        centres, hh = read_household_grid(grid_file)
        # each 100 m square's households spread evenly over a lattice of points inside it,
        # so cells smaller than a square share it (a centre alone would favour one cell)
        k = max(1, int(np.ceil(GRID_SQUARE_M / cell_size))) * 2
        off = ((np.arange(k) + 0.5) / k - 0.5) * GRID_SQUARE_M
        dx, dy = (a.ravel() for a in np.meshgrid(off, off))
        centres = (centres[:, None, :] + np.column_stack([dx, dy])[None]).reshape(-1, 2)
        hh = np.repeat(hh / (k * k), k * k)
        cell_of = raster.to_model(centres[:, 0], centres[:, 1]) // cell_size
        rows, cols = grid.shape
        ok = ((cell_of[:, 0] >= 0) & (cell_of[:, 0] < cols) & (cell_of[:, 1] >= 0)
              & (cell_of[:, 1] < rows))
        flat = (cell_of[ok, 1] * cols + cell_of[ok, 0]).astype(np.int64)
        weights = np.bincount(flat, weights=hh[ok], minlength=grid.size)
    households = np.zeros(grid.size, dtype=np.int64)
    flat_grid = grid.ravel()
    for wi, w in enumerate(wijken):
        cells = np.flatnonzero(flat_grid == wi)
        households[cells] = spread_households(w.households, weights[cells], rng)
    entries = meta.get("entry", [])
    entry_xy, entry_p = boundary_points(geoms, raster, entries)
    geo = {"layout": "polygons", "origin_rd": (raster.x0, raster.y_top),
           "adjacency": outline_adjacency(geoms), "entry_xy": entry_xy, "entry_p": entry_p,
           "outlines": [_rings(g) for g in geoms],
           "outline_area_ha": [g.area / 10_000 for g in geoms]}
    return grid, households.reshape(grid.shape), geo


def _rings(geom: object) -> list[list[tuple[float, float]]]:
    """Exterior and interior rings of a (multi)polygon, coordinates rounded to 1 m."""
    import shapely

    out = []
    for poly in shapely.get_parts(geom):
        for ring in [poly.exterior, *poly.interiors]:
            out.append([(round(x), round(y)) for x, y in ring.coords])
    return out
