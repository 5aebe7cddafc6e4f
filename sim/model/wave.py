"""A modus-operandi wave: a technique spreads among offenders and the city answers.

One :class:`ModusOperandiWave` per ``[[shocks]]`` entry (:class:`~sim.model.scenario.Shock`).
It is a mechanism, not a multiplier on burglaries:

- **Vulnerable homes.** ``vulnerable[cell]`` is the share of a cell's unhardened homes whose
  cylinders have no anti-pulling rating (NIPW survey: about 56-70%).
- **The technique spreads.** From the start date a few offenders know it; each day an
  unaware active offender learns it with probability ``1 - exp(-learning_per_day x share of
  active offenders who know it)`` (co-offenders pass it on). Newcomers who replace arrested
  offenders start unaware; released offenders still know it.
- **It raises success.** An attempt by an offender who knows it on an unhardened home with
  a vulnerable cylinder fails with ``technique_fail_prob`` instead of the usual probability.
  Offenders who know it go out more, as their expected success rises:
  ``drive = (success with the technique / success without) ** reward_elasticity`` (the one
  strength fitted to Amersfoort's 2018 record).
- **It is noticed** from reported burglaries: when the last 28 days are ``notice_excess``
  and two Poisson standard deviations above the same 28 days a year earlier, and
  ``notice_delay_days`` later (analysis).
- **The answer acts through the existing agents**: letters to hot-spot households and
  information tents lower ``vulnerable`` (cylinder replacement; ``response``), extra
  surveillance adds boa patrol visits at hot spots, the interventieteam (when it has staff)
  redeploys ``team_redeploy_days`` later — all patrol to recent hot spots, all hours to the
  theme, its identifications to users of the technique — and wijkregisseurs' networks
  mobilise residents to replace cylinders (``regisseur_replacement_per_year`` x strength).

The wave has its own random stream, so runs with and without it share all others.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
from mesa import Model

from sim.model.agents import BOA, Burglar
from sim.model.scenario import Shock

#: Days in the window of reported burglaries the wave is noticed by (compared with the same
#: window a year earlier, so the season does not raise the alarm).
NOTICE_WINDOW_DAYS = 28
DAYS_PER_YEAR = 365


def day_of(model: Model, when: date) -> int:
    """Model day index of a calendar date (365-day years from 1 January of day 0's year)."""
    doy = min(when.timetuple().tm_yday, DAYS_PER_YEAR) - 1
    return (when.year - model.first_year) * DAYS_PER_YEAR + doy


class ModusOperandiWave:
    """The state and daily step of one wave (see the module docstring)."""

    def __init__(self, model: Model, shock: Shock, index: int = 0):
        self.model = model
        self.p = shock
        self.start_day = day_of(model, shock.start)
        self.rng = np.random.default_rng([int(model.seed) & (2**63 - 1), 23, index])
        self.vulnerable = np.full(model.n_homes, shock.vulnerable_share)
        self.knows: set[int] = set()
        self.flagged_day: int | None = None
        self.noticed_day: int | None = None
        self.redeployed = False
        self._team_params = None
        self._lettered = np.zeros(model.n_homes, dtype=bool)
        self.knowing_share: list[float] = []  # per day from the start, for outputs

    # ---- the model's hooks --------------------------------------------------------------
    def attempt_fail(self, burglar: Burglar, cell: int, fail: float,
                     rng: np.random.Generator) -> float:
        """The fail probability of an attempt on an unhardened home (``fail`` if unchanged)."""
        if burglar.unique_id in self.knows and rng.random() < self.vulnerable[cell]:
            return min(fail, self.p.technique_fail_prob)
        return fail

    def step_day(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Spread, notice and answer; extra patrol visits as (hours, cells, kinds), or None."""
        if day < self.start_day:
            return None
        m = self.model
        free = m.free_burglars()
        self._spread(day, free)
        self._notice(day)
        drive = self._drive()
        for b in m.burglars:
            b.drive = drive if b.unique_id in self.knows else 1.0
        m._free_version += 1  # rates changed: the outing draw's cache is stale
        self.knowing_share.append(
            sum(b.unique_id in self.knows for b in free) / len(free) if free else 0.0)
        if self.noticed_day is None:
            return None
        active = day < self.noticed_day + 7 * self.p.response_weeks
        self._regisseurs()
        self._team(day, active, free)
        if not (self.p.response and active):
            return None
        self._letters()
        if (day - self.noticed_day) % max(1, round(self.p.tent_every_days)) == 0:
            self._tent(day)
        return self._surveillance()

    # ---- spread and notice ---------------------------------------------------------------
    def _spread(self, day: int, free: list[Burglar]) -> None:
        if not free:
            return
        if day == self.start_day:
            n = max(1, round(self.p.initial_knowing_share * len(free)))
            for i in self.rng.choice(len(free), size=min(n, len(free)), replace=False):
                self.knows.add(free[int(i)].unique_id)
            return
        share = sum(b.unique_id in self.knows for b in free) / len(free)
        p_learn = 1.0 - math.exp(-self.p.learning_per_day * share)
        for b in free:
            if b.unique_id not in self.knows and self.rng.random() < p_learn:
                self.knows.add(b.unique_id)

    def _notice(self, day: int) -> None:
        if self.noticed_day is not None:
            return
        if self.flagged_day is None:
            counts = self.model.daily_attempts  # (days, wijken)
            w = NOTICE_WINDOW_DAYS
            recent = counts[max(0, day - w):day].sum()
            if day - w >= DAYS_PER_YEAR:  # the same window a year earlier
                expected = counts[day - w - DAYS_PER_YEAR:day - DAYS_PER_YEAR].sum()
            else:  # no year of history: the mean so far
                expected = counts[:max(day - w, 0)].sum() / (day - w) * w if day - w > w else 0.0
            # above the expected count by the relative margin and beyond Poisson noise (2 sd)
            if expected > 0 and recent > max((1.0 + self.p.notice_excess) * expected,
                                             expected + 2.0 * math.sqrt(expected)):
                self.flagged_day = day
        if self.flagged_day is not None and day >= self.flagged_day + self.p.notice_delay_days:
            self.noticed_day = day

    def _drive(self) -> float:
        """Expected success with the technique over without it, to the elasticity."""
        m, p = self.model, self.model.params.residents
        hh, h = m.households, m.residents.hardened
        on_hard = h * (1 - p.attempt_fail_prob) * (1 - p.hardened_attempt_fail_prob)
        plain = (1 - h) * (1 - p.attempt_fail_prob)
        tech = (1 - h) * (self.vulnerable * (1 - min(self.p.technique_fail_prob,
                                                     p.attempt_fail_prob))
                          + (1 - self.vulnerable) * (1 - p.attempt_fail_prob))
        base = float(hh @ (on_hard + plain))
        with_tech = float(hh @ (on_hard + tech))
        return (with_tech / base) ** self.p.reward_elasticity if base > 0 else 1.0

    # ---- the answer ----------------------------------------------------------------------
    def _letters(self) -> None:
        """Hot-spot households not yet written to get a letter; some replace the cylinder."""
        new = (self.model.hotspot > 0) & ~self._lettered
        self.vulnerable[new] *= 1.0 - self.p.letter_uptake
        self._lettered |= new

    def _tent(self, day: int) -> None:
        """An information tent in the wijk with the most burglaries in the last 28 days."""
        m = self.model
        recent = m.daily_attempts[max(0, day - NOTICE_WINDOW_DAYS):day].sum(axis=0)
        if recent.sum() == 0:
            return
        cells = m.wijk == int(np.argmax(recent))
        self.vulnerable[cells] *= 1.0 - self.p.tent_uptake

    def _surveillance(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Extra boa patrol at recent hot spots, in the boa's duty hours."""
        m = self.model
        n = self.rng.poisson(self.p.extra_patrol_hours_per_week / 7.0
                             * m.params.patrol.visits_per_hour)
        if n == 0:
            return None
        weights = m.hotspot * m.households if m.hotspot.sum() > 0 else m.households
        cum = np.cumsum(weights)
        cells = np.minimum(np.searchsorted(cum, self.rng.random(n) * cum[-1], side="right"),
                           m.n_homes - 1)
        b = m.params.boa
        hours = self.rng.integers(b.duty_start_hour, b.duty_end_hour, size=n)
        return hours, cells, np.full(n, BOA, dtype=np.int64)

    def _regisseurs(self) -> None:
        """Wijkregisseurs' networks mobilise residents to replace vulnerable cylinders."""
        m = self.model
        rate = self.p.regisseur_replacement_per_year / DAYS_PER_YEAR
        for reg in m.regisseurs:
            if reg.strength <= 1e-6:
                continue
            focus = 1.0 + m.hotspot[reg.cells]
            hh = m.households[reg.cells]
            focus = focus / ((hh * focus).sum() / hh.sum()) if hh.sum() > 0 else focus
            self.vulnerable[reg.cells] *= 1.0 - np.minimum(rate * reg.strength * focus, 1.0)

    def _team(self, day: int, active: bool, free: list[Burglar]) -> None:
        """The interventieteam redeploys to the wave, and back when the answer ends."""
        m = self.model
        team = m.params.interventieteam
        if not m.team.active(day):
            return
        due = day >= self.noticed_day + self.p.team_redeploy_days
        if due and active and not self.redeployed:
            self._team_params = team
            shifted = team.model_copy(update={"info_quality": 1.0, "burglary_share": 1.0,
                                              "offenders_identified_per_100_hours": 0.0})
            m.params = m.params.model_copy(update={"interventieteam": shifted})
            self.redeployed = True
        elif self.redeployed and not active:
            m.params = m.params.model_copy(update={"interventieteam": self._team_params})
            self.redeployed = False
            return
        if not self.redeployed:
            return
        # identification goes to the users of the technique (hours shifted, not added)
        old = self._team_params
        hours = (old.fte * old.hours_per_fte_year / DAYS_PER_YEAR * old.offender_focus_share)
        n = self.rng.poisson(hours * old.offenders_identified_per_100_hours / 100.0)
        users = [b for b in free if b.unique_id in self.knows and not b.known]
        for i in self.rng.choice(len(users), size=min(n, len(users)), replace=False):
            users[int(i)].known = True


__all__ = ["ModusOperandiWave", "day_of"]
