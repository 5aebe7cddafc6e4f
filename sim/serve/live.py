"""The live view's model: a scenario and its reference run side by side, a week at a time.

:class:`PairedRun` runs two :class:`~sim.model.model.WijkModel` with the same seed (common
random numbers): the chosen scenario, with the page's capacity levers applied, and the
reference (``baseline``, on the same horizon). Its counts are read from the models' own
state, so the totals after the whole horizon are exactly those of ``sim run`` with the same
scenario and seed (replication 0). The burn-in runs when the pair is made, so the page
starts on 1 January of the first counted year.

The page steps it through :class:`~sim.serve.council.CouncilModel` (one step, one week).
A scenario that cannot be loaded never raises: :func:`choose` returns a :class:`Message`,
so the page can say what is wrong and the server keeps running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.compare.metrics import LEVEL, mean_ci, month_edges
from sim.core.errors import UserError
from sim.model.clock import DAYS_PER_YEAR, HOURS_PER_DAY
from sim.model.model import BOA, TEAM, WIJKAGENT, WijkModel
from sim.model.scenario import Scenario, known_scenarios, load_scenario
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
#: Weeks before the page judges whether burglaries were prevented (a paired interval).
MIN_WEEKS = 8


@dataclass(frozen=True)
class Message:
    """Something the page must say instead of running: ``kind`` is "error" or "info".

    ``text`` is Dutch (the page's language), ``text_en`` English (the same when empty).
    """

    kind: str
    text: str
    text_en: str = ""

    def say(self, lang: str) -> str:
        """The message in ``lang``."""
        return self.text_en if lang == "en" and self.text_en else self.text


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
    """A shipped scenario name, or the file given on the command line; a Message if it fails.

    The page passes only shipped names (its picker); a path comes only from ``sim serve``'s
    argument, never from the browser (uploads: :mod:`sim.serve.upload`). Never raises.
    """
    try:
        sc = load_scenario(str(ref).strip())
        cached_city(sc.city)  # the city's data is checked here too
        return sc
    except UserError as exc:
        return Message("error", f"Dit scenario kan niet worden gestart: {exc}", str(exc))
    except Exception as exc:  # noqa: BLE001 — a page must not fall over on any file
        return Message("error", f"{ref}: kan niet als scenario worden gelezen "
                                f"({type(exc).__name__}).",
                       f"{ref}: cannot be read as a scenario ({type(exc).__name__}).")


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
    #: 90% interval of ``prevented`` from the paired weekly differences (None: too few weeks)
    prevented_interval: tuple[float, float] | None = None

    @property
    def prevented(self) -> int:
        """Burglaries prevented so far: the reference's minus the scenario's."""
        return self.reference_woninginbraken - self.woninginbraken

    @property
    def proven(self) -> bool:
        """The report's rule: an effect only when the paired 90% interval lies above zero."""
        return self.prevented_interval is not None and self.prevented_interval[0] > 0

    @property
    def proven_more(self) -> bool:
        """More burglaries than the reference: the paired interval lies below zero."""
        return self.prevented_interval is not None and self.prevented_interval[1] < 0

    @property
    def cost_per_prevented_eur(self) -> float | None:
        """Cost so far per burglary prevented so far; None until the effect is proven."""
        return self.cost_eur / self.prevented if self.proven and self.prevented > 0 else None


def prevented_interval(weekly_prevented: np.ndarray) -> tuple[float, float] | None:
    """90% interval of the total prevented from paired weekly differences (reference - scenario).

    Each week is one paired observation (the same random numbers in both runs); the total's
    interval is the number of weeks times the Student-t interval of their mean, as the
    report's key table does over replications. None with fewer than :data:`MIN_WEEKS` weeks.
    Weeks are treated as independent: an approximation (near repeats link adjacent weeks).
    """
    n = len(weekly_prevented)
    if n < MIN_WEEKS:
        return None
    _mean, lo, hi = mean_ci(np.asarray(weekly_prevented, dtype=float)[:, None], LEVEL)
    return float(lo[0] * n), float(hi[0] * n)


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
        weeks = days // 7
        daily = (r.daily_attempts[s].sum(axis=1) - m.daily_attempts[s].sum(axis=1))[:weeks * 7]
        return Totals(
            days=days, woninginbraken=total,
            reference_woninginbraken=int(r.daily_attempts[s].sum()),
            completed=int(m.daily_completed[s].sum()), arrests=arrests,
            reference_arrests=ref_arrests, cost_eur=cost,
            per_year={"woninginbraken": total / years, "arrests": arrests / years},
            prevented_interval=prevented_interval(daily.reshape(weeks, 7).sum(axis=1)),
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


