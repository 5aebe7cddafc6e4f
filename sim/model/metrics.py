"""Summary metrics of runs: yearly counts, clearance, Knox near-repeat ratio, WDQ, spread."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from sim.model.clock import HOLIDAY_END_DOY, HOLIDAY_START_DOY
from sim.model.model import DAYS_PER_YEAR, HOURS_PER_DAY, RunOutput


def knox_ratio(
    ticks: np.ndarray,
    xy: np.ndarray,
    max_distance_m: float = 200.0,
    max_days: float = 14.0,
) -> float:
    """Knox ratio: observed close pairs (space AND time) over those expected by chance.

    With N pairs in all, N_s pairs close in space and N_t close in time, the expected count
    of pairs close in both under independence is N_s * N_t / N. A ratio clearly above 1
    is the near-repeat signature (Johnson et al. 2007). Returns NaN when undefined.
    """
    n = len(ticks)
    if n < 2:
        return float("nan")
    n_pairs = n * (n - 1) / 2
    tree = cKDTree(np.asarray(xy, dtype=float))
    pairs = tree.query_pairs(max_distance_m + 1e-6, output_type="ndarray")
    n_space = len(pairs)
    max_ticks = max_days * HOURS_PER_DAY
    t_sorted = np.sort(np.asarray(ticks))
    # pairs close in time: for each event, later events within max_ticks
    n_time = int((np.searchsorted(t_sorted, t_sorted + max_ticks, side="right")
                  - np.arange(n) - 1).sum())
    if n_space == 0 or n_time == 0:
        return float("nan")
    dt = np.abs(np.asarray(ticks)[pairs[:, 0]] - np.asarray(ticks)[pairs[:, 1]])
    observed = int((dt <= max_ticks).sum())
    expected = n_space * n_time / n_pairs
    return observed / expected


def yearly(daily: np.ndarray, days_per_year: int = DAYS_PER_YEAR) -> np.ndarray:
    """Sum a (days, ...) array into (years, ...) blocks of 365 days (last may be partial)."""
    n_years = -(-daily.shape[0] // days_per_year)
    pad = n_years * days_per_year - daily.shape[0]
    padded = np.concatenate([daily, np.zeros((pad, *daily.shape[1:]), daily.dtype)])
    return padded.reshape(n_years, days_per_year, *daily.shape[1:]).sum(axis=1)


def wdq(
    treated_ref: float, treated_new: float, buffer_ref: float, buffer_new: float,
    control_ref: float, control_new: float,
) -> float:
    """Weighted displacement quotient (Bowers & Johnson 2003).

    WDQ = (B_new/C_new - B_ref/C_ref) / (A_new/C_new - A_ref/C_ref) for treated area A,
    buffer B and control C. Above 0: diffusion of benefits; below 0: displacement; NaN if
    the treated area did not change.
    """
    if min(control_ref, control_new) <= 0:
        return float("nan")
    da = treated_new / control_new - treated_ref / control_ref
    db = buffer_new / control_new - buffer_ref / control_ref
    return float(db / da) if da != 0 else float("nan")


#: Nov–Feb (days of a 365-day year): the dark months of police and press comparisons.
DARK_MONTHS = (304, 59)  # from 1 November; before 1 March
#: The night as Politie-analisten 2014 count it: from 22:00, before 06:00.
NIGHT_HOURS = (22, 6)


def in_act_share(out: RunOutput) -> float:
    """Share of all arrests made in the act (at the burglary, by guardians or neighbours)."""
    in_act = int(out.events["in_act"].sum()) if out.events.size else 0
    total = int(out.arrests.sum() + out.offender_arrests.sum())
    return in_act / total if total else float("nan")


def seasonal_ratio(daily: np.ndarray) -> float:
    """Burglaries per day in Nov–Feb over those in Mar–Oct (whole years are best)."""
    doy = np.arange(len(daily)) % DAYS_PER_YEAR
    dark = (doy >= DARK_MONTHS[0]) | (doy < DARK_MONTHS[1])
    if not dark.any() or dark.all():
        return float("nan")
    rest = daily[~dark].mean()
    return float(daily[dark].mean() / rest) if rest > 0 else float("nan")


def holiday_ratio(daily: np.ndarray) -> float:
    """Burglaries per day in the Christmas school holiday over the year's mean per day."""
    doy = np.arange(len(daily)) % DAYS_PER_YEAR
    hol = (doy >= HOLIDAY_START_DOY) | (doy < HOLIDAY_END_DOY)
    mean = daily.mean() if len(daily) else 0
    return float(daily[hol].mean() / mean) if hol.any() and mean > 0 else float("nan")


