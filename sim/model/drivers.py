"""Exogenous drivers over time, applied by date: the model's hook into ``drivers.toml``.

:class:`DriverClock` turns a city's driver series (:mod:`sim.data.drivers`) and the
scenario's strengths (``[drivers]``) into day-by-day values for one run:

* **offending**: a multiplier on every offender's outings, ``(S(t) / S(first point)) ^
  offending_elasticity`` for the suspects series S;
* **occupancy**: weekday daytime (08:00-18:00) empty homes are ``1 - occupancy_strength x
  (H(t) - H(first point))`` of the scenario's, H the share of work hours done at home
  (the lockdowns come from H, never from a dummy);
* **hardening**: the hardened share of every home cell moves by ``hardening_pp_per_year``
  points a year from ``residents.initial_hardened_share`` in the reference year;
* **programmes**: the interventieteam works, with the listed staffing, in the dated
  periods of the programmes that actually ran.

A day ``d`` of a run is the fractional year ``first_year + d / 365`` (365-day years, as the
model's clock). Runs before or after the series get their first or last values.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.data.drivers import Drivers, load_drivers
from sim.model.clock import DAYS_PER_YEAR

#: Weekday hours in which working from home keeps homes occupied, [from, until): 08-18
#: (an estimate: office hours).
DAYTIME_HOURS = (8, 18)


@lru_cache(maxsize=16)
def _cached(folder: str, mtime: float) -> Drivers | None:
    return load_drivers(folder)


def city_drivers(folder: Path | None) -> Drivers | None:
    """The drivers of a city folder (read once per file version), or None."""
    if folder is None:
        return None
    path = Path(folder) / "drivers.toml"
    return _cached(str(folder), path.stat().st_mtime if path.is_file() else 0.0)


class DriverClock:
    """The drivers of one run, day by day (arrays over the run's days)."""

    def __init__(self, drivers: Drivers, params, first_year: int, n_days: int,  # noqa: ANN001
                 seed: int = 0):
        p = params.drivers
        self.t = first_year + np.arange(n_days + 1) / DAYS_PER_YEAR
        off = drivers.series.get("offending")
        self.offending = (np.ones_like(self.t) if off is None else
                          (off.at(self.t) / off.values[0]) ** p.offending_elasticity)
        if p.local_shock_sd > 0:
            self.offending = self.offending * local_shocks(self.t, p.local_shock_sd, seed)
        occ = drivers.series.get("occupancy")
        self.home_share = (np.zeros_like(self.t) if occ is None
                           else occ.at(self.t) - occ.values[0])
        self.empty_factor = np.clip(1.0 - p.occupancy_strength * self.home_share, 0.0, 1.0)
        h0 = params.residents.initial_hardened_share
        self.hardened = np.clip(h0 + p.hardening_pp_per_year / 100.0
                                * (self.t - drivers.hardening_reference_year), 0.0, 1.0)
        self.hardened_shift = self.hardened - h0  # added to every cell at the start
        self.team_fte = np.zeros_like(self.t)
        if p.programmes:
            for prog in drivers.programmes:
                on = (self.t >= prog.start) & (self.t < prog.end + 1.0 / DAYS_PER_YEAR)
                self.team_fte = np.where(on, np.maximum(self.team_fte, prog.fte),
                                         self.team_fte)

    @classmethod
    def for_model(cls, model) -> DriverClock | None:  # noqa: ANN001
        """The clock for a model, or None (drivers off, or the city has none)."""
        if not model.params.drivers.enabled:
            return None
        drivers = city_drivers(model.city.folder)
        if drivers is None:
            return None
        return cls(drivers, model.params, model.first_year, model.n_days, model.seed)

    def start(self, residents) -> None:  # noqa: ANN001
        """Set the hardened share to its value on the run's first day."""
        residents.hardened[:] = np.clip(residents.hardened + self.hardened_shift[0], 0, 1)

    def start_day(self, day: int, residents) -> None:  # noqa: ANN001
        """Today's hardening step (the same points for every home cell)."""
        step = self.hardened[day] - self.hardened[day - 1] if day > 0 else 0.0
        if step:
            residents.hardened += step
            np.clip(residents.hardened, 0.0, 1.0, out=residents.hardened)

    def at_home(self, day: int, weekend: bool, at_home: np.ndarray) -> np.ndarray:
        """Today's at-home probabilities by hour: more homes occupied in weekday daytime."""
        f = self.empty_factor[day]
        if weekend or f == 1.0:
            return at_home
        out = at_home.copy()
        a, b = DAYTIME_HOURS
        out[a:b] = 1.0 - (1.0 - out[a:b]) * f
        return out


#: The stream of the local shocks, apart from the model's four (drawing them changes no
#: other random number, so a run with shocks differs from one without only by them).
LOCAL_SHOCK_STREAM = 0x10CA1


def local_shocks(t: np.ndarray, sd: float, seed: int) -> np.ndarray:
    """A factor per day: one lognormal draw per calendar year, median 1, log sd ``sd``.

    The yearly local shocks that no national driver carries (an itinerant gang, a new
    method, a local campaign), drawn per run from its seed: a history's band then holds
    the year-to-year wandering that a gemeente's record shows around the national trend.
    """
    year = np.floor(t).astype(int)
    first = int(year[0])
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) % 2**63,
                                                        LOCAL_SHOCK_STREAM]))
    z = rng.standard_normal(int(year[-1]) - first + 1)
    return np.exp(sd * z[year - first])
