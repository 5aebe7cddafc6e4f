"""The model's clock: hours, 365-day years from 1 January, weekends and dark evenings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.scenario import Scenario

HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
TICKS_PER_YEAR = HOURS_PER_DAY * DAYS_PER_YEAR


@dataclass
class Calendar:
    """Day-level facts for the whole horizon.

    Attributes:
        n_ticks, n_days: the horizon in hours and (started) days.
        weekend: (days,) True on Saturdays and Sundays.
        dark_evening: (days, 24) True for evening hours after sunset (until 23:00).
        activity: (24,) offender activity by hour, normalised to sum 1.
    """

    n_ticks: int
    n_days: int
    weekend: np.ndarray
    dark_evening: np.ndarray
    activity: np.ndarray


def build_calendar(p: Scenario) -> Calendar:
    """The calendar of a scenario's horizon, starting 1 January of ``start_year``."""
    n_ticks = int(round(p.years * TICKS_PER_YEAR))
    n_days = -(-n_ticks // HOURS_PER_DAY)
    dates = np.datetime64(f"{p.start_year}-01-01") + np.arange(n_days)
    weekend = ((dates.astype("datetime64[D]").view("int64") - 4) % 7) >= 5  # Sat, Sun
    doy = np.arange(n_days) % DAYS_PER_YEAR
    # Sunset hour in the Netherlands (local time): ~16:30 late December, ~22:00 late June.
    sunset = 19.25 - 2.75 * np.cos(2 * np.pi * (doy + 10) / DAYS_PER_YEAR)
    hours = np.arange(HOURS_PER_DAY)
    dark = (hours[None, :] >= np.ceil(sunset)[:, None]) & (hours[None, :] <= 22)
    act = np.asarray(p.offenders.activity_by_hour, dtype=float)
    return Calendar(n_ticks, n_days, weekend, dark, act / act.sum() if act.sum() > 0 else act)
