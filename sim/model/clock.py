"""The model's clock: hours, 365-day years from 1 January, weekends and dark evenings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.scenario import Scenario

HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
TICKS_PER_YEAR = HOURS_PER_DAY * DAYS_PER_YEAR
#: The Christmas school holiday, as days of the (365-day) year: 21 December – 3 January.
HOLIDAY_START_DOY = 354
HOLIDAY_END_DOY = 3


@dataclass
class Calendar:
    """Day-level facts for the whole horizon.

    Attributes:
        n_ticks, n_days: the horizon in hours and (started) days.
        weekend: (days,) True on Saturdays and Sundays.
        dark_evening: (days, 24) True for evening hours after sunset (until 23:00).
        holiday: (days,) True in the Christmas school holiday (21 December to 3
            January), when many households are away.
        activity: (24,) offender activity by hour, normalised to sum 1.
        first_year: the calendar year of day 0 (``start_year`` minus the burn-in).
        burn_in_days: days simulated before ``start_year`` (left out of every output).
    """

    n_ticks: int
    n_days: int
    weekend: np.ndarray
    dark_evening: np.ndarray
    holiday: np.ndarray
    activity: np.ndarray
    first_year: int
    burn_in_days: int


def build_calendar(p: Scenario) -> Calendar:
    """The calendar of a run: the burn-in, then the horizon from 1 January of ``start_year``."""
    burn_in_days = int(round(p.burn_in_years * DAYS_PER_YEAR))
    burn_in_years = -(-burn_in_days // DAYS_PER_YEAR)
    burn_in_days = burn_in_years * DAYS_PER_YEAR  # whole years: the calendar stays aligned
    first_year = p.start_year - burn_in_years
    n_ticks = int(round(p.years * TICKS_PER_YEAR)) + burn_in_days * HOURS_PER_DAY
    n_days = -(-n_ticks // HOURS_PER_DAY)
    dates = np.datetime64(f"{first_year}-01-01") + np.arange(n_days)
    weekend = ((dates.astype("datetime64[D]").view("int64") - 4) % 7) >= 5  # Sat, Sun
    doy = np.arange(n_days) % DAYS_PER_YEAR
    # Sunset hour in the Netherlands (local time): ~16:30 late December, ~22:00 late June.
    sunset = 19.25 - 2.75 * np.cos(2 * np.pi * (doy + 10) / DAYS_PER_YEAR)
    hours = np.arange(HOURS_PER_DAY)
    dark = (hours[None, :] >= np.ceil(sunset)[:, None]) & (hours[None, :] <= 22)
    holiday = (doy >= HOLIDAY_START_DOY) | (doy < HOLIDAY_END_DOY)
    act = np.asarray(p.offenders.activity_by_hour, dtype=float)
    return Calendar(n_ticks, n_days, weekend, dark, holiday,
                    act / act.sum() if act.sum() > 0 else act, first_year, burn_in_days)
