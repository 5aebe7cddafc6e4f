"""A textbook Mesa 3.5 version of Wijksim's rules: the reference the benchmarks compare with.

Written the way a Mesa tutorial would write it (compare ``mesa/examples/advanced/wolf_sheep``):
one ``Agent`` object per household, per officer (boa, wijkagent, interventieteam member),
per wijkregisseur and per burglar, placed on a ``mesa.discrete_space`` grid, and every agent
stepped every simulated hour with ``agents_by_type[...].shuffle_do("step")``. Decisions are
Python loops over agents. It reads the same parameters as ``sim.model.model.WijkModel`` (a
``sim.model.scenario.Scenario`` and a ``sim.model.city.City``) and implements the same mechanisms:

* households are at home with the hourly occupancy profile (fewer in the Christmas
  holiday: ``holiday_away_share`` are away); they may be hardened;
* officers spend their burglary-patrol hours in their duty window, ``visits_per_hour``
  visits per patrol hour, aimed at households or (``info_quality``) recent hotspots;
* burglars go on outings at ``outings_per_offender_day`` x hour profile x darkness x weekend,
  choose a household by distance decay x place attractiveness x near-repeat boost, abort
  when someone is home, a guardian is there or was minutes ago, or the home is hardened
  (passed by with the hardening strength; one retry), attempt, fail more often on hardened
  homes, may be caught (guardians present, an alert
  resident, buurtpreventie, investigation), and serve a sentence or are replaced;
* the interventieteam also spends hours on known offenders; wijkregisseurs build a network
  with their contact hours (it decays without them) that hardens homes and sets
  buurtpreventie coverage.

Where the household-level rules differ from WijkModel's per-cell shares they are noted inline.
It has no burn-in: it starts on 1 January of ``start_year`` (compare it with WijkModel at
``burn_in_years = 0``). It is a reference for cost, not a second model: it is not used for
results.
"""

from __future__ import annotations

import datetime as dt
import math

from mesa import Agent, Model
from mesa.discrete_space import FixedAgent, OrthogonalMooreGrid

from sim.model.city import City
from sim.model.clock import HOLIDAY_END_DOY, HOLIDAY_START_DOY
from sim.model.scenario import HOURS_PER_FTE_YEAR, Scenario

KINDS = ("boa", "wijkagenten", "interventieteam")  # index = guardian kind, as in WijkModel


class Block:
    """The shared state of one home cell (a grid cell with households)."""

    def __init__(self, index: int, cell, row: int, col: int, wijk: int, gebied: int, attr: float):
        self.index, self.cell, self.row, self.col = index, cell, row, col
        self.wijk, self.gebied, self.attractiveness = wijk, gebied, attr
        self.households: list[Household] = []
        self.last_visit = [-(10**9)] * 3  # tick of the last visit per guardian kind
        self.boost = 0.0  # near-repeat boost, decays every hour
        self.hotspot = 0.0  # recent events spread over the neighbourhood, updated daily
        self.buurtpreventie = 0.0  # coverage of buurtpreventie groups
        self.neighbours: list[tuple[Block, float]] = []  # (block, weight): near-repeat radius
        self.reach: list[tuple[Block, float]] = []  # (block, weight): patrol deterrence radius


class Household(FixedAgent):
    """One household: at home or not this hour, hardened or not."""

    def __init__(self, model: TextbookModel, cell, block: Block, hardened: bool):
        super().__init__(model)
        self.cell = cell
        self.block = block
        self.hardened = hardened
        self.at_home = True

    def step(self) -> None:
        """Be at home this hour or not."""
        self.at_home = self.random.random() < self.model.at_home_now


