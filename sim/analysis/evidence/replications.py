"""Virtual replications of the studies the mechanisms rest on (``sim evidence``).

A mechanism's strength is never the published effect itself. Instead, the study the
mechanism rests on is run again inside the calibrated model and measured the way the
study measured it: which places or homes were compared, over which periods, and by which
statistic. The mechanism is right when that virtual study gives the published effect.
:func:`fit` searches a mechanism's parameter for the value where it does.

Each :class:`Study` names its mechanism, the published effect with its range, the design
of the virtual replication and the source (the key in ``docs/sources.md``). A *trial*
runs the model once for one replication seed and measures one or more studies:

* ``hotspot`` — Braga et al. 2019: extra patrol visits in randomly chosen half of the
  model's own hot spots, difference-in-differences against the other half;
* ``buurtpreventie`` — Akkermans & Vollaard 2015: buurtpreventie in randomly chosen half
  of the wijken from mid-year, difference-in-differences against the other half;
* ``hardening`` — Vollaard & van Ours 2011 as they measured it: a random share of the home
  cells is "built under the 1999 code" (all homes hardened from the start, assigned by
  construction year, not by choice), attempts and completions per household-year against
  the older homes;
* ``baseline`` — a plain baseline run, measured six ways: the Knox ratio (Johnson et al. 2007),
  the share of arrests made in the act and the dark-months ratio (Politie 2018), the
  Christmas-holiday ratio (IIC 2018), the night share (Politie-analisten 2014) and the
  concentration of burglary on 100 m cells (Lee et al. 2017).

A trial's randomisation (which hot spots, which wijken, which hours) draws from its own
generator seeded by the replication seed, so the model's own random streams stay those of
a plain run with the same seed (common random numbers). Trials are top-level functions
over picklable :class:`Task` objects, so they run through any executor.

The two difference-in-differences trials also run a same-seed *placebo* (the same
randomisation, no treatment): their control group must not move against it by more than
noise (``control_vs_placebo``), or the study is contaminated (displacement or a pool that
grows when fewer offenders are caught) and fails.

Each row is labelled ``independent`` or ``fitted``: fitted when its published figure set a
parameter (a calibration target of ``sim calibrate``, or the study that sets a mechanism's
strength), so agreement there is by construction; independent when nothing was fitted to
it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from sim.core.errors import UserError
from sim.model.agents import WIJKAGENT
from sim.model.clock import DAYS_PER_YEAR, HOURS_PER_DAY
from sim.model.metrics import (
    concentration,
    frequency_concentration,
    holiday_ratio,
    in_act_share,
    knox_ratio,
    night_share,
    rank_stability,
    seasonal_ratio,
)
from sim.model.model import EVENT_DTYPE, WijkModel
from sim.model.scenario import Scenario
from sim.runs.executors import InlineExecutor
from sim.runs.runner import cached_city, chunked, map_batches
from sim.runs.seeds import replication_seed

# ---- the published figures (source keys as in docs/sources.md) ----------------------------
#: Braga et al. 2019: hot-spot policing, crime in treated vs control hot spots (pooled
#: effect of the meta-analysis, about -16%; range of the main estimates).
BRAGA_2019 = (-0.16, -0.25, -0.07)
#: Vollaard & van Ours 2011: burglary risk of homes built under the 1999 building code
#: (burglary-resistant doors and windows) vs older homes.
VOLLAARD_VAN_OURS_2011 = (-0.26, -0.35, -0.17)
#: Akkermans & Vollaard 2015: WhatsApp buurtpreventie groups, burglaries per 1,000
#: inhabitants, difference-in-differences over 35 Tilburg neighbourhoods.
AKKERMANS_VOLLAARD_2015 = (-0.40, -0.50, -0.30)
#: Johnson et al. 2007: Knox ratio of burglary pairs within 200 m and 14 days.
JOHNSON_2007 = (1.7, 1.5, 2.0)
#: Politie 2018: share of arrests for woninginbraak made in the act.
POLITIE_2018_IN_ACT = (0.60, 0.50, 0.70)
#: Politie 2018: burglaries per day in the dark months (Nov–Feb) over those in Mar–Oct.
POLITIE_2018_DARK_MONTHS = (1.35, 1.35, 1.50)
#: IIC 2018: burglaries per day in the Christmas school holiday over the year's mean.
IIC_2018_HOLIDAY = (1.66, 1.4, 1.9)
#: Politie-analisten 2014: share of woninginbraken at night (22:00-06:00), 13%; the range
#: (10-16%) is an estimate, the source gives one national figure.
POLITIE_ANALISTEN_2014_NIGHT = (0.13, 0.10, 0.16)
#: Lee et al. 2017, "frequency" condition (places with at least one crime): the top 10% of
#: places hold 43% of the crime (the review's fitted curve); the range (33-53%) is an
#: estimate of the scatter of the reviewed studies around it.
LEE_2017_FREQUENCY = (0.43, 0.33, 0.53)

# ---- the designs' own numbers ---------------------------------------------------------------
#: Hot spots: the model's top home cells by burglaries in the burn-in year.
HOT_SPOTS = 40
#: Koper's dosage in treated hot spots: visits a day, at distinct random hours in [10, 22):
#: a 10-15 minute visit about every two hours, as the Sacramento trial implemented Koper's
#: curve (Telep et al. 2014). A visit deters for its minutes, not its hour, so the dose
#: matters.
VISITS_PER_DAY = 6
VISIT_HOURS = (10, 22)
#: Catchment of a hot spot (diffusion or displacement), metres.
CATCHMENT_M = 200.0
#: Share of households in a buurtpreventie group in treated wijken (a stated assumption:
#: the study reports the groups' start, not their reach): 0.5, uncertain within 0.3-0.7
#: (an estimate). What the replication identifies is about coverage x deterrence, so
#: ``sim compare --parameter-draws`` draws the coverage from this range and scales the
#: fitted deterrence by 0.5 / coverage.
STUDY_COVERAGE = 0.5
STUDY_COVERAGE_RANGE = (0.3, 0.7)
#: Vollaard & van Ours's natural experiment: share of home cells built under the 1999
#: code (all homes hardened), assigned at random; an estimate of the post-1999 share of
#: the housing stock (not found for Amstelveen, see docs/incapacitation.md).
NEW_BUILD_SHARE = 0.15
#: A control group "moves by more than noise" when its change against the same-seed
#: placebo is more than this many bootstrap standard errors from zero.
PLACEBO_Z = 2.0
#: Akkermans & Vollaard: the groups start in the middle of the study year; six months
#: before against six months after.
HALF_YEAR_DAYS = 182
#: Displacement check of the buurtpreventie trial: untreated homes within this distance of
#: a treated wijk's homes (the border zone) against the untreated homes farther away.
BORDER_M = 500.0
#: Counted years of each trial's run (after the burn-in).
TRIAL_YEARS = {"hotspot": 1.0, "buurtpreventie": 1.0, "baseline": 2.0, "hardening": 2.0}
#: Independent trials pooled in one replication. Braga et al. 2019 is a meta-analysis that
#: pools many trials; one virtual hot-spot trial (40 hot spots, one year) counts so few
#: burglaries that its effect is mostly Poisson noise, so a replication of the
#: meta-analysis pools several.
TRIALS_PER_REPLICATION = {"hotspot": 4, "buurtpreventie": 1, "baseline": 1, "hardening": 1}


@dataclass(frozen=True)
class Study:
    """A published study and the virtual replication of its design.

    ``published``, ``low`` and ``high`` are the published effect and its range; ``kind``
    says how to read them: ``"effect"`` (a relative change, -0.16 = -16%), ``"ratio"`` or
    ``"share"``. ``parameter`` is the scenario parameter of the mechanism (the one
    :func:`fit` searches), or None when the study checks the model without setting one.
    """

    key: str
    mechanism: str
    published: float
    low: float
    high: float
    design: str
    source: str
    trial: str
    kind: str = "effect"
    parameter: str | None = None
    #: "fitted" (the published figure set a parameter: ``role_note`` says which) or
    #: "independent" (nothing was fitted to it).
    role: str = "fitted"
    role_note: str = ""


STUDIES: dict[str, Study] = {s.key: s for s in (
    Study(
        "braga2019", "hot-spot patrol (patrol.deterrence_when_present)", *BRAGA_2019,
        design=(f"the model's top {HOT_SPOTS} home cells by burglaries in the burn-in year, "
                f"half randomised to treatment: {VISITS_PER_DAY} extra wijkagent visits a day "
                f"at random hours {VISIT_HOURS[0]}-{VISIT_HOURS[1]} h (Koper 1995) during "
                "the study year; effect = (T_post/T_pre)/(C_post/C_pre) - 1 of all "
                "burglaries (attempts included), pre = burn-in year, post = study year, "
                f"counts pooled over {TRIALS_PER_REPLICATION['hotspot']} independent trials "
                "per replication (the meta-analysis pools trials); "
                f"extra: the same for the catchments (home cells within {CATCHMENT_M:g} m, "
                "hot spots excluded; negative = diffusion of benefits)"),
        source="Braga et al. 2019", trial="hotspot", parameter="patrol.deterrence_when_present",
        role="independent",
        role_note="meant to set patrol.deterrence_when_present, but visits that deter for "
                  "their minutes give about -8% anywhere in 0.5-1.0, so the strength is a "
                  "prior and nothing was fitted to this figure"),
    Study(
        "vollaard_vanours2011", "target hardening (residents.hardened_attempt_fail_prob)",
        *VOLLAARD_VAN_OURS_2011,
        design=(f"a natural experiment as the study had it: {NEW_BUILD_SHARE:.0%} of the home "
                "cells, drawn at random, are built under the 1999 code (all homes hardened "
                "from the start: assigned by construction year, not by choice), the others "
                "are older homes as they are (hardened by their owners or not); effect = "
                "burglaries (attempts included) per household-year in the new homes over "
                "those in the older homes, minus 1, over 2 years; extra: the same for "
                "completed burglaries and for attempts (hardened homes are passed by)"),
        source="Vollaard & van Ours 2011", trial="hardening",
        parameter="residents.hardened_attempt_fail_prob",
        role_note="sets residents.hardened_attempt_fail_prob (avoidance and failure); the "
                  "completed-burglary effect is not fitted"),
    Study(
        "akkermans_vollaard2015", "buurtpreventie (wijkregisseur.buurtpreventie_deterrence)",
        *AKKERMANS_VOLLAARD_2015,
        design=("half the wijken randomised to treatment; from mid study year "
                f"{STUDY_COVERAGE:.0%} of their households in a buurtpreventie group (an "
                "assumption: the study reports groups, not their reach); effect = "
                "difference-in-differences of burglaries per 1,000 households, "
                f"(T_post/T_pre)/(C_post/C_pre) - 1, six months ({HALF_YEAR_DAYS} days) "
                "before against six months after; extras, the same DiD for displacement "
                f"(positive) or diffusion (negative): border_did, untreated homes within "
                f"{BORDER_M:g} m of a treated wijk against untreated homes farther away; "
                "adjacent_wijken_did, untreated wijken bordering a treated one against those "
                "that do not (n/a when every untreated wijk borders a treated one); "
                "control_vs_placebo, the control wijken against the same run without "
                "treatment (same seed), which must stay within noise"),
        source="Akkermans & Vollaard 2015", trial="buurtpreventie",
        parameter="wijkregisseur.buurtpreventie_deterrence",
        role_note="sets wijkregisseur.buurtpreventie_deterrence; its no-displacement finding "
                  "sets offenders.retry_after_abort_prob"),
    Study(
        "johnson2007", "near-repeat boost (near_repeat.boost_per_event)", *JOHNSON_2007,
        design="Knox ratio of a baseline run's burglaries (2 years): pairs within 200 m "
               "and 14 days, observed over expected",
        source="Johnson et al. 2007", trial="baseline", kind="ratio",
        role_note="calibration target knox_ratio (near_repeat.boost_per_event)"),
    Study(
        "politie2018_in_act", "caught in the act (residents.caught_in_act_prob)",
        *POLITIE_2018_IN_ACT,
        design="share of all arrests for woninginbraak made in the act, baseline run "
               "(2 years)",
        source="Politie 2018", trial="baseline", kind="share",
        role_note="calibration target in_act_share (residents.caught_in_act_prob)"),
    Study(
        "politie2018_dark_months", "dark months (offenders.dark_evening_multiplier)",
        *POLITIE_2018_DARK_MONTHS,
        design="burglaries per day in Nov-Feb over those in Mar-Oct, baseline run (2 years)",
        source="Politie 2018", trial="baseline", kind="ratio",
        role_note="calibration target seasonal_ratio (offenders.dark_evening_multiplier)"),
    Study(
        "iic2018_holiday", "Christmas holiday (residents.holiday_away_share)",
        *IIC_2018_HOLIDAY,
        design="burglaries per day in the Christmas school holiday (21 Dec - 3 Jan) over "
               "the year's mean per day, baseline run (2 years)",
        source="IIC 2018", trial="baseline", kind="ratio",
        role_note="calibration target holiday_ratio (in the fit, though no free parameter "
                  "moves it much)"),
    Study(
        "politie_analisten2014_night", "sleeping residents (residents.asleep_deterrence)",
        *POLITIE_ANALISTEN_2014_NIGHT,
        design="share of a baseline run's burglaries (2 years) that start between 22:00 "
               "and 06:00",
        source="Politie-analisten 2014", trial="baseline", kind="share",
        parameter="residents.asleep_deterrence",
        role_note="sets residents.asleep_deterrence; the activity profile is shaped after "
                  "the same source (13.6% of activity at night), so the share is partly "
                  "built in"),
    Study(
        "lee2017_concentration", "place heterogeneity (residents.place_sigma)",
        *LEE_2017_FREQUENCY,
        design="share of a baseline run's burglaries (2 years) in the top 10% of the 100 m "
               "home cells that had at least one (Lee et al.'s frequency condition); "
               "extras: the share in the top 5% of all home cells (prevalence), the same "
               "share when burglaries fall on homes by household count alone (chance, as "
               "Levin et al. 2017 simulate it), and the Spearman correlation of cells' "
               "counts in year 1 and year 2 (stability)",
        source="Lee et al. 2017", trial="baseline", kind="share",
        role_note="calibration target concentration (residents.place_sigma)"),
)}

#: The studies that set a mechanism's strength (``--fit``).
FITTABLE = tuple(k for k, s in STUDIES.items() if s.parameter is not None)


def check_keys(keys: Iterable[str], option: str = "--only") -> list[str]:
    """The study keys, checked (a :class:`UserError` names an unknown one)."""
    out = []
    for key in keys:
        if key not in STUDIES:
            raise UserError(f"unknown study '{key}'; known studies: {', '.join(STUDIES)}.",
                            field=option)
        if key not in out:
            out.append(key)
    return out


# ---- measurements ---------------------------------------------------------------------------
#: Counts behind a difference-in-differences: (T_pre, T_post, C_pre, C_post).
Counts = tuple[float, float, float, float]


@dataclass
class Measurement:
    """One replication's simulated effect of one study, and its secondary numbers.

    ``counts`` holds, for a difference-in-differences (the value under the name
    ``"value"``, an extra under its own name), the four counts behind it, so replications
    can be pooled the way a meta-analysis pools trials (see :func:`study_results`).
    """

    value: float
    extra: dict[str, float] = field(default_factory=dict)
    counts: dict[str, Counts] = field(default_factory=dict)


def did(t_pre: float, t_post: float, c_pre: float, c_post: float) -> float:
    """Difference-in-differences as a relative effect: (T_post/T_pre)/(C_post/C_pre) - 1."""
    if min(t_pre, c_pre, c_post) <= 0:
        return float("nan")
    return float((t_post / t_pre) / (c_post / c_pre) - 1.0)


def _did_measurement(pre: np.ndarray, post: np.ndarray, treated: np.ndarray,
                     control: np.ndarray, extras: dict[str, tuple[np.ndarray, np.ndarray]],
                     more: dict[str, float]) -> Measurement:
    """A DiD measurement of treated vs control, with DiD extras (name -> (T, C) masks)."""
    def counts(t: np.ndarray, c: np.ndarray) -> Counts:
        if not (t.any() and c.any()):
            return (float("nan"),) * 4
        return (float(pre[t].sum()), float(post[t].sum()), float(pre[c].sum()),
                float(post[c].sum()))

    all_counts = {"value": counts(treated, control)}
    all_counts.update({name: counts(t, c) for name, (t, c) in extras.items()})
    values = {name: did(*c) for name, c in all_counts.items()}
    extra = {name: values[name] for name in extras}
    extra.update(more)
    return Measurement(values["value"], extra, all_counts)


def _trial_rng(seed: int, trial: str) -> np.random.Generator:
    """The trial's own randomisation stream (the model's streams stay untouched)."""
    return np.random.default_rng([seed, sum(map(ord, trial))])


def _home_index(model: WijkModel) -> np.ndarray:
    """Grid cell -> home-cell index (-1 where no households)."""
    inv = np.full(int(model.home_cell.max()) + 1, -1, dtype=np.int64)
    inv[model.home_cell] = np.arange(model.n_homes)
    return inv


def _events(model: WijkModel) -> np.ndarray:
    """The run's events so far (absolute ticks, burn-in included)."""
    return np.array(model.events, dtype=EVENT_DTYPE)


