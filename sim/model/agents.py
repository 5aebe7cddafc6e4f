"""The six agent types of Wijksim.

Agents hold the decisions; state that is touched every simulated hour lives in numpy
arrays owned by the model (``model.last_visit``, ``model.hardened``, ...). The many
households are one :class:`Residents` agent whose state is those arrays, so a tick never
calls Python once per household. Guardians plan a day of patrol visits in one go
(:func:`plan_patrols`); the model applies the plan hour by hour.

Where each agent's vectorised behaviour lives (a Mesa reader looks for ``step``):

* ``Burglar``: outings ``WijkModel._start_day``; target choice and deterrence
  ``WijkModel._outing``; attempt, caught, cleared ``WijkModel._attempt``; sentence and
  replacement ``WijkModel.arrest``;
* ``Residents``: arrays read in ``WijkModel._outing`` and ``WijkModel._attempt``;
* guardians: patrol visits :func:`plan_patrols`, applied in ``WijkModel.step``;
* ``InterventieTeam``: arrests of known offenders :meth:`InterventieTeam.work_offenders`;
* ``Wijkregisseur``: network, hardening uptake, buurtpreventie :meth:`Wijkregisseur.step_day`.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent, Model

from sim.model.scenario import HOURS_PER_FTE_YEAR

#: Agents get the model as a Mesa ``Model``: it is :class:`sim.model.model.WijkModel`,
#: which imports this module (agents never import the model, so there is no cycle).
WijkModel = Model

# Guardian kinds, used as indexes into model.last_visit.
BOA, WIJKAGENT, TEAM = 0, 1, 2
KIND_NAMES = ("boa", "wijkagent", "interventieteam")


class Residents(Agent):
    """All households of the city, as arrays over home cells (cells with households).

    Holds occupancy by hour, target hardening (share of hardened homes per cell) and
    buurtpreventie coverage; reacts to victimisation by hardening. Where it acts: the
    arrays are read in ``WijkModel._outing`` (occupied homes, buurtpreventie, hardened
    homes passed by) and ``WijkModel._attempt`` (hardened homes resist, alert neighbours);
    victims harden in :meth:`after_burglary`.
    """

    def __init__(self, model: WijkModel):
        super().__init__(model)
        p = model.params.residents
        self.at_home = np.array([p.at_home_weekday, p.at_home_weekend])  # (2, 24)
        self.hardened = np.full(model.n_homes, p.initial_hardened_share)
        self.buurtpreventie = np.zeros(model.n_homes)

    def after_burglary(self, cell: int, completed: bool, rng: np.random.Generator) -> None:
        """A victim hardens their home with some probability (one household of the cell)."""
        p = self.model.params.residents
        if completed and rng.random() < p.victim_hardening_prob:
            hh = self.model.households[cell]
            self.hardened[cell] = min(1.0, self.hardened[cell] + 1.0 / hh)


#: Journey-to-crime reach: homes where an offender's distance-decay kernel has fallen below
#: this share of its value at the base are left out of target choice. It cuts at 9.2 decay
#: lengths (13.8 km at 1.5 km), which holds under 0.1% of the choice weight in a uniform city
#: ((1 + 9.2) e^-9.2); no Amstelveen home is that far from a base (at most 9.7 km), so there
#: every offender still sees every home. In large cities this keeps an outing's cost
#: independent of the city's size.
KERNEL_CUTOFF = 1e-4


class Burglar(Agent):
    """An active offender with a base (home or entry point) and a distance-decay kernel.

    ``kernel`` holds the kernel over ``homes`` (home-cell indexes within reach), or over all
    home cells when ``homes`` is None (every home within reach).

    A reader coming from Mesa looks for a ``step`` here: there is none. Burglars' behaviour
    is vectorised in the model: outings per hour are drawn in ``WijkModel._start_day``, who
    goes out, target choice and deterrence in ``WijkModel._outing``, the attempt in
    ``WijkModel._attempt``, arrest, sentence and replacement in ``WijkModel.arrest``, and
    being found by the interventieteam in :meth:`InterventieTeam.work_offenders`.
    """

    def __init__(self, model: WijkModel, base_xy: np.ndarray, local: bool, rate: float,
                 known: bool, visibility: float = 1.0):
        super().__init__(model)
        self.base_xy = base_xy
        self.local = local
        self.rate = rate  # individual offending rate, relative to the mean offender (1.0)
        self.drive = 1.0  # outings x this while a technique raises expected success (wave.py)
        self.known = known  # known to police: target of offender-focused work
        # how easy to find for offender-focused work, relative to the mean offender (1.0)
        self.visibility = visibility
        self.free_from = 0  # tick from which the offender is active
        d_km = np.hypot(*(model.home_xy - base_xy).T) / 1000.0
        decay_km = model.params.offenders.journey_decay_km
        near = d_km <= decay_km * -np.log(KERNEL_CUTOFF)
        self.homes = None if near.all() else np.flatnonzero(near)
        if self.homes is not None:
            d_km = d_km[self.homes]
        # Journey to crime: strong distance decay from the base (Bernasco & Nieuwbeerta 2005).
        # (float32: one row over the homes within reach per offender; halves memory)
        self.kernel = np.exp(-d_km / decay_km).astype(np.float32)
        nearest = int(np.argmax(self.kernel))
        nearest = nearest if self.homes is None else int(self.homes[nearest])
        self.wijk = int(model.wijk[nearest])  # wijk nearest to the base
        self._weights: tuple = (None, None)  # (base weight it was made from, kernel x it)

    def target_weights(self, base_weight: np.ndarray) -> np.ndarray:
        """Kernel x the model's static base weight over ``homes`` (cached per offender)."""
        base, weights = self._weights
        if base is not base_weight:
            weights = self.kernel * (base_weight if self.homes is None
                                     else base_weight[self.homes])
            self._weights = (base_weight, weights)
        return weights