def concentration(cells: np.ndarray, home_cells: np.ndarray, top: float = 0.05) -> float:
    """Share of burglaries in the ``top`` share of home cells with the most burglaries."""
    if cells.size == 0 or home_cells.size == 0:
        return float("nan")
    index = {int(c): i for i, c in enumerate(home_cells)}
    counts = np.bincount([index[int(c)] for c in cells], minlength=home_cells.size)
    k = max(1, int(round(top * home_cells.size)))
    return float(np.sort(counts)[::-1][:k].sum() / counts.sum())


def frequency_concentration(cells: np.ndarray, home_cells: np.ndarray,
                            top: float = 0.10) -> float:
    """Share of burglaries in the ``top`` share of the home cells that had any burglary.

    Lee et al. (2017)'s "frequency" condition: only places with at least one crime count,
    so the measure is not driven by how many places stay empty (with a few hundred
    burglaries a year on thousands of cells, most cells do).
    """
    if cells.size == 0 or home_cells.size == 0:
        return float("nan")
    index = {int(c): i for i, c in enumerate(home_cells)}
    counts = np.bincount([index[int(c)] for c in cells], minlength=home_cells.size)
    hit = np.sort(counts[counts > 0])[::-1]
    k = max(1, int(round(top * hit.size)))
    return float(hit[:k].sum() / hit.sum())


def night_share(ticks: np.ndarray) -> float:
    """Share of burglaries that start between 22:00 and 06:00 (Politie-analisten 2014)."""
    if ticks.size == 0:
        return float("nan")
    hour = ticks % HOURS_PER_DAY
    return float(((hour >= NIGHT_HOURS[0]) | (hour < NIGHT_HOURS[1])).mean())


def rank_stability(events: np.ndarray, home_cells: np.ndarray) -> float:
    """Spearman correlation of home cells' burglary counts in year 1 and year 2 (NaN if <2)."""
    from scipy.stats import spearmanr

    year = events["tick"] // (DAYS_PER_YEAR * HOURS_PER_DAY)
    if events.size == 0 or year.max() < 1:
        return float("nan")
    index = {int(c): i for i, c in enumerate(home_cells)}
    idx = np.array([index[int(c)] for c in events["cell"]])
    a = np.bincount(idx[year == 0], minlength=home_cells.size)
    b = np.bincount(idx[year == 1], minlength=home_cells.size)
    rho = spearmanr(a, b).statistic
    return float(rho) if np.isfinite(rho) else float("nan")


def summarize(out: RunOutput, gebied_of_wijk: dict[str, int], start_year: int) -> dict[str, Any]:
    """Summary metrics of one run (JSON-able)."""
    years = out.days / DAYS_PER_YEAR
    attempts, completed, arrests = out.attempts, out.completed, out.arrests
    total = int(attempts.sum())
    per_wijk = {c: float(v) / years for c, v in zip(out.wijk_codes, attempts.sum(axis=0),
                                                      strict=True)}
    per_gebied: dict[str, float] = {}
    for code, v in per_wijk.items():
        g = str(gebied_of_wijk[code])
        per_gebied[g] = per_gebied.get(g, 0.0) + v
    ev = out.events
    knox = knox_ratio(ev["tick"], out.cell_xy[ev["cell"]]) if out.cell_xy is not None else None
    by_year = yearly(attempts.sum(axis=1))
    return {
        "years": years,
        "woninginbraken_per_year": total / years,
        "completed_per_year": float(completed.sum()) / years,
        "attempted_only_per_year": float(total - completed.sum()) / years,
        "arrests_per_year": float(arrests.sum() + out.offender_arrests.sum()) / years,
        "arrests_at_burglary_per_year": float(arrests.sum()) / years,
        "arrests_offender_work_per_year": float(out.offender_arrests.sum()) / years,
        "attempt_share": float(1 - completed.sum() / total) if total else float("nan"),
        "clearance_rate": float(arrests.sum() / total) if total else float("nan"),
        "knox_ratio": knox,
        "in_act_share": in_act_share(out),
        "seasonal_ratio": seasonal_ratio(attempts.sum(axis=1)),
        "holiday_ratio": holiday_ratio(attempts.sum(axis=1)),
        "concentration": (frequency_concentration(ev["cell"], out.home_cells)
                          if out.home_cells is not None else float("nan")),
        "night_share": night_share(ev["tick"]),
        "top5_share": (concentration(ev["cell"], out.home_cells)
                       if out.home_cells is not None else float("nan")),
        "rank_stability": (rank_stability(ev, out.home_cells)
                           if out.home_cells is not None else float("nan")),
        "per_wijk": per_wijk,
        "per_gebied": per_gebied,
        "by_year": {str(start_year + i): float(v) for i, v in enumerate(by_year)},
        "hours_per_year": {k: float(v) / years for k, v in out.hours.items()},
    }
