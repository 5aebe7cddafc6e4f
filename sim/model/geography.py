"""A city's geography from its wijk outlines: the grid, neighbours and where offenders enter.

* :func:`rasterise` lays a grid of ``cell_size`` over the outlines (RD New, north up: row
  0 is the northern edge) and gives each cell to the wijk that covers most of it, when the
  wijken together cover at least half of the cell;
* :func:`outline_adjacency` says which wijken border each other (outlines within a few
  metres, since simplified outlines leave slivers and small overlaps);
* :func:`boundary_points` samples the city's outer boundary, weighted by entry points
  (``[[entry]]`` in ``city.toml``), as the places where travelling offenders come in.

Model coordinates are metres from the grid's north-west corner, x east and y south, so a
cell (row, col) has its centre at ((col + 0.5) s, (row + 0.5) s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Outlines closer than this count as neighbours (m): simplified outlines leave slivers.
ADJACENCY_TOLERANCE_M = 30.0
#: Points sampled along the city boundary for entry (more for longer boundaries).
BOUNDARY_SPACING_M = 25.0
#: How far from a named entry point offenders still come in (m, Gaussian sd).
ENTRY_SPREAD_M = 600.0


@dataclass
class Raster:
    """The outlines on a grid."""

    wijk_of_cell: np.ndarray  # (rows, cols), wijk index or -1
    x0: float  # RD x of the western edge
    y_top: float  # RD y of the northern edge
    cell_size: float
    covered: np.ndarray  # (rows, cols), share of the cell inside some wijk

    def to_model(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """RD coordinates -> model coordinates (metres east and south of the NW corner)."""
        return np.column_stack([np.asarray(x) - self.x0, self.y_top - np.asarray(y)])


def rasterise(geometries: list[Any], cell_size: float) -> Raster:
    """Each cell to the wijk covering most of it (if the wijken cover ≥ half of it)."""
    import shapely

    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(geometries, dtype=object))
    x0 = np.floor(xmin / cell_size) * cell_size
    y_top = np.ceil(ymax / cell_size) * cell_size
    cols = int(np.ceil((xmax - x0) / cell_size))
    rows = int(np.ceil((y_top - ymin) / cell_size))
    r, c = np.divmod(np.arange(rows * cols), cols)
    left = x0 + c * cell_size
    top = y_top - r * cell_size
    cells = shapely.box(left, top - cell_size, left + cell_size, top)
    geoms = np.array(geometries, dtype=object)
    tree = shapely.STRtree(geoms)
    ci, gi = tree.query(cells, predicate="intersects")
    area = shapely.area(shapely.intersection(cells[ci], geoms[gi]))
    n = len(geometries)
    share = np.zeros((rows * cols, n))
    np.add.at(share, (ci, gi), area / cell_size**2)
    covered = np.minimum(share.sum(axis=1), 1.0)
    best = share.argmax(axis=1)
    wijk = np.where(covered >= 0.5, best, -1)
    return Raster(wijk.reshape(rows, cols).astype(np.int64), float(x0), float(y_top),
                  float(cell_size), covered.reshape(rows, cols))


def outline_adjacency(geometries: list[Any],
                      tolerance: float = ADJACENCY_TOLERANCE_M) -> np.ndarray:
    """(n, n) bool: wijken whose outlines come within ``tolerance`` metres of each other."""
    import shapely

    geoms = np.array(geometries, dtype=object)
    n = len(geoms)
    i, j = np.triu_indices(n, 1)
    near = shapely.dwithin(geoms[i], geoms[j], tolerance)
    adj = np.zeros((n, n), dtype=bool)
    adj[i[near], j[near]] = True
    adj[j[near], i[near]] = True
    return adj


def boundary_points(geometries: list[Any], raster: Raster,
                    entries: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Points on the city's outer boundary (model coordinates) and their entry weights.

    Without entries every boundary point is equally likely; with entries (``x``, ``y`` in
    RD metres and a ``weight``) a point's weight is the sum of the entries' weights times a
    Gaussian of its distance to them (sd :data:`ENTRY_SPREAD_M`), so offenders come in near
    the named places, on the city's own edge.
    """
    import shapely

    city = shapely.union_all(np.array(geometries, dtype=object)).buffer(
        ADJACENCY_TOLERANCE_M).buffer(-ADJACENCY_TOLERANCE_M)
    rings = [p.exterior for p in shapely.get_parts(city)]
    pts = []
    for ring in rings:
        k = max(8, int(ring.length / BOUNDARY_SPACING_M))
        pts.extend(shapely.line_interpolate_point(ring, np.linspace(0, ring.length, k,
                                                                    endpoint=False)))
    xy = shapely.get_coordinates(np.array(pts, dtype=object))
    if entries:
        w = np.zeros(len(xy))
        for e in entries:
            d2 = (xy[:, 0] - float(e["x"])) ** 2 + (xy[:, 1] - float(e["y"])) ** 2
            w += float(e["weight"]) * np.exp(-0.5 * d2 / ENTRY_SPREAD_M**2)
        if w.sum() <= 0:
            w = np.ones(len(xy))
    else:
        w = np.ones(len(xy))
    return raster.to_model(xy[:, 0], xy[:, 1]), w / w.sum()


def spread_households(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole households over cells in proportion to ``weights``, summing exactly to ``total``.

    Largest remainders; ties (equal weights: the uniform case) are broken at random by
    ``rng``, so no cell is favoured by its position.
    """
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.size == 0:
        return np.zeros(w.size, dtype=np.int64)
    if w.sum() <= 0:
        w = np.ones(w.size)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    left = int(total - out.sum())
    if left:
        order = np.lexsort((rng.random(w.size), -(exact - out)))
        out[order[:left]] += 1
    return out
