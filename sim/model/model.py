"""WijkModel: residential burglary and enforcement on a wijk grid, one tick per hour.

The model is a function of a :class:`~sim.model.scenario.Scenario`, a
:class:`~sim.model.city.City` and a seed; it knows nothing about files, executors or plots.

One simulated hour (:meth:`WijkModel.step`):

1. at midnight, plan the day (:meth:`_start_day`): update hotspots and prevention, let each
   guardian group draw today's patrol visits, and draw how many burglar outings start in
   each hour;
2. apply this hour's patrol visits (``last_visit[kind][cells] = tick``);
3. run this hour's outings (:meth:`WijkModel._outing`, the vectorised behaviour of the
   ``Burglar`` agents): an offender picks a target cell, may be deterred (home occupied,
   guardian present or seen minutes ago, buurtpreventie, a hardened home passed by) and
   then tries one other target or goes home, attempts (:meth:`WijkModel._attempt`: fails
   more often on hardened homes), may be caught, and leaves a near-repeat boost.

Mechanism to code: target choice and deterrence ``WijkModel._outing``; attempt, failure,
caught in the act and clearance ``WijkModel._attempt``; hardening (avoidance and failure,
one strength) ``WijkModel._outing``/``_attempt`` with uptake in ``Residents`` and
``Wijkregisseur.step_day``; patrol visits ``agents.plan_patrols`` applied in
``WijkModel.step``; arrests of known offenders ``InterventieTeam.work_offenders``;
sentences and replacement ``WijkModel.arrest``.

Randomness: four generators spawned from one seed — ``rng`` (Mesa's, structure),
``rng_offending`` (outings and outcomes), ``rng_patrol`` (patrol plans) and ``rng_study``
(a virtual study's extra visits) — so two scenarios
run with the same seed share their random streams where they share behaviour (common
random numbers).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
from mesa import Model
from mesa.time import Schedule

from sim.model.agents import (
    BOA,
    TEAM,
    WIJKAGENT,
    BoaTeam,
    Burglar,
    InterventieTeam,
    Residents,
    WijkagentTeam,
    Wijkregisseur,
    plan_patrols,
)
from sim.model.city import City
from sim.model.clock import DAYS_PER_YEAR, HOURS_PER_DAY, TICKS_PER_YEAR, build_calendar
from sim.model.drivers import DriverClock
from sim.model.sampling import WeightedDraw
from sim.model.scenario import HOURS_PER_FTE_YEAR, Scenario
from sim.model.space import build_home_cells
from sim.model.wave import ModusOperandiWave

#: Hours in which most residents sleep, [from, until): midnight to 06:00 (an estimate, the
#: hours in which most adults are asleep).
ASLEEP_HOURS = (0, 6)

EVENT_DTYPE = np.dtype(
    [("tick", "i8"), ("cell", "i8"), ("wijk", "i4"), ("completed", "?"), ("arrested", "?"),
     ("offender", "i8"), ("in_act", "?"), ("hardened", "?")]
)
#: A study's daily hook (see :attr:`WijkModel.study`): called at every midnight after the
#: day's own planning; it may change residents' state and return extra patrol visits as
#: (hours, home cells, guardian kinds) arrays, or None.
StudyHook = Callable[["WijkModel", int], tuple[np.ndarray, np.ndarray, np.ndarray] | None]


@dataclass
class RunOutput:
    """Raw outputs of one run (the runner turns these into summaries and store rows)."""

    days: int
    wijk_codes: list[str]
    attempts: np.ndarray  # (days, wijken) woninginbraken incl. failed attempts
    completed: np.ndarray  # (days, wijken)
    arrests: np.ndarray  # (days, wijken) arrests at (or solving) a burglary, by its wijk
    offender_arrests: np.ndarray  # (days, wijken) offender-focused arrests, by base wijk
    events: np.ndarray  # EVENT_DTYPE records
    hours: dict[str, float] = field(default_factory=dict)  # productive hours by agent type
    cell_xy: np.ndarray | None = None  # (n_grid_cells, 2) metres; for near-repeat analysis
    home_cells: np.ndarray | None = None  # grid cells with households (concentration)


class WijkModel(Model):
    """Residential burglary and enforcement in one gemeente, hourly ticks.

    Args:
        scenario: validated parameters (see ``sim/model/scenario.py`` for meaning, units, sources).
        city: the city grid and its wijk table (``sim.model.city.load_city``).
        seed: run seed; derive replication seeds with ``numpy.random.SeedSequence``.
    """

    def __init__(self, scenario: Scenario, city: City, seed: int = 0,
                 study: StudyHook | None = None):
        streams = np.random.SeedSequence(seed).spawn(4)
        super().__init__(rng=np.random.default_rng(streams[0]))
        self.params = scenario  # (Mesa's own `scenario` attribute is left alone)
        self.city = city
        self.seed = seed
        self.rng_offending = np.random.default_rng(streams[1])
        self.rng_patrol = np.random.default_rng(streams[2])
        # a study's extra visits draw their minutes here, so the model's own streams stay
        # those of the same run without the study (common random numbers with a placebo)
        self.rng_study = np.random.default_rng(streams[3])
        self.tick = 0
        # a virtual study's daily intervention (sim.analysis.evidence.replications)
        self.study = study
        self.empty_int = np.zeros(0, dtype=np.int64)
        self._setup_space()
        self._setup_calendar()
        self.residents = Residents(self)
        self.drivers = DriverClock.for_model(self)  # drivers over time, by date (or None)
        if self.drivers is not None:
            self.drivers.start(self.residents)
        self._setup_guardians()
        self._setup_offenders()
        self.hotspot = np.zeros(self.n_homes)
        self.waves = [ModusOperandiWave(self, s, i) for i, s in enumerate(scenario.shocks)]
        self._recent_events: list[tuple[int, int]] = []  # (day, home cell)
        self.daily_attempts = np.zeros((self.n_days, city.n_wijken), dtype=np.int32)
        self.daily_completed = np.zeros_like(self.daily_attempts)
        self.daily_arrests = np.zeros_like(self.daily_attempts)  # arrests at a burglary
        self.daily_offender_arrests = np.zeros_like(self.daily_attempts)  # team offender work
        self.events: list[tuple] = []

    # ---- set-up ---------------------------------------------------------------------------
    def _setup_space(self) -> None:
        """Index the home cells (cells with households) and their neighbourhoods."""
        homes = build_home_cells(self.city, self.params)
        self.home_cell, self.n_homes = homes.cell, homes.cell.size
        self.households, self.attractiveness = homes.households, homes.attractiveness
        self.wijk, self.gebied, self.gebied_numbers = homes.wijk, homes.gebied, homes.gebied_numbers
        self.home_xy, self.cell_xy = homes.xy, homes.cell_xy
        self.neighbours, self.patrol_reach = homes.neighbours, homes.patrol_reach
        # the static part of target choice: homes x place attractiveness (hardening works
        # only through failed attempts: one mechanism, see _attempt); each offender caches
        # its kernel x this (Burglar.target_weights), renewed if this array is replaced
        self.base_weight = self.households * self.attractiveness
        self.boost = np.zeros(self.n_homes)  # near-repeat, stored as sum of w * exp(t/tau)
        self._boost_origin = 0  # tick the boost accumulator is scaled to

    def _setup_calendar(self) -> None:
        """Weekends, dark evenings and the offender activity profile for the horizon."""
        cal = build_calendar(self.params)
        self.n_ticks, self.n_days = cal.n_ticks, cal.n_days
        self.weekend, self.dark_evening, self.activity = cal.weekend, cal.dark_evening, cal.activity
        self.holiday = cal.holiday
        self.first_year, self.burn_in_days = cal.first_year, cal.burn_in_days
        # an occupied home deters fully while its residents are awake, less while they sleep
        self._home_deters = np.ones(HOURS_PER_DAY)
        self._home_deters[ASLEEP_HOURS[0]:ASLEEP_HOURS[1]] = self.params.residents.asleep_deterrence
        self._hours_at_burn_in: dict[str, float] | None = None

    def _setup_guardians(self) -> None:
        """One boa group and one wijkagent group per gebied, the team, the wijkregisseurs."""
        p = self.params
        hh_g = np.bincount(self.gebied, weights=self.households, minlength=len(self.gebied_numbers))
        share = hh_g / hh_g.sum()
        self.boa_teams, self.agent_teams, self.regisseurs = [], [], []
        for g in range(len(self.gebied_numbers)):
            cells = np.flatnonzero(self.gebied == g)
            self.boa_teams.append(BoaTeam(self, g, cells, p.boa.fte * share[g]))
            self.agent_teams.append(WijkagentTeam(self, g, cells, p.wijkagenten.fte * share[g]))
            self.regisseurs.append(Wijkregisseur(self, g, cells, p.wijkregisseur.per_gebied))
        self.team = InterventieTeam(self, None, np.arange(self.n_homes))
        self.guardians = [*self.boa_teams, *self.agent_teams, self.team]
        # start of the last visit per (kind, home cell), in hours since the start (a visit
        # starts at a random minute of its hour and deters at full strength for its length)
        self.last_visit = np.full((3, self.n_homes), -1e9)
        self._visit_h = self.params.patrol.visit_minutes / 60.0
        self._inv_residual = 1.0 / self.params.patrol.residual_deterrence_hours
        self.catch_prob = np.array(
            [p.boa.catch_prob, p.wijkagenten.catch_prob, p.interventieteam.catch_prob]
        )
        self.visit_count = np.zeros((3, self.n_homes), dtype=np.int64)  # patrol visits so far
        self._last_visit_flat = self.last_visit.ravel()  # a view: same memory
        self._plan_slots = self.empty_int
        self._plan_times = np.zeros(0)
        self._plan_offsets = [0] * (HOURS_PER_DAY + 1)

    def _setup_offenders(self) -> None:
        """The active pool: local offenders live at a home cell, others enter at the edge."""
        p = self.params.offenders
        self.burglars: list[Burglar] = []
        self._free_version = 0  # bumped whenever self.burglars changes (see _free_now)
        self._free_cache: tuple = (-1, -1, [], None)  # (version, valid-until tick, free, cum)
        # where new offenders come from, drawn by one uniform number each (done once here)
        self._home_cum = np.cumsum(self.households)
        self._entry_cum = (np.cumsum(self.city.entry_p) if self.city.entry_p is not None
                           else None)
        self._arrivals: list[tuple[int, Burglar | float]] = []  # (tick, returning or new rate)
        for _ in range(p.active_offenders):
            self.burglars.append(self._new_burglar())

    def _new_burglar(self, rate: float | None = None, known: bool | None = None) -> Burglar:
        """A new offender: a base, an individual rate, and whether police know them."""
        p = self.params.offenders
        if rate is None:
            rate = self.rng.gamma(p.rate_shape, 1.0 / p.rate_shape)
        visibility = self.rng.gamma(p.visibility_shape, 1.0 / p.visibility_shape)
        if known is None:  # the prolific are more often known to the police
            known = bool(self.rng.random() < min(1.0, p.known_share * rate))
        if self.rng.random() < p.local_share:
            cum = self._home_cum
            base = self.home_xy[int(np.searchsorted(cum, self.rng.random() * cum[-1]))]
            local = True
        elif self.city.entry_xy is not None:  # enters where the city borders its neighbours
            cum = self._entry_cum
            i = min(int(np.searchsorted(cum, self.rng.random() * cum[-1])), len(cum) - 1)
            base = np.asarray(self.city.entry_xy[i], dtype=float)
            local = False
        else:  # a travelling offender enters from a random point on the grid's edge
            h, w = self.city.shape
            s = self.city.cell_size_m
            u = self.rng.random() * 2 * (h + w) * s
            side_w, side_h = w * s, h * s
            if u < side_w:
                base = np.array([u, 0.0])
            elif u < side_w + side_h:
                base = np.array([side_w, u - side_w])
            elif u < 2 * side_w + side_h:
                base = np.array([u - side_w - side_h, side_h])
            else:
                base = np.array([0.0, u - 2 * side_w - side_h])
            local = False
        return Burglar(self, base, local, rate, known, visibility)

    # ---- helpers used by agents -----------------------------------------------------------
    def year_of_day(self, day: int) -> int:
        """Calendar year of simulated day ``day`` (365-day years; day 0 starts the burn-in)."""
        return self.first_year + day // DAYS_PER_YEAR

    def free_burglars(self) -> list[Burglar]:
        """Offenders active now (not serving a sentence)."""
        return [b for b in self.burglars if b.free_from <= self.tick]

    def arrest(self, burglar: Burglar, rng: np.random.Generator, at_burglary: bool = True) -> None:
        """Remove an offender for a sentence; a newcomer may take the place sooner.

        Arrests at a burglary are counted with the burglary (``daily_arrests``); arrests from
        offender-focused work are counted by the wijk of the offender's base.
        """
        p = self.params.offenders
        if not at_burglary:
            self.daily_offender_arrests[self.tick // HOURS_PER_DAY, burglar.wijk] += 1
        sentence = rng.exponential(p.sentence_days) * HOURS_PER_DAY
        replacement = rng.exponential(p.replacement_days) * HOURS_PER_DAY
        self.burglars.remove(burglar)
        self._free_version += 1
        if replacement < sentence:
            # Another offender fills the gap before release: the newcomer takes over the
            # same opportunities (same rate, so the pool stays stationary without
            # enforcement) but is not yet known to the police.
            burglar.remove()
            self._arrivals.append((self.tick + int(replacement), burglar.rate))
        else:  # released and back, now known to the police
            burglar.known = True
            burglar.free_from = self.tick + int(sentence)
            self._arrivals.append((burglar.free_from, burglar))

    # ---- the clock ------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one hour."""
        t = self.tick
        hour = t % HOURS_PER_DAY
        if hour == 0:
            self._start_day(t // HOURS_PER_DAY)
        # Patrol visits of this hour: every guardian marks the cells it is in now
        # (one assignment into the flattened (kind, cell) array of last visits).
        a, b = self._plan_offsets[hour], self._plan_offsets[hour + 1]
        if b > a:
            self._last_visit_flat[self._plan_slots[a:b]] = self._plan_times[a:b]
        for _ in range(self._outings[hour]):
            self._outing(t, hour)
        self.tick = t + 1

    def run(self) -> RunOutput:
        """Run the whole horizon and return the raw outputs."""
        self._run_hours(self.n_ticks)
        return self.output()

    def _run_hours(self, n: int) -> None:
        """Advance ``n`` hours exactly as ``run_for(n)`` would, without Mesa's event loop.

        Mesa's loop costs about 12 µs an hour (an Event per step), over a third of a
        simulated year's cost. When the only thing scheduled is Mesa's own hourly step
        (always, for this model), the hours run back to back with Mesa's clock (``time``,
        ``steps``) kept as the loop would keep it, and the step schedule is restarted after,
        so ``step()`` and ``run_for()`` go on working. Anything else scheduled: Mesa's loop.
        """
        gen = getattr(self, "_default_schedule", None)
        events = getattr(getattr(self, "_event_list", None), "peek_ahead", None)
        if (gen is None or events is None or not gen.is_active
                or [e for e in events(2) if e is not gen._current_event]):
            self.run_for(n)
            return
        gen.stop()
        step = self._user_step
        for _ in range(n):
            self.time += 1
            self.steps += 1
            step()
        gen.schedule = Schedule(interval=1.0, start=self.time + 1)
        gen.start()

    def _start_day(self, day: int) -> None:
        """Plan a day: arrivals, hotspots, prevention, patrol plans and outing counts."""
        t = self.tick
        # offenders returning from a sentence, or newcomers filling a gap
        if self._arrivals:
            due = [a for a in self._arrivals if a[0] <= t + HOURS_PER_DAY]
            self._arrivals = [a for a in self._arrivals if a[0] > t + HOURS_PER_DAY]
            self._free_version += 1
            for _, who in due:
                if isinstance(who, Burglar):
                    self.burglars.append(who)
                else:
                    self.burglars.append(self._new_burglar(rate=who, known=False))
        if day == self.burn_in_days:  # the counted period starts: hours from here on
            self._hours_at_burn_in = self._hours()
        self._update_hotspots(day)
        if self.drivers is not None:
            self.drivers.start_day(day, self.residents)
        for reg in self.regisseurs:
            reg.step_day(day)
        # today's patrol visits of every guardian group, ordered by hour; a visit is stored
        # as a slot kind * n_homes + cell of the flattened last_visit array
        hours, cells, kinds = plan_patrols(self, self.guardians, day, self.rng_patrol)
        # each visit starts at a random minute of its hour
        times = hours + self.rng_patrol.random(hours.size)
        extras = [w.step_day(day) for w in self.waves]  # modus-operandi waves (wave.py)
        if self.study is not None:
            extras.append(self.study(self, day))
        for extra in extras:
            if extra is not None:
                hours = np.concatenate([hours, extra[0]])
                cells = np.concatenate([cells, extra[1]])
                kinds = np.concatenate([kinds, extra[2]])
                times = np.concatenate([times, extra[0] + self.rng_study.random(extra[0].size)])
        slots = kinds * self.n_homes + cells
        self.visit_count += np.bincount(slots, minlength=3 * self.n_homes).reshape(3, -1)
        # in time order, so the last write to a slot is its latest visit
        order = np.argsort(times)
        self._plan_slots = slots[order]
        self._plan_times = t + times[order]
        self._plan_offsets = np.searchsorted(
            hours[order], np.arange(HOURS_PER_DAY + 1)).tolist()
        self.team.work_offenders(day, self.rng_offending)
        # outings per hour: free offenders x rate x hour profile (darker evenings: more)
        o = self.params.offenders
        free_rate = sum(b.rate * b.drive for b in self.burglars
                        if b.free_from <= t + HOURS_PER_DAY)
        lam = free_rate * o.outings_per_offender_day * self.activity
        if self.drivers is not None:
            lam = lam * self.drivers.offending[day]
        lam = lam * np.where(self.dark_evening[day], o.dark_evening_multiplier, 1.0)
        if self.weekend[day]:
            lam = lam * o.weekend_multiplier
        self._outings = self.rng_offending.poisson(lam).tolist()
        self._day_is_weekend = int(self.weekend[day])
        away = self.params.residents.holiday_away_share if self.holiday[day] else 0.0
        at_home = self.residents.at_home[self._day_is_weekend]
        if self.drivers is not None:
            at_home = self.drivers.at_home(day, self._day_is_weekend, at_home)
        self._at_home_today = at_home * (1.0 - away) * self._home_deters
        # clearance capacity: investigation hours relative to the reference capacity
        inv = self.params.investigation
        wa = self.params.wijkagenten
        hours = wa.fte * HOURS_PER_FTE_YEAR * wa.availability * (1 - wa.patrol_share)
        capacity = hours / inv.reference_investigation_hours_per_year
        self._clearance = min(1.0, inv.clearance_prob * capacity**inv.capacity_elasticity)

    def _update_hotspots(self, day: int) -> None:
        """Recent events (hotspot window), spread over their neighbourhood."""
        window = self.params.patrol.hotspot_window_days
        self._recent_events = [e for e in self._recent_events if e[0] > day - window]
        if not self._recent_events:
            self.hotspot = np.zeros(self.n_homes)
            return
        counts = np.bincount([c for _, c in self._recent_events], minlength=self.n_homes)
        self.hotspot = self.neighbours @ counts.astype(float)  # (symmetric matrix)

    # ---- one burglar outing ---------------------------------------------------------------
    def _free_now(self, t: int) -> tuple[list[Burglar], list[float] | None]:
        """Offenders free at tick ``t`` and the cumulative sum of their rates.

        Kept until the pool changes (``_free_version``) or a held offender's release tick
        comes: an outing no longer walks the whole pool (that grew with offenders squared).
        """
        version, until, free, cum = self._free_cache
        if version == self._free_version and t < until:
            return free, cum
        free = [b for b in self.burglars if b.free_from <= t]
        until = min((b.free_from for b in self.burglars if b.free_from > t), default=1 << 62)
        # a pool of tens: plain Python is faster here than a numpy array per refresh
        cum = list(accumulate(b.rate * b.drive for b in free)) if free else None
        self._free_cache = (self._free_version, until, free, cum)
        return free, cum

    def _near_repeat_factor(self, t: int, homes: np.ndarray | None) -> np.ndarray:
        """1 + c x boost(t) over ``homes`` (None: all home cells), a new array."""
        nr = self.params.near_repeat
        # near-repeat boost decays exponentially: boost(t) = sum w_e exp(-(t - t_e)/tau)
        tau = nr.decay_days * HOURS_PER_DAY
        scale = nr.boost_per_event * math.exp(-(t - self._boost_origin) / tau)
        if homes is None:
            factor = self.boost * scale
        else:
            factor = self.boost[homes]
            factor *= scale
        factor += 1.0
        return factor

    def _outing(self, t: int, hour: int) -> None:
        free, cum_rate = self._free_now(t)
        if not free:
            return
        rng = self.rng_offending
        # who goes out: in proportion to individual offending rates
        burglar = free[min(bisect_left(cum_rate, rng.random() * cum_rate[-1]), len(free) - 1)]
        p = self.params
        # target choice over the homes within the offender's reach (Burglar.homes)
        homes = burglar.homes
        weights = burglar.target_weights(self.base_weight)
        if p.near_repeat.enabled and self._boost_origin is not None:
            factor = self._near_repeat_factor(t, homes)
            factor *= weights
            weights = factor
        targets = WeightedDraw(weights)
        res = self.residents
        for attempt_no in range(2):
            cell = targets.draw(rng.random())
            if homes is not None:
                cell = int(homes[cell])
            # occupied home: the burglar moves on (no event)
            if rng.random() < self._at_home_today[hour]:
                return
            # perceived risk: guardians in the street block now or minutes ago (weighted
            # by distance; full while the visit lasts, then decaying), buurtpreventie, and
            # the home itself: a hardened home is seen and passed by (avoidance)
            reach = self.patrol_reach
            a, b = reach.indptr[cell], reach.indptr[cell + 1]
            since = t + rng.random() - self.last_visit[:, reach.indices[a:b]]  # hours
            started = since >= 0
            here = started & (since <= self._visit_h)
            felt = np.exp((self._visit_h - since).clip(None, 0.0) * self._inv_residual)
            felt *= started
            felt *= reach.data[a:b]
            d_patrol = p.patrol.deterrence_when_present * felt.max()
            # guardians in the street block at this moment can respond (distance-weighted)
            present = (here * reach.data[a:b]).max(axis=1)
            d_bp = res.buurtpreventie[cell] * p.wijkregisseur.buurtpreventie_deterrence
            hardened = rng.random() < res.hardened[cell]
            d_home = p.residents.hardened_attempt_fail_prob if hardened else 0.0
            if rng.random() < 1 - (1 - d_patrol) * (1 - d_bp) * (1 - d_home):
                if attempt_no == 0 and rng.random() < p.offenders.retry_after_abort_prob:
                    continue  # displacement: try another target
                return  # the outing ends
            break
        else:
            return
        self._attempt(t, cell, burglar, present, hardened, rng)

    def _attempt(self, t: int, cell: int, burglar: Burglar, present: np.ndarray,
                 hardened: bool, rng) -> None:
        """An attempt is made: it may fail, be caught, and leaves a near-repeat boost.

        A hardened home resists with the same strength that made burglars pass hardened
        homes by: the attempt fails with 1 - (1 - attempt_fail_prob)(1 - strength).
        """
        p = self.params
        res = self.residents
        fail = p.residents.attempt_fail_prob
        if hardened:
            fail = 1 - (1 - fail) * (1 - p.residents.hardened_attempt_fail_prob)
        else:
            for wave in self.waves:  # a technique against vulnerable cylinders (wave.py)
                fail = wave.attempt_fail(burglar, cell, fail, rng)
        completed = rng.random() >= fail
        # caught in the act by guardians present now, or by alert neighbours
        p_free = np.prod(1 - self.catch_prob * present)
        p_free *= 1 - res.buurtpreventie[cell] * p.wijkregisseur.buurtpreventie_catch_prob
        p_free *= 1 - p.residents.caught_in_act_prob
        caught = rng.random() >= p_free
        in_act = caught
        if not caught:  # solved afterwards by investigation
            p_clear = self._clearance
            if burglar.known and self.team.active(t // HOURS_PER_DAY):
                p_clear = min(1.0, p_clear * p.interventieteam.clearance_multiplier)
            caught = rng.random() < p_clear
        day = t // HOURS_PER_DAY
        wijk = int(self.wijk[cell])
        self.daily_attempts[day, wijk] += 1
        self.daily_completed[day, wijk] += completed
        self.daily_arrests[day, wijk] += caught
        self.events.append(
            (t, int(self.home_cell[cell]), wijk, completed, caught, burglar.unique_id, in_act,
             hardened)
        )
        self._recent_events.append((day, cell))
        res.after_burglary(cell, completed, rng)
        if p.near_repeat.enabled:
            self._add_boost(t, cell)
        if caught:
            self.arrest(burglar, rng)

    def _add_boost(self, t: int, cell: int) -> None:
        """Raise the near-repeat boost around ``cell`` (stored scaled to ``_boost_origin``)."""
        tau = self.params.near_repeat.decay_days * HOURS_PER_DAY
        if (t - self._boost_origin) / tau > 50:  # rescale before exp() grows too large
            self.boost *= math.exp(-(t - self._boost_origin) / tau)
            self._boost_origin = t
        nb = self.neighbours
        a, b = nb.indptr[cell], nb.indptr[cell + 1]
        self.boost[nb.indices[a:b]] += nb.data[a:b] * math.exp((t - self._boost_origin) / tau)

    # ---- outputs --------------------------------------------------------------------------
    def _hours(self) -> dict[str, float]:
        return {
            "boa_patrol": sum(g.hours_patrol for g in self.boa_teams),
            "boa_other": sum(g.hours_other for g in self.boa_teams),
            "wijkagent_patrol": sum(g.hours_patrol for g in self.agent_teams),
            "wijkagent_investigation": sum(g.hours_other for g in self.agent_teams),
            "interventieteam_patrol": self.team.hours_patrol,
            "interventieteam_offender_work": self.team.hours_other,
            "wijkregisseur": sum(r.hours for r in self.regisseurs),
        }

    def output(self) -> RunOutput:
        """The raw outputs of the counted period so far (the burn-in left out)."""
        days = -(-self.tick // HOURS_PER_DAY)
        b = min(self.burn_in_days, days)
        hours = self._hours()
        if self._hours_at_burn_in is not None:
            hours = {k: v - self._hours_at_burn_in[k] for k, v in hours.items()}
        elif b:
            hours = dict.fromkeys(hours, 0.0)
        events = np.array(self.events, dtype=EVENT_DTYPE)
        events = events[events["tick"] >= b * HOURS_PER_DAY]
        events["tick"] -= b * HOURS_PER_DAY
        return RunOutput(
            days=days - b,
            wijk_codes=[w.code for w in self.city.wijken],
            attempts=self.daily_attempts[b:days].copy(),
            completed=self.daily_completed[b:days].copy(),
            arrests=self.daily_arrests[b:days].copy(),
            offender_arrests=self.daily_offender_arrests[b:days].copy(),
            events=events,
            hours=hours,
            cell_xy=self.cell_xy,
            home_cells=self.home_cell,
        )

__all__ = ["WijkModel", "RunOutput", "BOA", "WIJKAGENT", "TEAM", "TICKS_PER_YEAR",
           "HOURS_PER_DAY", "DAYS_PER_YEAR"]