class Officer(Agent):
    """One boa, wijkagent or interventieteam member with a share of an FTE."""

    def __init__(self, model: TextbookModel, kind: int, gebied: int | None, blocks: list[Block],
                 patrol_h: float, offender_h: float, start: int, end: int):
        super().__init__(model)
        self.kind, self.gebied, self.blocks = kind, gebied, blocks
        self.start, self.end = start, end
        self.p_patrol = patrol_h / (end - start)  # chance an hour of the window is patrol
        self.p_offender = offender_h / (end - start)  # ... or offender-focused work

    def step(self) -> None:
        """Patrol, work on known offenders, or do other work this hour."""
        m = self.model
        if not self.start <= m.hour < self.end:
            return
        if self.kind == 2 and not m.team_active:
            return
        u = self.random.random()
        if u < self.p_patrol:
            vph = m.p.patrol.visits_per_hour
            for _ in range(int(vph) + (self.random.random() < vph % 1)):
                # a visit starts at a random minute of the hour (hours, float)
                self.pick_block().last_visit[self.kind] = m.tick + self.random.random()
        elif u < self.p_patrol + self.p_offender:
            # simplified: a fixed rate per hour (WijkModel: a hazard by rate x visibility)
            rate = m.p.interventieteam.offender_arrests_per_100_hours / 100.0
            known = [b for b in m.agents_by_type.get(Burglar, []) if b.known and b.free(m.tick)]
            if known and self.random.random() < rate:  # the most active are likeliest targets
                m.arrest(self.random.choices(known, [b.rate for b in known])[0])

    def pick_block(self) -> Block:
        """A patrol target: by households, or by recent hotspots (information quality)."""
        m = self.model
        iq = getattr(m.p, KINDS[self.kind]).info_quality
        n_hh = sum(len(b.households) for b in self.blocks)
        hot = sum(b.hotspot for b in self.blocks)
        weights = []
        for b in self.blocks:
            w = len(b.households) / n_hh
            if iq > 0 and hot > 0:
                w = (1 - iq) * w + iq * b.hotspot / hot
            weights.append(w)
        return self.random.choices(self.blocks, weights)[0]


class Wijkregisseur(Agent):
    """The network director(s) of one gebied: contact hours build a network that decays."""

    def __init__(self, model: TextbookModel, gebied: int, blocks: list[Block], count: int):
        super().__init__(model)
        self.gebied, self.blocks, self.count = gebied, blocks, count
        self.strength = 0.0

    def step(self) -> None:
        """At midnight: update strength, residents take up hardening, set buurtpreventie."""
        m = self.model
        if m.hour != 0:
            return
        r = m.p.wijkregisseur
        self.strength -= self.strength / r.decay_days
        if r.first_year <= m.year <= r.last_year:
            contact = self.count * HOURS_PER_FTE_YEAR / 365.0 * r.contact_share
            self.strength += (1.0 - self.strength) * (1.0 - math.exp(
                -contact / r.contact_hours_to_network))
        if self.strength <= 1e-6:
            return
        # Hardening uptake: the gebied's daily rate, more likely near recent burglaries, so
        # each block gets homes in proportion to households x (1 + hotspot). Household-level
        # rule: a home's chance is (1 + hotspot) over its mean over the gebied's households
        # (WijkModel takes the mean over cells of households x (1 + hotspot)).
        base = r.hardening_campaign_per_year / 365.0 * self.strength
        n_hh = sum(len(b.households) for b in self.blocks)
        mean_w = sum(len(b.households) * (1.0 + b.hotspot) for b in self.blocks) / n_hh
        for b in self.blocks:
            rate = min(1.0, base * (1.0 + b.hotspot) / mean_w)
            for h in b.households:
                if not h.hardened and self.random.random() < rate:
                    h.hardened = True
            b.buurtpreventie = r.buurtpreventie_coverage * self.strength