class Guardian(Agent):
    """A patrolling guardian group (boa's or wijkagenten of one gebied, or the team).

    Its visits are planned for a whole day at once, for all groups together, in
    :func:`plan_patrols` (called from ``WijkModel._start_day``) and applied hour by hour in
    ``WijkModel.step``; how a visit deters is in ``WijkModel._outing``.
    """

    kind: int = BOA

    def __init__(self, model: WijkModel, gebied: int | None, cells: np.ndarray):
        super().__init__(model)
        self.gebied = gebied  # gebied index, or None for city-wide
        self.cells = cells  # home-cell indexes this group patrols
        self.hours_patrol = 0.0  # productive hours spent on burglary patrol
        self.hours_other = 0.0  # productive hours spent on other work

    # --- settings that subclasses define ---------------------------------------------------
    def patrol_hours_per_day(self, day: int) -> float:
        """Burglary patrol hours this group spends on ``day``."""
        raise NotImplementedError

    def other_hours_per_day(self, day: int) -> float:
        """Productive hours spent on other work on ``day``."""
        return 0.0

    def duty_hours(self) -> tuple[int, int]:
        """First and last-plus-one hour of the patrol window."""
        raise NotImplementedError

    def info_quality(self) -> float:
        """Share of patrol aimed at recent hotspots (the rest follows households)."""
        raise NotImplementedError

    def hotspot_return_hours(self) -> float | None:
        """Hours between visits to each place of a ranked hot-spot list, or None.

        None (the default): each visit goes to a place drawn from :meth:`patrol_weights`.
        A number: the group works its places the riskiest first (see :func:`plan_patrols`).
        """
        return None

    def patrol_weights(self) -> np.ndarray:
        """Where a visit goes: (1 - iq) x household share + iq x recent-hotspot share."""
        if not hasattr(self, "_hh_share"):
            hh = self.model.households[self.cells]
            self._hh_share = hh / hh.sum()
        iq = self.info_quality()
        hot = self.model.hotspot[self.cells]
        total = hot.sum()
        if iq <= 0 or total <= 0:
            return self._hh_share
        return (1 - iq) * self._hh_share + iq * hot / total


