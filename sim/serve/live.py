"""The live view's model: a scenario and its reference run side by side, a week at a time.

:class:`PairedRun` runs two :class:`~sim.model.model.WijkModel` with the same seed (common
random numbers): the chosen scenario, with the page's capacity levers applied, and the
reference (``baseline``, on the same horizon). Its counts are read from the models' own
state, so the totals after the whole horizon are exactly those of ``sim run`` with the same
scenario and seed (replication 0). The burn-in runs when the pair is made, so the page
starts on 1 January of the first counted year.

:class:`CouncilModel` is the Mesa model that SolaraViz steps: one step is one simulated
week of both runs. A scenario that cannot be loaded (a bad file, an unknown name, a seed
out of range) never raises: the model carries a :class:`Message` and does not run, so the
page can say what is wrong and the server keeps running.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from mesa import Model

from sim.analysis.compare_metrics import month_edges
from sim.core.errors import UserError
from sim.model.clock import DAYS_PER_YEAR, HOURS_PER_DAY
from sim.model.model import BOA, TEAM, WIJKAGENT, WijkModel
from sim.model.scenario import HOURS_PER_FTE_YEAR, Scenario, known_scenarios, load_scenario
from sim.runs.runner import cached_city
from sim.runs.seeds import MAX_SEED, replication_seed

#: One step of the page: a simulated week.
HOURS_PER_STEP = 7 * HOURS_PER_DAY
#: The reference every option is compared with (as ``sim compare baseline ...``).
REFERENCE = "baseline"
#: Burglaries fade from the map over four weeks.
FADE_HOURS = 28 * HOURS_PER_DAY
#: Patrol visits of the last week are shown.
VISIT_HOURS = 7 * HOURS_PER_DAY
#: Extra (or fewer) wijkagenten cost this per FTE per year — the estimate of
#: ``scenarios/politienorm.toml`` (€95,000 all-in per police FTE; paid by the police).
WIJKAGENT_EUR_PER_FTE_YEAR = 95_000.0
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Message:
    """Something the page must say instead of running: ``kind`` is "error" or "info"."""

    kind: str
    text: str


# ---- the capacity levers ----------------------------------------------------------------------
@dataclass(frozen=True)
class Lever:
    """One slider: its model parameter name, range and step, and the scenario's own value."""

    name: str
    lo: float
    hi: float
    step: float
    value: float  # the slider's position for the scenario (its own value, rounded to step)
    exact: float  # the scenario's own value
    integer: bool = False


def _on_step(x: float, step: float, lo: float, hi: float) -> float:
    return float(min(hi, max(lo, round(x / step) * step)))


def levers_of(sc: Scenario) -> dict[str, Lever]:
    """The page's sliders for a scenario, each positioned at the scenario's own value."""
    boa_total = sc.boa.fte * HOURS_PER_FTE_YEAR
    boa_hours = boa_total * sc.boa.burglary_patrol_share
    boa_hi = max(100.0, math.floor(boa_total / 100) * 100)
    team = sc.interventieteam
    team_years = team.last_year - team.first_year + 1
    horizon_years = max(1, math.ceil(sc.years))
    years_hi = max(horizon_years, 1)
    out = [
        Lever("boa_patrol_hours", 0, boa_hi, 100, _on_step(boa_hours, 100, 0, boa_hi),
              boa_hours, integer=True),
        Lever("team_fte", 0, 12, 0.5, _on_step(team.fte, 0.5, 0, 12), team.fte),
        Lever("team_years", 1, years_hi, 1, _on_step(team_years, 1, 1, years_hi), team_years,
              integer=True),
        Lever("regisseurs_per_gebied", 0, 5, 1, float(sc.wijkregisseur.per_gebied),
              sc.wijkregisseur.per_gebied, integer=True),
        Lever("wijkagenten_fte", 0, 40, 1, _on_step(sc.wijkagenten.fte, 1, 0, 40),
              sc.wijkagenten.fte),
    ]
    return {lv.name: lv for lv in out}