class Burglar(Agent):
    """An active offender with a base and a distance-decay kernel over blocks."""

    def __init__(self, model: TextbookModel, x: float, y: float, rate: float, known: bool):
        super().__init__(model)
        self.rate = rate  # individual offending rate (mean 1 over offenders)
        self.known = known
        self.free_from = 0
        decay_m = model.p.offenders.journey_decay_km * 1000.0
        s = model.city.cell_size_m
        self.kernel = [math.exp(-math.hypot((b.col + 0.5) * s - x, (b.row + 0.5) * s - y)
                                / decay_m) for b in model.blocks]

    def free(self, tick: int) -> bool:
        """Active (not serving a sentence) at ``tick``."""
        return self.free_from <= tick

    def step(self) -> None:
        """Maybe go out this hour; pick a household, look around, and maybe break in."""
        m = self.model
        if not self.free(m.tick) or self.random.random() >= m.outing_prob * self.rate:
            return
        p = m.p
        nr = p.near_repeat.boost_per_event
        targets, weights = [], []
        for h in m.agents_by_type[Household]:  # hardening is seen at the home (below)
            b = h.block
            w = self.kernel[b.index] * b.attractiveness
            targets.append(h)
            weights.append(w * (1 + nr * b.boost))
        for attempt_no in range(2):
            home = self.random.choices(targets, weights)[0]
            if home.at_home:
                return
            b = home.block
            felt = 0.0  # guardians in the street block now or minutes ago, by distance
            res_h = p.patrol.residual_deterrence_hours
            visit_h = p.patrol.visit_minutes / 60.0
            now = m.tick + self.random.random()  # the minute of this outing
            for other, w in b.reach:
                for v in other.last_visit:
                    since = now - v
                    if since >= 0:
                        felt = max(felt, w * math.exp(-max(since - visit_h, 0.0) / res_h))
            d_patrol = p.patrol.deterrence_when_present * felt
            d_bp = b.buurtpreventie * p.wijkregisseur.buurtpreventie_deterrence
            # a hardened home is seen and passed by with the hardening strength
            d_home = p.residents.hardened_attempt_fail_prob if home.hardened else 0.0
            if self.random.random() < 1 - (1 - d_patrol) * (1 - d_bp) * (1 - d_home):
                if attempt_no == 0 and self.random.random() < p.offenders.retry_after_abort_prob:
                    continue
                return
            m.burglary(self, home, present=[k for k in range(3)
                                            if 0 <= now - b.last_visit[k] <= visit_h])
            return