def plan_patrols(
    model: WijkModel, groups: list[Guardian], day: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Today's patrol visits of all guardian groups at once: (hour, home cell, kind) arrays.

    A group patrols ``patrol_hours_per_day`` hours spread evenly over its duty window and
    makes ``visits_per_hour`` visits per patrol hour (Koper 1995: 10–15 minute stops), so the
    visits per (group, hour) are Poisson. A visit goes to one of the group's cells with the
    probabilities of :meth:`Guardian.patrol_weights`. All groups are drawn in one go: each
    group's weights sum to 1, so group g owns the interval [g, g + 1) of one cumulative
    weight vector and a uniform number g + u picks a cell of group g.
    """
    vph = model.params.patrol.visits_per_hour
    rate = np.zeros((len(groups), 24))
    weights, cells = [], []
    for gi, g in enumerate(groups):
        hours = g.patrol_hours_per_day(day)
        g.hours_patrol += hours
        g.hours_other += g.other_hours_per_day(day)
        a, b = g.duty_hours()
        if hours > 0 and g.cells.size:
            rate[gi, a:b] = hours / (b - a) * vph
            weights.append(g.patrol_weights())
        else:
            weights.append(np.zeros(g.cells.size))
        cells.append(g.cells)
    counts = rng.poisson(rate).ravel()  # visits per (group, hour), group-major
    if counts.sum() == 0:
        return model.empty_int, model.empty_int, model.empty_int
    group = np.repeat(np.repeat(np.arange(len(groups)), 24), counts)
    hour = np.repeat(np.tile(np.arange(24), len(groups)), counts)
    cum = np.cumsum(np.concatenate(weights))
    all_cells = np.concatenate(cells)
    idx = np.searchsorted(cum, group + rng.random(group.size), side="right")
    kinds = np.array([g.kind for g in groups])
    visit_cells = all_cells[np.minimum(idx, all_cells.size - 1)]
    offset = np.cumsum([0] + [g.cells.size for g in groups])
    for gi, (g, w) in enumerate(zip(groups, weights, strict=True)):
        every_h = g.hotspot_return_hours()
        mine = np.flatnonzero(group == gi)
        if every_h is None or mine.size == 0:
            continue
        # Greedy hot-spot allocation (Sherman & Weisburd 1995; Braga et al. 2019): the
        # riskiest places first, each visited about every ``every_h`` hours of the window
        # (visits are in hour order, so place k gets visits k, k + K, ...); more visits
        # add colder places instead of piling onto the same ones.
        a, b = g.duty_hours()
        n_places = max(1, int(np.ceil(mine.size * every_h / max(b - a, 1))))
        ranked = np.argsort(-w, kind="stable")[:n_places]
        visit_cells[mine] = all_cells[offset[gi] + ranked[np.arange(mine.size) % ranked.size]]
    return hour, visit_cells, kinds[group]


class BoaTeam(Guardian):
    """The boa's of team HOR working in one gebied (led by its wijkboa)."""

    kind = BOA

    def __init__(self, model: WijkModel, gebied: int, cells: np.ndarray, fte: float):
        super().__init__(model, gebied, cells)
        self.fte = fte

    def patrol_hours_per_day(self, day: int) -> float:  # noqa: D102
        p = self.model.params
        return self.fte * HOURS_PER_FTE_YEAR * p.boa.burglary_patrol_share / 365.0

    def other_hours_per_day(self, day: int) -> float:  # noqa: D102
        p = self.model.params
        return self.fte * HOURS_PER_FTE_YEAR * (1 - p.boa.burglary_patrol_share) / 365.0

    def duty_hours(self) -> tuple[int, int]:  # noqa: D102
        b = self.model.params.boa
        return b.duty_start_hour, b.duty_end_hour

    def info_quality(self) -> float:  # noqa: D102
        return self.model.params.boa.info_quality


class WijkagentTeam(Guardian):
    """The wijkagenten of one gebied: partly available; patrol and investigation."""

    kind = WIJKAGENT

    def __init__(self, model: WijkModel, gebied: int, cells: np.ndarray, fte: float):
        super().__init__(model, gebied, cells)
        self.fte = fte

    def _available_hours_per_day(self) -> float:
        w = self.model.params.wijkagenten
        return self.fte * HOURS_PER_FTE_YEAR * w.availability / 365.0

    def patrol_hours_per_day(self, day: int) -> float:  # noqa: D102
        return self._available_hours_per_day() * self.model.params.wijkagenten.patrol_share

    def other_hours_per_day(self, day: int) -> float:  # noqa: D102
        # investigation in the wijk (the unavailable share is spent elsewhere, not counted)
        return self._available_hours_per_day() * (1 - self.model.params.wijkagenten.patrol_share)

    def duty_hours(self) -> tuple[int, int]:  # noqa: D102
        w = self.model.params.wijkagenten
        return w.duty_start_hour, w.duty_end_hour

    def info_quality(self) -> float:  # noqa: D102
        q = self.model.params.wijkagenten.info_quality
        return q


class InterventieTeam(Guardian):
    """Spoor 1: hotspot patrol at high-risk hours city-wide, and offender-focused work.

    Patrol: :func:`plan_patrols` (deterrence in ``WijkModel._outing``); offender work:
    :meth:`work_offenders`, called daily from ``WijkModel._start_day``.
    """

    kind = TEAM

    def fte(self, day: int) -> float:
        """Staff on ``day``: the scenario's within its years, or a programme that ran then."""
        t = self.model.params.interventieteam
        own = t.fte if t.first_year <= self.model.year_of_day(day) <= t.last_year else 0.0
        drivers = self.model.drivers
        return max(own, float(drivers.team_fte[day])) if drivers is not None else own

    def active(self, day: int) -> bool:
        """Whether the programme runs (has staff on ``day``)."""
        return self.fte(day) > 0

    def _burglary_hours_per_day(self, day: int) -> float:
        t = self.model.params.interventieteam
        return self.fte(day) * t.hours_per_fte_year * t.burglary_share / 365.0

    def patrol_hours_per_day(self, day: int) -> float:  # noqa: D102
        t = self.model.params.interventieteam
        return self._burglary_hours_per_day(day) * (1 - t.offender_focus_share)

    def other_hours_per_day(self, day: int) -> float:  # noqa: D102
        # offender-focused hours (and, for a multi-theme team, other themes)
        t = self.model.params.interventieteam
        return self.fte(day) * t.hours_per_fte_year / 365.0 - self.patrol_hours_per_day(day)

    def duty_hours(self) -> tuple[int, int]:  # noqa: D102
        t = self.model.params.interventieteam
        return t.work_start_hour, t.work_end_hour

    def info_quality(self) -> float:  # noqa: D102
        return self.model.params.interventieteam.info_quality

    def hotspot_return_hours(self) -> float | None:  # noqa: D102
        return self.model.params.interventieteam.hotspot_return_hours

    def work_offenders(self, day: int, rng: np.random.Generator) -> None:
        """Offender-focused hours: work the list of known offenders; identify unknown ones.

        Arrests: the team works its finite list of free known offenders one at a time, the
        easiest first (a "top-X" list ranked by ``w = rate x visibility``: the prolific and
        the visible). Finding the offender in hand takes exponential hours with mean
        ``100 / (offender_arrests_per_100_hours x w)`` (an offender of mean visibility: 100
        hours at the prior 1.0); when found they are arrested and the team moves to the
        next; the day ends when its hours run out (the search is memoryless, so it resumes
        the next day without carry-over). Hours are spent on one offender at a time, so the
        same hour never searches two offenders, an offender inside is off the list, and as
        the visible ones are inside the next one takes longer: the arrests per hour fall as
        the team grows, and its effect levels off.

        Identification (the information position, Amstelveen 2023): each free unknown
        offender becomes known today with probability 1 - exp(-hours x c x w), where ``c``
        makes the expected identifications per 100 hours against the starting pool's
        unknown offenders equal ``offenders_identified_per_100_hours``.
        """
        t = self.model.params.interventieteam
        hours = self._burglary_hours_per_day(day) * t.offender_focus_share
        if hours <= 0:
            return
        m = self.model
        free = m.free_burglars()
        if not free:
            return
        o = m.params.offenders
        unknown = [b for b in free if not b.known]
        ranked = sorted((b for b in free if b.known), key=lambda b: -b.rate * b.visibility)
        if unknown:
            c = (t.offenders_identified_per_100_hours / 100.0
                 / max(float(o.active_offenders) * (1.0 - o.known_share), 1.0))
            w = np.array([b.rate * b.visibility for b in unknown])
            found = rng.random(len(unknown)) < -np.expm1(-hours * c * w)
            for i in np.flatnonzero(found):
                unknown[int(i)].known = True
        per_hour = t.offender_arrests_per_100_hours / 100.0
        for b in ranked:
            w = b.rate * b.visibility
            if w <= 0 or per_hour <= 0:
                break
            need = rng.exponential(1.0 / (per_hour * w))
            if need > hours:
                break
            hours -= need
            m.arrest(b, rng, at_burglary=False)


class Wijkregisseur(Agent):
    """Spoor 2: network director of one gebied. No patrol; acts through residents.

    Stepped once a day from ``WijkModel._start_day`` (:meth:`step_day`); its effects act
    through the residents' arrays, read in ``WijkModel._outing`` and ``_attempt``.

    ``strength`` (0..1) grows with the hours spent on contacts (``contact_share`` of the
    regisseurs' hours; ``contact_hours_to_network`` hours bring it to 63%) and decays
    without them (``decay_days``). At strength s, residents of the gebied take up
    hardening (``hardening_campaign_per_year`` x s of unhardened homes a year, aimed at
    where burglaries were recent) and join buurtpreventie (coverage s x
    ``buurtpreventie_coverage``), which deters and reports. Those two mechanisms' strengths
    come from their virtual replications (`sim evidence`).
    """

    def __init__(self, model: WijkModel, gebied: int, cells: np.ndarray, count: int):
        super().__init__(model)
        self.gebied = gebied
        self.cells = cells
        self.count = count
        self.strength = 0.0
        self.hours = 0.0

    def step_day(self, day: int) -> None:
        """Update network strength from today's contact hours, and residents' uptake."""
        m = self.model
        r = m.params.wijkregisseur
        active = self.count > 0 and r.first_year <= m.year_of_day(day) <= r.last_year
        self.strength -= self.strength / r.decay_days
        if active:
            hours = self.count * HOURS_PER_FTE_YEAR / 365.0
            self.hours += hours
            contact = hours * r.contact_share
            self.strength += (1.0 - self.strength) * (1.0 - np.exp(
                -contact / r.contact_hours_to_network))
        if self.strength <= 1e-6:
            return
        res = m.residents
        # Hardening uptake, aimed at homes near recent burglaries: a home's daily chance is
        # the campaign rate x strength x (1 + recent burglaries nearby), scaled so that the
        # gebied's homes on average take it up at the campaign rate.
        hh = m.households[self.cells]
        focus = 1.0 + m.hotspot[self.cells]
        mean_focus = (hh * focus).sum() / hh.sum() if hh.sum() > 0 else 1.0
        rate = r.hardening_campaign_per_year / 365.0 * self.strength * focus / mean_focus
        h = res.hardened[self.cells]
        res.hardened[self.cells] = h + (1.0 - h) * np.minimum(rate, 1.0)
        # Buurtpreventie groups follow the network's strength.
        res.buurtpreventie[self.cells] = r.buurtpreventie_coverage * self.strength
