"""The model's space: home cells (grid cells with households) and their neighbourhoods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from sim.model.city import City
from sim.model.scenario import Scenario


@dataclass
class HomeCells:
    """Arrays over the home cells, the unit of all per-tick state.

    Attributes:
        cell: grid (flat) index of each home cell.
        households, attractiveness: per home cell.
        wijk: wijk index; gebied: gebied index (0..len(gebied_numbers)-1).
        gebied_numbers: the gebied numbers, after the scenario's regrouping.
        xy: home-cell centres in metres; cell_xy: centres of all grid cells.
        neighbours: near-repeat and hotspot spread (sparse, symmetric).
        patrol_reach: how far a visible patrol deters (sparse, symmetric).
    """

    cell: np.ndarray
    households: np.ndarray
    attractiveness: np.ndarray
    wijk: np.ndarray
    gebied: np.ndarray
    gebied_numbers: list[int]
    xy: np.ndarray
    cell_xy: np.ndarray
    neighbours: sparse.csr_matrix
    patrol_reach: sparse.csr_matrix


def neighbourhood(xy: np.ndarray, radius: float, cell_size: float) -> sparse.csr_matrix:
    """Homes within ``radius`` of each home, as a sparse weight matrix.

    The weight is 1 at the cell and falls linearly to 1/3 at the radius (it would reach 0
    one cell further).
    """
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(radius + 1e-6, output_type="ndarray")
    i = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    j = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    d = np.hypot(*(xy[i] - xy[j]).T)
    return sparse.csr_matrix((1.0 - d / (radius + cell_size), (i, j)), shape=(n, n))


def _attractiveness(city: City, p: Scenario, cell: np.ndarray) -> np.ndarray:
    """Place attractiveness of the home cells: exp(sigma z - sigma^2/2), mean 1."""
    if city.place_z is None:
        return city.attractiveness.ravel()[cell]
    s = p.residents.place_sigma
    return np.exp(s * city.place_z.ravel()[cell] - 0.5 * s * s)


def build_home_cells(city: City, p: Scenario) -> HomeCells:
    """Index the home cells of ``city`` and build their neighbourhoods."""
    flat_hh = city.households.ravel()
    cell = np.flatnonzero(flat_hh > 0)
    wijk = city.wijk_of_cell.ravel()[cell]
    gebied_of_wijk = np.array(
        [p.gebied_of_wijk.get(w.code, w.gebied) for w in city.wijken], dtype=np.int64
    )
    numbers = sorted(set(gebied_of_wijk.tolist()))
    gindex = {g: i for i, g in enumerate(numbers)}
    h, w = city.shape
    s = city.cell_size_m
    rows, cols = np.divmod(cell, w)
    xy = np.column_stack([(cols + 0.5) * s, (rows + 0.5) * s])
    gy, gx = np.divmod(np.arange(h * w), w)
    return HomeCells(
        cell=cell,
        households=flat_hh[cell].astype(float),
        attractiveness=_attractiveness(city, p, cell),
        wijk=wijk,
        gebied=np.array([gindex[g] for g in gebied_of_wijk[wijk]], dtype=np.int64),
        gebied_numbers=numbers,
        xy=xy,
        cell_xy=np.column_stack([(gx + 0.5) * s, (gy + 0.5) * s]),
        neighbours=neighbourhood(xy, p.near_repeat.radius_m, s),
        patrol_reach=neighbourhood(xy, p.patrol.deterrence_radius_m, s),
    )