def apply_levers(sc: Scenario, values: dict[str, float | None]) -> Scenario:
    """The scenario with the sliders' values; a slider at the scenario's position changes nothing.

    ``values`` maps lever names to slider values (None: not given). Raises
    :class:`UserError` for a value the scenario refuses (e.g. more boa hours than boa's).
    """
    levers = levers_of(sc)
    changed = {k: float(v) for k, v in values.items()
               if v is not None and k in levers and abs(float(v) - levers[k].value) > 1e-9}
    if not changed:
        return sc
    over: dict[str, Any] = {}
    if "boa_patrol_hours" in changed:
        total = sc.boa.fte * HOURS_PER_FTE_YEAR
        if total <= 0:
            raise UserError("this scenario has no boa's, so no boa patrol hours can be set.",
                            field="boa_patrol_hours")
        over["boa.burglary_patrol_share"] = min(1.0, changed["boa_patrol_hours"] / total)
    if "team_fte" in changed:
        over["interventieteam.fte"] = changed["team_fte"]
    if "team_years" in changed:
        over["interventieteam.last_year"] = (sc.interventieteam.first_year
                                             + int(changed["team_years"]) - 1)
    if "regisseurs_per_gebied" in changed:
        over["wijkregisseur.per_gebied"] = int(changed["regisseurs_per_gebied"])
    if "wijkagenten_fte" in changed:
        over["wijkagenten.fte"] = changed["wijkagenten_fte"]
    return sc.with_overrides(over)


# ---- choosing a scenario ---------------------------------------------------------------------
def parse_seed(value: int | str | None) -> int:
    """The seed field: a whole number from 0 to 2^63 - 1 (UserError otherwise)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_SEED
    text = str(value).strip()
    try:
        seed = int(text)
    except ValueError:
        raise UserError(f"'{text[:40]}' is not a whole number; allowed: 0 to {MAX_SEED:,}.",
                        field="seed") from None
    if not 0 <= seed <= MAX_SEED:
        raise UserError(f"{seed} is out of range; allowed: 0 to {MAX_SEED:,}.", field="seed")
    return seed


def choose(ref: str | Path) -> Scenario | Message:
    """A shipped scenario name or a scenario file, loaded and checked; a Message if it fails.

    Never raises: whatever is wrong with the file (missing, not TOML, a field out of
    bounds, a city that cannot be read) comes back as an error Message naming it.
    """
    try:
        sc = load_scenario(str(ref).strip())
        cached_city(sc.city)  # the city's data is checked here too
        return sc
    except UserError as exc:
        return Message("error", str(exc))
    except Exception as exc:  # noqa: BLE001 — a page must not fall over on any file
        return Message("error", f"{ref}: cannot be read as a scenario "
                                f"({type(exc).__name__}: {exc}).")


def reference_for(sc: Scenario) -> Scenario:
    """The reference scenario on ``sc``'s city and horizon (start year, years, burn-in)."""
    ref = load_scenario(REFERENCE, city=None if sc.city == "amstelveen" else sc.city)
    return ref.with_overrides({"start_year": sc.start_year, "years": sc.years,
                               "burn_in_years": sc.burn_in_years})


def shipped_scenarios() -> list[str]:
    """The names of the shipped scenarios (``scenarios/*.toml``)."""
    return list(known_scenarios())


# ---- the paired run --------------------------------------------------------------------------
@dataclass
class MapState:
    """What the live map shows now (home-cell and grid-cell indexes of the scenario run)."""

    event_cells: np.ndarray  # grid cells of burglaries in the last FADE_HOURS
    event_age: np.ndarray  # hours since each, 0..FADE_HOURS
    event_completed: np.ndarray  # bool
    event_arrested: np.ndarray  # bool
    visit_cells: dict[int, np.ndarray]  # guardian kind -> grid cells visited in the last week
    rate_per_1000: np.ndarray  # per wijk: woninginbraken per year per 1,000 households so far


@dataclass
class Totals:
    """Running totals of the counted period so far, scenario and reference."""

    days: int
    woninginbraken: int
    reference_woninginbraken: int
    completed: int
    arrests: int
    reference_arrests: int
    cost_eur: float
    per_year: dict[str, float] = field(default_factory=dict)

    @property
    def prevented(self) -> int:
        """Burglaries prevented so far: the reference's minus the scenario's."""
        return self.reference_woninginbraken - self.woninginbraken

    @property
    def cost_per_prevented_eur(self) -> float | None:
        """Cost so far per burglary prevented so far (None when none were prevented)."""
        return self.cost_eur / self.prevented if self.prevented > 0 else None