def _day_counts(ev: np.ndarray, idx: np.ndarray, n: int, first_day: int,
                last_day: int) -> np.ndarray:
    """Events per index (home cell or wijk) with ``first_day <= day < last_day``."""
    day = ev["tick"] // HOURS_PER_DAY
    keep = (day >= first_day) & (day < last_day)
    return np.bincount(idx[keep], minlength=n)


def _scenario_for(scenario: Scenario, trial: str) -> Scenario:
    """The trial's horizon; the hot-spot trial needs a burn-in year (its pre period).

    The studies were made in other places and years, so their virtual replications run on
    the model's mechanisms without the city's drivers over time (``drivers.enabled``
    off: no dated offending, occupancy or hardening trend, no historical programmes).
    """
    update: dict[str, Any] = {"years": TRIAL_YEARS[trial],
                              "drivers": scenario.drivers.model_copy(update={"enabled": False})}
    if trial == "hotspot" and scenario.burn_in_years < 1:
        update["burn_in_years"] = 1.0
    return scenario.model_copy(update=update)


class HotSpotTrial:
    """Braga et al. 2019's design as a study hook (see :data:`STUDIES`).

    ``placebo``: the same randomisation, no extra visits (the same-seed comparison run).
    """

    def __init__(self, rng: np.random.Generator, placebo: bool = False):
        self.rng = rng
        self.placebo = placebo
        self.hot: np.ndarray | None = None
        self.treated = np.zeros(0, dtype=np.int64)

    def __call__(self, model: WijkModel, day: int):  # noqa: ANN204
        """From the first counted day: the treated hot spots' visits of ``day``."""
        if day < model.burn_in_days:
            return None
        if self.hot is None:  # the first counted day: pick the hot spots, randomise
            b = model.burn_in_days
            ev = _events(model)
            counts = _day_counts(ev, _home_index(model)[ev["cell"]], model.n_homes,
                                 b - DAYS_PER_YEAR, b)
            tie = self.rng.random(model.n_homes)  # ties broken at random
            self.hot = np.lexsort((tie, -counts))[:HOT_SPOTS]
            order = self.rng.permutation(self.hot.size)
            self.treated = self.hot[order[: self.hot.size // 2]]
        a, b = VISIT_HOURS
        n = self.treated.size
        hours = np.argsort(self.rng.random((n, b - a)), axis=1)[:, :VISITS_PER_DAY] + a
        if self.placebo:
            return None
        return (hours.ravel().astype(np.int64), np.repeat(self.treated, VISITS_PER_DAY),
                np.full(n * VISITS_PER_DAY, WIJKAGENT, dtype=np.int64))


def _placebo_counts(control: np.ndarray, pre: np.ndarray, post: np.ndarray,
                    placebo_pre: np.ndarray, placebo_post: np.ndarray) -> Counts:
    """Counts for the control group against the same-seed placebo run, as a DiD.

    Ordered so that :func:`did` gives (C_post / C_pre) / (C_post_placebo / C_pre_placebo)
    - 1: the control group's change caused by the treatment elsewhere (zero without
    displacement or contamination; the pre periods are the same run until treatment).
    """
    return (float(pre[control].sum()), float(post[control].sum()),
            float(placebo_pre[control].sum()), float(placebo_post[control].sum()))


def _cell_periods(model: WijkModel, first: int, mid: int, end: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Events per home cell in [first, mid) and [mid, end) (days)."""
    ev = _events(model)
    idx = _home_index(model)[ev["cell"]]
    return (_day_counts(ev, idx, model.n_homes, first, mid),
            _day_counts(ev, idx, model.n_homes, mid, end))


def hotspot_trial(scenario: Scenario, seed: int) -> dict[str, Measurement]:
    """Braga et al. 2019: randomised extra patrol in the model's own hot spots."""
    sc = _scenario_for(scenario, "hotspot")
    runs = {}
    for placebo in (False, True):
        hook = HotSpotTrial(_trial_rng(seed, "hotspot"), placebo=placebo)
        model = WijkModel(sc, cached_city(sc.city), seed=seed, study=hook)
        model.run_for(model.n_ticks)
        b = model.burn_in_days
        runs[placebo] = (hook, model, *_cell_periods(model, b - DAYS_PER_YEAR, b,
                                                     b + DAYS_PER_YEAR))
    hook, model, pre, post = runs[False]
    hot = np.zeros(model.n_homes, dtype=bool)
    hot[hook.hot] = True
    treated = np.zeros(model.n_homes, dtype=bool)
    treated[hook.treated] = True
    control = hot & ~treated
    tree = cKDTree(model.home_xy)
    near_t = np.zeros(model.n_homes, dtype=bool)
    near_c = np.zeros(model.n_homes, dtype=bool)
    for cells, mask in ((np.flatnonzero(treated), near_t), (np.flatnonzero(control), near_c)):
        for hits in tree.query_ball_point(model.home_xy[cells], CATCHMENT_M + 1e-6):
            mask[hits] = True
    near_t &= ~hot
    near_c &= ~hot & ~near_t  # cells near both belong to the treated catchment
    m = _did_measurement(pre, post, treated, control, {"catchment_did": (near_t, near_c)}, {})
    _add_placebo(m, _placebo_counts(control | near_c, pre, post, *runs[True][2:]))
    return {"braga2019": m}


def _add_placebo(m: Measurement, counts: Counts) -> None:
    """Record the control group's change against the placebo (see :func:`_placebo_counts`)."""
    m.counts["control_vs_placebo"] = counts
    m.extra["control_vs_placebo"] = did(*counts)


class BuurtpreventieTrial:
    """Akkermans & Vollaard 2015's design as a study hook (see :data:`STUDIES`).

    ``placebo``: the same randomisation, no groups (the same-seed comparison run).
    """

    def __init__(self, rng: np.random.Generator, placebo: bool = False,
                 coverage: float = STUDY_COVERAGE):
        self.rng = rng
        self.placebo = placebo
        self.coverage = coverage
        self.treated_wijken: np.ndarray | None = None
        self.cells = np.zeros(0, dtype=np.int64)

    def __call__(self, model: WijkModel, day: int) -> None:
        """From mid study year: the treated wijken's households in buurtpreventie groups."""
        b = model.burn_in_days
        if day < b:
            return None
        if self.treated_wijken is None:
            n = model.city.n_wijken
            self.treated_wijken = np.sort(self.rng.permutation(n)[: n // 2])
            self.cells = np.flatnonzero(np.isin(model.wijk, self.treated_wijken))
        if day >= b + HALF_YEAR_DAYS and not self.placebo:
            model.residents.buurtpreventie[self.cells] = self.coverage
        return None


def buurtpreventie_trial(scenario: Scenario, seed: int) -> dict[str, Measurement]:
    """Akkermans & Vollaard 2015: buurtpreventie groups in half the wijken from mid-year."""
    sc = _scenario_for(scenario, "buurtpreventie")
    n = cached_city(sc.city).n_wijken
    runs = {}
    for placebo in (False, True):
        hook = BuurtpreventieTrial(_trial_rng(seed, "buurtpreventie"), placebo=placebo)
        model = WijkModel(sc, cached_city(sc.city), seed=seed, study=hook)
        model.run_for(model.n_ticks)
        b, h = model.burn_in_days, HALF_YEAR_DAYS
        ev = _events(model)
        wijk = ev["wijk"].astype(np.int64)
        runs[placebo] = (hook, model, ev, _day_counts(ev, wijk, n, b, b + h),
                         _day_counts(ev, wijk, n, b + h, b + 2 * h))
    hook, model, ev, pre, post = runs[False]
    treated = np.zeros(n, dtype=bool)
    treated[hook.treated_wijken] = True
    adjacent = model.city.wijk_adjacency()[treated].any(axis=0) & ~treated
    far = ~treated & ~adjacent

    # displacement check: untreated home cells near a treated wijk against the others
    home_treated = treated[model.wijk]
    tree = cKDTree(model.home_xy[home_treated])
    dist, _ = tree.query(model.home_xy[~home_treated])
    border = np.zeros(model.n_homes, dtype=bool)
    border[np.flatnonzero(~home_treated)[dist <= BORDER_M]] = True
    inner = ~home_treated & ~border
    hh = np.bincount(model.wijk, weights=model.households, minlength=n)
    per_1000 = {f"{name}_{when}_per_1000": float(c[m].sum() / hh[m].sum() * 1000)
                for name, m in (("treated", treated), ("control", ~treated))
                for when, c in (("pre", pre), ("post", post))}
    cell = _home_index(model)[ev["cell"]]
    cell_pre = _day_counts(ev, cell, model.n_homes, b, b + h)
    cell_post = _day_counts(ev, cell, model.n_homes, b + h, b + 2 * h)
    m = _did_measurement(pre, post, treated, ~treated,
                         {"adjacent_wijken_did": (adjacent, far)}, per_1000)
    border_m = _did_measurement(cell_pre, cell_post, border, inner, {}, {})
    m.extra["border_did"] = border_m.value
    m.counts["border_did"] = border_m.counts["value"]
    _add_placebo(m, _placebo_counts(~treated, pre, post, *runs[True][3:]))
    return {"akkermans_vollaard2015": m}


class NewBuildTrial:
    """Vollaard & van Ours 2011's natural experiment as a study hook (see :data:`STUDIES`).

    On the first day a random :data:`NEW_BUILD_SHARE` of the home cells becomes "built
    under the 1999 code": all their homes hardened, for good. Records household-days of
    new and older homes in the counted period.
    """

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.new: np.ndarray | None = None
        self.days_new = 0.0
        self.days_old = 0.0

    def __call__(self, model: WijkModel, day: int) -> None:
        """Day 0: assign by construction year; every counted day: add the exposure."""
        if self.new is None:
            self.new = self.rng.random(model.n_homes) < NEW_BUILD_SHARE
        model.residents.hardened[self.new] = 1.0
        if day >= model.burn_in_days:
            self.days_new += float(model.households[self.new].sum())
            self.days_old += float(model.households[~self.new].sum())
        return None


def hardening_trial(scenario: Scenario, seed: int) -> dict[str, Measurement]:
    """Vollaard & van Ours 2011: homes built under the 1999 code against older homes."""
    sc = _scenario_for(scenario, "hardening")
    hook = NewBuildTrial(_trial_rng(seed, "hardening"))
    model = WijkModel(sc, cached_city(sc.city), seed=seed, study=hook)
    out = model.run()
    ev = out.events
    new_event = hook.new[_home_index(model)[ev["cell"]]]

    def risk_ratio(m: np.ndarray) -> float:
        n_new, n_old = int((m & new_event).sum()), int((m & ~new_event).sum())
        if n_old == 0 or hook.days_new <= 0:
            return float("nan")
        return (n_new / hook.days_new) / (n_old / hook.days_old) - 1.0

    every = np.ones(ev.size, dtype=bool)
    return {"vollaard_vanours2011": Measurement(risk_ratio(every), {
        "completed_rr_minus_1": risk_ratio(ev["completed"]),
        "failed_attempts_rr_minus_1": risk_ratio(~ev["completed"]),
        "new_build_share": hook.days_new / (hook.days_new + hook.days_old),
    })}


def baseline_trial(scenario: Scenario, seed: int) -> dict[str, Measurement]:
    """A baseline run, measured as the baseline studies measured (see :data:`STUDIES`)."""
    sc = _scenario_for(scenario, "baseline")
    model = WijkModel(sc, cached_city(sc.city), seed=seed)
    out = model.run()
    ev = out.events
    daily = out.attempts.sum(axis=1)
    return {
        "johnson2007": Measurement(knox_ratio(ev["tick"], out.cell_xy[ev["cell"]])),
        "politie2018_in_act": Measurement(in_act_share(out)),
        "politie2018_dark_months": Measurement(seasonal_ratio(daily)),
        "iic2018_holiday": Measurement(holiday_ratio(daily)),
        "politie_analisten2014_night": Measurement(night_share(ev["tick"])),
        "lee2017_concentration": _concentration_measurement(ev, out.home_cells,
                                                            model.households, seed),
    }


def _concentration_measurement(ev: np.ndarray, home_cells: np.ndarray,
                               households: np.ndarray, seed: int) -> Measurement:
    """Lee et al.'s frequency concentration, with prevalence, chance and stability."""
    rng = _trial_rng(seed, "concentration")
    share = households.astype(float) / households.sum()
    chance = []
    for _ in range(20):  # burglaries on homes by household count alone
        counts = rng.multinomial(ev.size, share)
        chance.append(concentration(np.repeat(home_cells, counts), home_cells))
    return Measurement(frequency_concentration(ev["cell"], home_cells), {
        "prevalence_top5": concentration(ev["cell"], home_cells),
        "prevalence_top5_chance": float(np.mean(chance)) if ev.size else float("nan"),
        "rank_stability": rank_stability(ev, home_cells),
    })


TRIALS: dict[str, Callable[[Scenario, int], dict[str, Measurement]]] = {
    "hotspot": hotspot_trial,
    "buurtpreventie": buurtpreventie_trial,
    "baseline": baseline_trial,
    "hardening": hardening_trial,
}


# ---- running replications through the executor seam ----------------------------------------
@dataclass
class Task:
    """One trial of one replication (picklable: travels to any executor)."""

    trial: str
    scenario: Scenario
    master_seed: int
    replication: int
    tag: Any = None  # e.g. the parameter value of a fit
    part: int = 0  # which of the replication's pooled trials (TRIALS_PER_REPLICATION)


@dataclass
class TaskResult:
    """What one task measured (study key -> measurement)."""

    trial: str
    replication: int
    tag: Any
    measurements: dict[str, Measurement]
    part: int = 0


def trial_seed(master_seed: int, replication: int, part: int = 0) -> int:
    """The run seed of one trial: the replication's seed (part 0), or one derived from it."""
    seed = replication_seed(master_seed, replication)
    return seed if part == 0 else replication_seed(seed, part)


def replication_tasks(trial: str, scenario: Scenario, master_seed: int, replication: int,
                      tag: Any = None) -> list[Task]:
    """The tasks of one replication of ``trial`` (one per pooled trial)."""
    return [Task(trial, scenario, master_seed, replication, tag, k)
            for k in range(TRIALS_PER_REPLICATION[trial])]


def run_task(task: Task) -> TaskResult:
    """Run one task in this process."""
    seed = trial_seed(task.master_seed, task.replication, task.part)
    return TaskResult(task.trial, task.replication, task.tag,
                      TRIALS[task.trial](task.scenario, seed), task.part)


def run_tasks(tasks: list[Task]) -> list[TaskResult]:
    """Run a batch of tasks (the function the executor runs)."""
    return [run_task(t) for t in tasks]


def execute_tasks(tasks: list[Task], executor: Executor | None = None,
                  on_result: Callable[[TaskResult], None] | None = None) -> list[TaskResult]:
    """Run tasks through ``executor`` (default: in this process); results in task order."""
    results: list[TaskResult] = []

    def collect(res: TaskResult) -> None:
        results.append(res)
        if on_result is not None:
            on_result(res)

    map_batches(executor or InlineExecutor(), run_tasks, chunked(tasks, 1), collect)
    order = {(t.trial, t.replication, repr(t.tag), t.part): i for i, t in enumerate(tasks)}
    return sorted(results, key=lambda r: order[(r.trial, r.replication, repr(r.tag), r.part)])


# ---- results --------------------------------------------------------------------------------
#: The interval over replications: the 5th and 95th percentiles.
INTERVAL = (0.05, 0.95)
#: Bootstrap resamples (over replications) for the standard error of the estimate.
BOOTSTRAP = 400


def summarise(values: Iterable[float]) -> tuple[float, float, float]:
    """Mean and the 90% interval (5th-95th percentile) over replications, NaN ignored."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    lo, hi = np.quantile(v, INTERVAL)
    return float(v.mean()), float(lo), float(hi)


def pooled(counts: list[Counts]) -> float:
    """DiD of the counts summed over replications (replications without a value left out)."""
    c = np.asarray([x for x in counts if np.all(np.isfinite(x))], dtype=float).reshape(-1, 4)
    return did(*c.sum(axis=0)) if c.size else float("nan")


def estimate(ms: list[Measurement], name: str = "value") -> float:
    """The study's estimate over replications: pooled counts for a DiD, else the mean."""
    if ms and name in ms[0].counts:
        return pooled([m.counts[name] for m in ms])
    vals = [m.value if name == "value" else m.extra.get(name, float("nan")) for m in ms]
    return summarise(vals)[0]


def merge(parts: list[Measurement]) -> Measurement:
    """One replication's measurement from its pooled trials: counts summed, the rest averaged."""
    if len(parts) == 1:
        return parts[0]
    counts: dict[str, Counts] = {}
    for name in parts[0].counts:
        c = [m.counts[name] for m in parts if np.all(np.isfinite(m.counts[name]))]
        counts[name] = (tuple(float(v) for v in np.sum(c, axis=0)) if c
                        else (float("nan"),) * 4)
    extra = {n: (did(*counts[n]) if n in counts
                 else summarise(m.extra.get(n, float("nan")) for m in parts)[0])
             for n in parts[0].extra}
    value = (did(*counts["value"]) if "value" in counts
             else summarise(m.value for m in parts)[0])
    return Measurement(value, extra, counts)


def bootstrap_se(ms: list[Measurement], seed: int = 0, name: str = "value") -> float:
    """Standard error of :func:`estimate`, by resampling replications (NaN below 2)."""
    if len(ms) < 2:
        return float("nan")
    rng = np.random.default_rng(seed)
    draws = [estimate([ms[i] for i in rng.integers(0, len(ms), len(ms))], name)
             for _ in range(BOOTSTRAP)]
    d = np.asarray(draws, dtype=float)
    d = d[np.isfinite(d)]
    return float(d.std(ddof=1)) if d.size > 1 else float("nan")


@dataclass
class StudyResult:
    """One row of ``sim evidence``.

    ``simulated`` is the estimate over all replications (for a difference-in-differences
    the counts are pooled, as a meta-analysis pools trials; otherwise the mean); ``low``
    and ``high`` are the 5th and 95th percentiles of the single replications' values (the
    spread of one virtual study); ``se`` is the bootstrap standard error of ``simulated``.
    """

    study: Study
    values: list[float]  # per replication
    simulated: float
    low: float
    high: float
    se: float
    extra: dict[str, float]
    placebo_se: float = float("nan")  # bootstrap se of extra["control_vs_placebo"]

    @property
    def clean(self) -> bool:
        """The control group moved against the same-seed placebo by no more than noise.

        True for studies without a placebo; with one, ``|control_vs_placebo|`` must be
        within :data:`PLACEBO_Z` bootstrap standard errors of zero (a single replication
        has no standard error and is taken as clean only when the change is exactly 0).
        """
        x = self.extra.get("control_vs_placebo")
        if x is None or not np.isfinite(x):
            return True
        se = self.placebo_se if np.isfinite(self.placebo_se) else 0.0
        return bool(abs(x) <= PLACEBO_Z * se)

    @property
    def within(self) -> bool:
        """The simulated effect lies within the published range (and controls are clean)."""
        s = self.study
        return bool(np.isfinite(self.simulated) and s.low <= self.simulated <= s.high
                    and self.clean)

    def as_dict(self) -> dict[str, Any]:
        """The JSON row."""
        s = self.study
        return {"study": s.key, "mechanism": s.mechanism, "published": s.published,
                "published_low": s.low, "published_high": s.high,
                "simulated": self.simulated, "low": self.low, "high": self.high,
                "within": self.within, "se": self.se, "kind": s.kind, "design": s.design,
                "source": s.source, "parameter": s.parameter,
                "role": s.role, "role_note": s.role_note, "controls_clean": self.clean,
                "control_vs_placebo_se": (self.placebo_se if np.isfinite(self.placebo_se)
                                          else None),
                "replications": len(self.values),
                "trials_per_replication": TRIALS_PER_REPLICATION[s.trial],
                "values": self.values, "extra": self.extra}


def study_results(keys: list[str], results: list[TaskResult]) -> list[StudyResult]:
    """Aggregate the replications of each study (see :class:`StudyResult`)."""
    rows = []
    for key in keys:
        by_rep: dict[Any, list[Measurement]] = {}
        for r in results:
            if key in r.measurements:
                by_rep.setdefault((r.replication, repr(r.tag)), []).append(r.measurements[key])
        ms = [merge(parts) for parts in by_rep.values()]
        values = [m.value for m in ms]
        _, lo, hi = summarise(values)
        names = list(ms[0].extra) if ms else []
        extra = {n: estimate(ms, n) for n in names}
        placebo_se = (bootstrap_se(ms, name="control_vs_placebo")
                      if "control_vs_placebo" in names else float("nan"))
        rows.append(StudyResult(STUDIES[key], values, estimate(ms), lo, hi, bootstrap_se(ms),
                                extra, placebo_se))
    return rows


def evidence_tasks(keys: list[str], scenario: Scenario, replications: int,
                   master_seed: int) -> list[Task]:
    """The tasks for ``keys``: one trial run per replication for each trial they need."""
    trials = list(dict.fromkeys(STUDIES[k].trial for k in keys))
    return [task for t in trials for r in range(replications)
            for task in replication_tasks(t, scenario, master_seed, r)]


def run_evidence(keys: list[str], scenario: Scenario, replications: int, master_seed: int,
                 executor: Executor | None = None,
                 on_result: Callable[[TaskResult], None] | None = None) -> list[StudyResult]:
    """Run the virtual studies ``keys`` and aggregate them (one row per study)."""
    keys = check_keys(keys)
    tasks = evidence_tasks(keys, scenario, replications, master_seed)
    return study_results(keys, execute_tasks(tasks, executor, on_result))


# ---- fitting a mechanism's strength -----------------------------------------------------------
#: Evaluation = (parameter value, simulated, 5th percentile, 95th percentile, se).
Evaluation = tuple[float, float, float, float, float]
#: Least standard error assumed for an evaluation in the line fit (a deterministic end,
#: such as burglary-proof homes, must not take all the weight).
SE_FLOOR = 0.01


def line_root(evaluations: list[Evaluation], target: float) -> tuple[float, float]:
    """Where the weighted least-squares line through the evaluations meets ``target``.

    Weights are 1/se^2; returns (value, its standard error from the line's covariance),
    NaN when the line is flat or undetermined.
    """
    e = np.array([v for v in evaluations if np.isfinite(v[1])], dtype=float).reshape(-1, 5)
    if e.shape[0] < 2 or np.ptp(e[:, 0]) == 0:
        return float("nan"), float("nan")
    x, y = e[:, 0], e[:, 1]
    w = 1.0 / (np.nan_to_num(e[:, 4], nan=1.0) ** 2 + SE_FLOOR**2)
    design = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    icpt, slope = cov @ design.T @ (w * y)
    if slope == 0:
        return float("nan"), float("nan")
    root = (target - icpt) / slope
    g = np.array([1.0, root])
    return float(root), float(np.sqrt(g @ cov @ g) / abs(slope))


@dataclass
class FitResult:
    """The parameter value whose virtual study gives the published effect.

    ``evaluations`` lists every candidate (see :data:`Evaluation` and
    :class:`StudyResult`). ``value`` is where the weighted line through them meets the
    published effect; ``value_se`` its standard error (how far the replications pin the
    value down). ``reachable`` is False when the ends of [0, 1] do not bracket it.
    """

    study: Study
    parameter: str
    value: float
    value_se: float
    reachable: bool
    evaluations: list[Evaluation]
    replications: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"study": self.study.key, "parameter": self.parameter, "value": self.value,
                "value_se": self.value_se, "published": self.study.published,
                "reachable": self.reachable, "replications": self.replications,
                "evaluations": [{"value": x, "simulated": m, "low": lo, "high": hi, "se": se}
                                for x, m, lo, hi, se in self.evaluations]}


def fit(key: str, scenario: Scenario, replications: int, master_seed: int,
        executor: Executor | None = None, max_evaluations: int = 8, tolerance: float = 0.005,
        on_evaluation: Callable[[float, StudyResult], None] | None = None) -> FitResult:
    """Search the mechanism's parameter on [0, 1] for the published effect.

    Every candidate runs the same master seed and replications (common random numbers).
    The effect is taken to move monotonically with the parameter. The two ends are
    evaluated first; when they do not bracket the published effect it is out of reach.
    Then the Illinois variant of regula falsi places candidates in the shrinking bracket
    until one is within ``tolerance`` of the published effect or ``max_evaluations`` are
    spent. The simulated effects are noisy, so the value is not the last candidate but
    where the weighted least-squares line through all candidates meets the published
    effect (:func:`line_root`), clipped to [0, 1].
    """
    (key,) = check_keys([key], "--fit")
    study = STUDIES[key]
    if study.parameter is None:
        raise UserError(f"study '{key}' sets no mechanism's strength; --fit takes one of: "
                        f"{', '.join(FITTABLE)}.", field="--fit")
    target = study.published
    evaluations: list[Evaluation] = []

    def f(x: float) -> float:
        sc = scenario.with_overrides({study.parameter: float(x)})
        tasks = [task for r in range(replications)
                 for task in replication_tasks(study.trial, sc, master_seed, r, x)]
        res = study_results([key], execute_tasks(tasks, executor))[0]
        evaluations.append((float(x), res.simulated, res.low, res.high, res.se))
        if on_evaluation is not None:
            on_evaluation(float(x), res)
        return res.simulated - target

    a, b = 0.0, 1.0
    fa, fb = f(a), f(b)
    if not (np.isfinite(fa) and np.isfinite(fb)) or fa * fb > 0:
        return FitResult(study, study.parameter, float("nan"), float("nan"), False,
                         evaluations, replications)
    fx = min(fa, fb, key=abs)
    side = 0
    while len(evaluations) < max_evaluations and abs(fx) > tolerance:
        x = (a * fb - b * fa) / (fb - fa)
        fx = f(x)
        if not np.isfinite(fx):
            break
        if fx * fb > 0:  # the root lies between a and x
            b, fb = x, fx
            if side == -1:
                fa /= 2  # Illinois: the stale end's weight halves, so the bracket shrinks
            side = -1
        else:
            a, fa = x, fx
            if side == 1:
                fb /= 2
            side = 1
    value, value_se = line_root(evaluations, target)
    return FitResult(study, study.parameter, float(np.clip(value, 0.0, 1.0)), value_se, True,
                     evaluations, replications)