class TextbookModel(Model):
    """Wijksim's rules, one agent per household/officer/burglar, hourly ``shuffle_do``."""

    def __init__(self, scenario: Scenario, city: City, seed: int = 0):
        super().__init__(rng=seed)
        self.p, self.city, self.tick = scenario, city, 0
        self.jan1 = dt.date(scenario.start_year, 1, 1)
        p = scenario
        h, w = city.shape
        self.grid = OrthogonalMooreGrid((h, w), torus=False, random=self.random)
        gebied_of_wijk = [p.gebied_of_wijk.get(wk.code, wk.gebied) for wk in city.wijken]
        sigma = p.residents.place_sigma
        self.blocks: list[Block] = []
        for r in range(h):
            for c in range(w):
                n = int(city.households[r, c])
                if n > 0:
                    wijk = int(city.wijk_of_cell[r, c])
                    if city.place_z is None:
                        attr = float(city.attractiveness[r, c])
                    else:  # place attractiveness exp(sigma z - sigma^2 / 2), mean 1
                        attr = math.exp(sigma * float(city.place_z[r, c]) - sigma * sigma / 2)
                    b = Block(len(self.blocks), self.grid[(r, c)], r, c, wijk,
                              gebied_of_wijk[wijk], attr)
                    self.blocks.append(b)
                    for _ in range(n):
                        hardened = self.random.random() < p.residents.initial_hardened_share
                        b.households.append(Household(self, b.cell, b, hardened))
        self._link_neighbours()
        self._create_guardians()
        for _ in range(p.offenders.active_offenders):
            self.new_burglar()
        self.arrivals: list[tuple[int, float]] = []  # (tick, rate) of newcomers
        self.recent: list[tuple[int, Block]] = []  # (day, block) of recent burglaries
        # tick, block, wijk, completed, caught, caught in the act, hardened home
        self.events: list[tuple[int, int, int, bool, bool, bool, bool]] = []
        wa, inv = p.wijkagenten, p.investigation
        hours = wa.fte * HOURS_PER_FTE_YEAR * wa.availability * (1 - wa.patrol_share)
        cap = hours / inv.reference_investigation_hours_per_year
        self.clearance = min(1.0, inv.clearance_prob * cap**inv.capacity_elasticity)
        self.boost_decay = math.exp(-1.0 / (p.near_repeat.decay_days * 24))

    # ---- set-up ----------------------------------------------------------------------------
    def _link_neighbours(self) -> None:
        """Blocks within the near-repeat and patrol radii, weight 1 falling to 1/3 at it."""
        s = self.city.cell_size_m
        by_cell = {b.cell: b for b in self.blocks}
        for attr, radius in (("neighbours", self.p.near_repeat.radius_m),
                             ("reach", self.p.patrol.deterrence_radius_m)):
            r_cells = max(1, math.ceil(radius / s))
            for b in self.blocks:
                for cell in b.cell.get_neighborhood(radius=r_cells, include_center=True):
                    other = by_cell.get(cell)
                    d = math.hypot(other.row - b.row, other.col - b.col) * s if other else 0.0
                    if other is not None and d <= radius + 1e-6:
                        getattr(b, attr).append((other, 1.0 - d / (radius + s)))

    def _create_guardians(self) -> None:
        p = self.p
        gebieden = sorted({b.gebied for b in self.blocks})
        blocks_of = {g: [b for b in self.blocks if b.gebied == g] for g in gebieden}
        n_hh = sum(len(b.households) for b in self.blocks)
        day_h = HOURS_PER_FTE_YEAR / 365.0
        for g in gebieden:
            share = sum(len(b.households) for b in blocks_of[g]) / n_hh
            for kind, fte, patrol_h in (
                (0, p.boa.fte * share, day_h * p.boa.burglary_patrol_share),
                (1, p.wijkagenten.fte * share,
                 day_h * p.wijkagenten.availability * p.wijkagenten.patrol_share),
            ):
                sec = getattr(p, KINDS[kind])
                n = math.ceil(fte)  # one agent per officer; the last may work part-time
                for _ in range(n):
                    Officer(self, kind, g, blocks_of[g], patrol_h * fte / n, 0.0,
                            sec.duty_start_hour, sec.duty_end_hour)
        t = p.interventieteam
        n = math.ceil(t.fte)
        for _ in range(n):
            hours = t.hours_per_fte_year * t.burglary_share / 365.0 * t.fte / n
            Officer(self, 2, None, self.blocks, hours * (1 - t.offender_focus_share),
                    hours * t.offender_focus_share, t.work_start_hour, t.work_end_hour)
        self.regisseurs = {}
        count = p.wijkregisseur.per_gebied
        if count > 0:
            for g in gebieden:
                self.regisseurs[g] = Wijkregisseur(self, g, blocks_of[g], count)

    def new_burglar(self, rate: float | None = None, known: bool | None = None) -> Burglar:
        """A new offender: local (living in a random household's cell) or from the edge."""
        o, s = self.p.offenders, self.city.cell_size_m
        h, w = self.city.shape
        if rate is None:  # offending is concentrated: Gamma(shape), mean 1
            rate = self.random.gammavariate(o.rate_shape, 1.0 / o.rate_shape)
        if known is None:  # the prolific are more often known to the police
            known = self.random.random() < min(1.0, o.known_share * rate)
        if self.random.random() < o.local_share:
            home = self.random.choice(list(self.agents_by_type[Household]))
            x, y = (home.block.col + 0.5) * s, (home.block.row + 0.5) * s
        else:  # a point on the city's edge, uniform along the perimeter
            u = self.random.random() * 2 * (h + w) * s
            sw, sh = w * s, h * s
            x, y = ((u, 0.0) if u < sw else (sw, u - sw) if u < sw + sh
                    else (u - sw - sh, sh) if u < 2 * sw + sh else (0.0, u - 2 * sw - sh))
        return Burglar(self, x, y, rate, known)

    # ---- the clock -------------------------------------------------------------------------
    def step(self) -> None:
        """One hour: households, then wijkregisseurs and officers, then burglars."""
        t = self.tick
        self.hour, day = t % 24, t // 24
        self.year = self.p.start_year + day // 365
        if self.hour == 0:
            self.start_day(day)
        weekend = (self.jan1 + dt.timedelta(days=day)).weekday() >= 5
        r, o = self.p.residents, self.p.offenders
        self.at_home_now = (r.at_home_weekend if weekend else r.at_home_weekday)[self.hour]
        if day % 365 >= HOLIDAY_START_DOY or day % 365 < HOLIDAY_END_DOY:  # Christmas holiday
            self.at_home_now *= 1.0 - r.holiday_away_share
        act = o.activity_by_hour
        rate = o.outings_per_offender_day * act[self.hour] / sum(act)
        if self.hour >= math.ceil(self._sunset(day)) and self.hour <= 22:
            rate *= o.dark_evening_multiplier
        self.outing_prob = rate * (o.weekend_multiplier if weekend else 1.0)
        t_ = self.p.interventieteam
        self.team_active = t_.first_year <= self.year <= t_.last_year
        for kind in (Household, Wijkregisseur, Officer, Burglar):
            if kind in self.agents_by_type:
                self.agents_by_type[kind].shuffle_do("step")
        for b in self.blocks:  # near-repeat boosts fade
            b.boost *= self.boost_decay
        self.tick = t + 1

    @staticmethod
    def _sunset(day: int) -> float:
        return 19.25 - 2.75 * math.cos(2 * math.pi * (day % 365 + 10) / 365)

    def start_day(self, day: int) -> None:
        """Midnight: offenders return or are replaced; hotspots from recent burglaries."""
        due = [a for a in self.arrivals if a[0] <= self.tick + 24]
        self.arrivals = [a for a in self.arrivals if a[0] > self.tick + 24]
        for _, rate in due:  # a newcomer takes over the arrested one's opportunities
            self.new_burglar(rate=rate, known=False)
        window = self.p.patrol.hotspot_window_days
        self.recent = [(d, b) for d, b in self.recent if d > day - window]
        for b in self.blocks:
            b.hotspot = 0.0
        for _, b in self.recent:
            for other, w in b.neighbours:
                other.hotspot += w

    # ---- burglary and arrest -----------------------------------------------------------------
    def burglary(self, burglar: Burglar, home: Household, present: list[int]) -> None:
        """An attempt: fails or succeeds, may be caught, hardens the victim, boosts around."""
        p, b = self.p, home.block
        # Household-level rule: the chosen household's own lock decides (WijkModel draws it
        # from the cell's hardened share).
        fail = p.residents.attempt_fail_prob
        if home.hardened:  # the same strength that made burglars pass hardened homes by
            fail = 1 - (1 - fail) * (1 - p.residents.hardened_attempt_fail_prob)
        completed = self.random.random() >= fail
        p_free = 1.0
        for k in present:
            p_free *= 1 - getattr(p, KINDS[k]).catch_prob
        p_free *= 1 - b.buurtpreventie * p.wijkregisseur.buurtpreventie_catch_prob
        p_free *= 1 - p.residents.caught_in_act_prob  # an alert resident reports
        caught = self.random.random() >= p_free
        in_act = caught
        if not caught:
            p_clear = self.clearance
            if burglar.known and self.team_active and p.interventieteam.fte > 0:
                p_clear = min(1.0, p_clear * p.interventieteam.clearance_multiplier)
            caught = self.random.random() < p_clear
        self.events.append((self.tick, b.index, b.wijk, completed, caught, in_act, home.hardened))
        self.recent.append((self.tick // 24, b))
        if completed and self.random.random() < p.residents.victim_hardening_prob:
            home.hardened = True
        if p.near_repeat.enabled:
            for other, w in b.neighbours:
                other.boost += w
        if caught:
            self.arrest(burglar)

    def arrest(self, burglar: Burglar) -> None:
        """Sentence the offender; a newcomer may take the place sooner."""
        o = self.p.offenders
        sentence = self.random.expovariate(1 / o.sentence_days) * 24
        replacement = self.random.expovariate(1 / o.replacement_days) * 24
        if replacement < sentence:
            burglar.remove()
            self.arrivals.append((self.tick + int(replacement), burglar.rate))
        else:
            burglar.known = True
            burglar.free_from = self.tick + int(sentence)

    def attempts_per_year(self) -> float:
        """Woninginbraken (attempts included) per simulated year so far."""
        return len(self.events) / (self.tick / (24 * 365)) if self.tick else float("nan")

    def run(self, ticks: int) -> None:
        """Run ``ticks`` hours."""
        for _ in range(ticks):
            self.step()