class PairedRun:
    """The scenario and the reference with the same seed, advanced together.

    Args:
        scenario: the scenario to show (levers applied).
        reference: the reference scenario (see :func:`reference_for`).
        master_seed: as ``sim run --seed``: the runs use replication 0's seed.
        extra_cost_eur_per_year: cost the page's levers add (or save) per year.
        modified: whether the page's levers changed the scenario (shown with its name).
    """

    def __init__(self, scenario: Scenario, reference: Scenario, master_seed: int,
                 extra_cost_eur_per_year: float = 0.0, modified: bool = False):
        self.scenario, self.reference = scenario, reference
        self.modified = modified  # levers moved away from the scenario's own values
        self.master_seed = master_seed
        seed = replication_seed(master_seed, 0)
        self.model = WijkModel(scenario, cached_city(scenario.city), seed=seed)
        self.ref_model = WijkModel(reference, cached_city(reference.city), seed=seed)
        if self.model.n_ticks != self.ref_model.n_ticks:
            raise UserError("the reference and the scenario differ in horizon.")
        self.city = self.model.city
        self.start_tick = self.model.burn_in_days * HOURS_PER_DAY
        self.end_tick = self.model.n_ticks
        self._advance_both(self.start_tick)  # the burn-in, left out of every count
        yearly = scenario.yearly_cost_eur()
        self.cost_by_year = {y: v + extra_cost_eur_per_year for y, v in yearly.items()}
        m = self.model
        n_w = self.city.n_wijken
        self.households_per_wijk = np.bincount(m.wijk, weights=m.households, minlength=n_w)
        self.cols = self.city.wijk_of_cell.shape[1]

    # ---- the clock ----------------------------------------------------------------------
    @property
    def tick(self) -> int:
        """Hours simulated, burn-in included."""
        return self.model.tick

    @property
    def hours_done(self) -> int:
        """Hours of the counted period simulated so far."""
        return self.model.tick - self.start_tick

    @property
    def done(self) -> bool:
        """True at the end of the horizon."""
        return self.model.tick >= self.end_tick

    def _advance_both(self, hours: int) -> None:
        if hours > 0:
            self.model.run_for(hours)
            self.ref_model.run_for(hours)

    def advance(self, hours: int = HOURS_PER_STEP) -> int:
        """Advance both runs by up to ``hours`` (not past the horizon); the hours advanced."""
        n = max(0, min(int(hours), self.end_tick - self.model.tick))
        self._advance_both(n)
        return n

    def run_to_end(self) -> None:
        """Advance both runs to the end of the horizon."""
        self.advance(self.end_tick - self.model.tick)

    def date(self) -> tuple[int, int, int]:
        """(year, month, day) of the next hour to simulate (365-day years, as the model)."""
        day = self.hours_done // HOURS_PER_DAY
        year, doy = divmod(day, DAYS_PER_YEAR)
        for y, month, a, b in month_edges(DAYS_PER_YEAR):
            del y
            if a <= doy < b:
                return self.scenario.start_year + year, month, doy - a + 1
        return self.scenario.start_year + year + 1, 1, 1

    # ---- what the page shows ------------------------------------------------------------
    def _counted(self, m: WijkModel) -> tuple[slice, int]:
        b = m.burn_in_days
        d = -(-m.tick // HOURS_PER_DAY)
        return slice(b, max(b, d)), max(0, d - b)

    def totals(self) -> Totals:
        """Woninginbraken, prevented, arrests and cost of the counted period so far."""
        m, r = self.model, self.ref_model
        s, days = self._counted(m)
        arrests = int(m.daily_arrests[s].sum() + m.daily_offender_arrests[s].sum())
        ref_arrests = int(r.daily_arrests[s].sum() + r.daily_offender_arrests[s].sum())
        cost = 0.0
        for i, (_year, eur) in enumerate(sorted(self.cost_by_year.items())):
            done = min(max(self.hours_done / HOURS_PER_DAY - i * DAYS_PER_YEAR, 0),
                       DAYS_PER_YEAR)
            cost += eur * done / DAYS_PER_YEAR
        years = max(days, 1) / DAYS_PER_YEAR
        total = int(m.daily_attempts[s].sum())
        return Totals(
            days=days, woninginbraken=total,
            reference_woninginbraken=int(r.daily_attempts[s].sum()),
            completed=int(m.daily_completed[s].sum()), arrests=arrests,
            reference_arrests=ref_arrests, cost_eur=cost,
            per_year={"woninginbraken": total / years, "arrests": arrests / years},
        )

    def monthly(self) -> dict[str, Any]:
        """Woninginbraken per month so far: labels ("2024-01"), scenario, reference, partial.

        Months cover the whole horizon (so a chart's axis stays put); months not yet
        reached are None.
        """
        total_days = -(-(self.end_tick - self.start_tick) // HOURS_PER_DAY)
        _s, days = self._counted(self.model)
        b = self.model.burn_in_days
        scen = self.model.daily_attempts.sum(axis=1)
        ref = self.ref_model.daily_attempts.sum(axis=1)
        out: dict[str, Any] = {"months": [], "scenario": [], "reference": [], "partial": []}
        for y, month, a, e in month_edges(total_days):
            out["months"].append(f"{self.scenario.start_year + y}-{month:02d}")
            if a >= days:
                out["scenario"].append(None)
                out["reference"].append(None)
                out["partial"].append(False)
                continue
            hi = min(e, days)
            out["scenario"].append(int(scen[b + a:b + hi].sum()))
            out["reference"].append(int(ref[b + a:b + hi].sum()))
            out["partial"].append(hi < e)
        return out

    def map_state(self) -> MapState:
        """Recent burglaries (fading), last week's patrol visits, wijk rates so far."""
        m = self.model
        now = m.tick
        recent = []
        for ev in reversed(m.events):  # appended in time order: stop at the first old one
            if ev[0] < now - FADE_HOURS or ev[0] < self.start_tick:
                break
            recent.append(ev)
        cells = np.array([e[1] for e in recent], dtype=np.int64)
        age = np.array([now - e[0] for e in recent], dtype=float)
        completed = np.array([bool(e[3]) for e in recent], dtype=bool)
        arrested = np.array([bool(e[4]) for e in recent], dtype=bool)
        since = max(now - VISIT_HOURS, self.start_tick)
        visits = {kind: m.home_cell[np.flatnonzero(m.last_visit[kind] >= since)]
                  for kind in (BOA, WIJKAGENT, TEAM)}
        s, days = self._counted(m)
        per_wijk = m.daily_attempts[s].sum(axis=0).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.households_per_wijk > 0,
                            per_wijk / self.households_per_wijk * 1000.0, np.nan)
        rate = rate / max(days / DAYS_PER_YEAR, 1 / 52) if days else np.zeros_like(rate)
        return MapState(cells, age, completed, arrested, visits, rate)

    def cell_xy(self, cells: np.ndarray) -> np.ndarray:
        """Grid cells -> map coordinates: RD New metres with outlines, else cell units."""
        row, col = np.divmod(np.asarray(cells, dtype=np.int64), self.cols)
        s = self.city.cell_size_m
        if self.city.origin_rd is not None:
            x0, y_top = self.city.origin_rd
            return np.column_stack([x0 + (col + 0.5) * s, y_top - (row + 0.5) * s])
        return np.column_stack([col + 0.5, -(row + 0.5)])


# ---- the Mesa model SolaraViz steps ----------------------------------------------------------
class CouncilModel(Model):
    """The live page's model: one step is one simulated week of the scenario and its reference.

    Every argument has a default, so SolaraViz can make a new one on Reset from the page's
    controls. Lever arguments left None keep the scenario's own values.

    Args:
        scenario_ref: a shipped scenario name or a path to a scenario file.
        boa_patrol_hours: boa hours per year on burglary patrol.
        team_fte: interventieteam FTE.
        team_years: years the interventieteam works, from its first year.
        regisseurs_per_gebied: wijkregisseurs per gebied.
        wijkagenten_fte: wijkagenten FTE.
        seed: the master seed (as ``sim run --seed``), a number or the text of the seed field.
    """

    def __init__(self, scenario_ref: str = REFERENCE, boa_patrol_hours: float | None = None,
                 team_fte: float | None = None, team_years: float | None = None,
                 regisseurs_per_gebied: float | None = None,
                 wijkagenten_fte: float | None = None, seed: int | str = DEFAULT_SEED):
        super().__init__(rng=0)
        self.scenario_ref = str(scenario_ref)
        self.message: Message | None = None
        self.pair: PairedRun | None = None
        self.levers: dict[str, Lever] = {}
        self.seed_text = str(seed)
        chosen = choose(scenario_ref)
        if isinstance(chosen, Message):
            self._fail(chosen)
            return
        self.levers = levers_of(chosen)
        try:
            master = parse_seed(seed)
            values = {"boa_patrol_hours": boa_patrol_hours, "team_fte": team_fte,
                      "team_years": team_years, "regisseurs_per_gebied": regisseurs_per_gebied,
                      "wijkagenten_fte": wijkagenten_fte}
            sc = apply_levers(chosen, values)
            extra = (sc.wijkagenten.fte - chosen.wijkagenten.fte) * WIJKAGENT_EUR_PER_FTE_YEAR
            self.pair = PairedRun(sc, reference_for(sc), master, extra, modified=sc is not chosen)
        except UserError as exc:
            self._fail(Message("error", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 — the page says so; the server keeps running
            self._fail(Message("error", f"internal error (a bug in Wijksim, please report it): "
                                        f"{type(exc).__name__}: {exc}"))
            return
        self.running = True

    def _fail(self, message: Message) -> None:
        self.message = message
        self.running = False

    def step(self) -> None:
        """Advance one simulated week (the last step may be shorter)."""
        if self.pair is None:
            self.running = False
            return
        self.pair.advance(HOURS_PER_STEP)
        self.running = not self.pair.done
