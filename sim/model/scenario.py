"""Scenario schema: the model's parameters as validated, documented objects.

A scenario is a TOML file in ``scenarios/``. It may ``extends`` another scenario (by name
or path) and override a few values. The city's calibrated values
(``calibration/<city>/calibrated.toml``) sit between the schema defaults and the scenario
files. Parameter names carry their unit; every default names its source or says
"estimate" (a guess to be calibrated or replaced by data).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.core.errors import UserError
from sim.core.paths import SCENARIOS
from sim.core.textio import read_toml

HOURS_PER_FTE_YEAR = 1406  # productive hours per FTE per year — Amstelveen 2023

#: A name that becomes part of a folder or run id: 1-64 lowercase letters, digits, - and _.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
SLUG_HELP = ("a slug: 1 to 64 lowercase letters, digits, '-' or '_', starting with a letter or "
             "digit (it names folders, so no '/', '..' or spaces)")
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
#: The longest horizon a run may have (years).
MAX_YEARS = 50
#: How many files an ``extends`` chain may have.
MAX_EXTENDS_DEPTH = 16

#: Bounds every scenario value must respect: wide enough for any Dutch gemeente and any
#: plausible policy, narrow enough that a run stays finite in memory and time.
MAX_OFFENDERS = 5_000
MAX_FTE = 1_000


def P(default: Any, unit: str, lo: float | None = None, hi: float | None = None, *,
      source: str = "estimate", gt: float | None = None) -> Any:
    """A documented parameter: default, unit, bounds (``lo <= x <= hi``, or ``x > gt``), source.

    ``source`` names where the default comes from, or says "estimate" (a guess to be
    calibrated or replaced by data). Unit and source are kept in the JSON schema
    (``json_schema_extra``) for the parameter tables of ``docs/ODD.md``.
    """
    return Field(default, ge=lo, le=hi, gt=gt,
                 json_schema_extra={"unit": unit, "source": source})


def _hourly(values: list[float], unit: str, hi: float, source: str) -> Any:
    return Field(default=values, min_length=24, max_length=24,
                 json_schema_extra={"unit": unit, "source": source, "item_bounds": [0, hi]})


Share = Annotated[float, Field(ge=0.0, le=1.0)]
Multiplier = Annotated[float, Field(ge=0.0, le=10.0)]


class Section(BaseModel):
    """Base for scenario sections: unknown fields and non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Offenders(Section):
    """The pool of active burglars."""

    # The pool: the gemeente's woninginbraken a year (402 in 2017) over a prior of 5 (3-10)
    # burglaries a year per active offender within the gemeente (criminal-career
    # literature, Blumstein et al. 1986; no Dutch figure); checked against the registered
    # suspects (CBS: 0.09 suspects per woninginbraak, 2012 and 2021, so about 37 a year in
    # Amstelveen) and the arrests (Politie A-A: 0.07 per woninginbraak, 2016-2017). See
    # docs/incapacitation.md.
    active_offenders: int = P(80, "offenders", 0, MAX_OFFENDERS,
                              source="402 woninginbraken (2017) / prior 5 (3-10) burglaries per "
                                     "offender-year (Blumstein et al. 1986): 80 (40-135); "
                                     "docs/incapacitation.md")
    local_share: float = P(0.6, "fraction", 0, 1, source="estimate; most burglars live nearby "
                           "(Bernasco & Nieuwbeerta 2005)")
    outings_per_offender_day: float = P(0.055, "outings per offender per day", 0, 5,
                                        source="estimate; fitted by `sim calibrate`")
    journey_decay_km: float = P(1.5, "km", 0.05, 50, source="Bernasco & Nieuwbeerta 2005 "
                                "(estimate): distance decay scale")
    sentence_days: float = P(120, "days", 1, 3650,
                             source="prior 120 (range 60–180) days removed after an arrest, below "
                                    "the OM 2015R033 starting demand of 6 months")
    replacement_days: float = P(
        365, "days", 1, 3650,
        source="prior 365 (range 180–730) days: two-year ISD terms for prolific offenders cut "
               "burglary and theft from cars by about a quarter in the cities that used them "
               "(Vollaard 2013), so a removed offender's place stays largely empty for years "
               "rather than weeks; the range is an estimate")
    # A deterred outing (patrol, buurtpreventie, a hardened home passed by) tries one other
    # target with this probability and otherwise ends; set so that the buurtpreventie
    # replication shows what Akkermans & Vollaard 2015 found next door: no displacement.
    # At 0.3 the control wijken of the buurtpreventie replication rose +18% against a
    # same-seed placebo (displacement the study did not find); at 0 they moved -2% (within
    # noise). The line through the two meets zero at 0.03 (seed 11, 4 replications).
    retry_after_abort_prob: float = P(
        0.03, "probability", 0, 1,
        source="set by the virtual replication of Akkermans & Vollaard 2015 (sim evidence): "
               "its control wijken must not move against a same-seed placebo (the study found "
               "no displacement next door)")
    # Offending is concentrated: individual rates ~ Gamma(shape, mean 1); a small shape means
    # a few prolific offenders commit most burglaries (Farrington et al. 2013;
    # Wolfgang et al. 1972).
    rate_shape: float = P(0.6, "gamma shape", 0.05, 10_000,
                          source="estimate (Farrington et al. 2013; Wolfgang et al. 1972: "
                                 "offending is concentrated)")
    known_share: float = P(0.3, "fraction", 0, 1, source="estimate: share known to police, "
                           "more likely the prolific")
    # How easy an offender is to find for offender-focused police work (habits, address,
    # associates), relative to the mean offender: Gamma(shape, mean 1) per offender. A
    # small shape means a few are easy to find and most are hard, so a team catches the
    # easiest first and its effect levels off as it grows.
    visibility_shape: float = P(0.5, "gamma shape", 0.05, 10_000,
                                source="prior 0.5 (range 0.25-2): no figure exists; stated "
                                       "as an estimate")
    activity_by_hour: list[Annotated[float, Field(ge=0, le=10)]] = _hourly(
        [0.35, 0.2, 0.2, 0.15, 0.15, 0.2, 0.2, 0.4, 0.7, 1.0, 1.1, 1.2,
         1.2, 1.2, 1.2, 1.2, 1.3, 1.5, 1.6, 1.6, 1.4, 1.0, 1.0, 0.55],
        "relative activity per hour 0..23", 10,
        "estimate, shaped after Politie-analisten 2014: 13% of the activity at night "
        "(22–06), most in the afternoon and evening; how many outings end in a burglary "
        "also depends on who is at home (residents.asleep_deterrence)")
    dark_evening_multiplier: float = P(1.5, "multiplier", 0, 10, source="estimate: darker "
                                       "winter evenings raise burglary")
    weekend_multiplier: float = P(0.9, "multiplier", 0, 10)


class Residents(Section):
    """Households: occupancy, hardening, response to victimisation."""

    at_home_weekday: list[Share] = _hourly(
        [0.97, 0.97, 0.97, 0.97, 0.97, 0.96, 0.92, 0.80, 0.60, 0.50, 0.48, 0.48,
         0.50, 0.50, 0.50, 0.52, 0.58, 0.68, 0.78, 0.80, 0.82, 0.88, 0.93, 0.96],
        "fraction of households at home, hours 0..23", 1,
        "estimate (time-use surveys give this shape)")
    at_home_weekend: list[Share] = _hourly(
        [0.95, 0.96, 0.97, 0.97, 0.97, 0.97, 0.96, 0.93, 0.85, 0.75, 0.65, 0.60,
         0.58, 0.58, 0.58, 0.60, 0.65, 0.72, 0.75, 0.75, 0.78, 0.83, 0.88, 0.93],
        "fraction of households at home, hours 0..23", 1,
        "estimate (time-use surveys give this shape)")
    initial_hardened_share: float = P(0.35, "fraction of homes", 0, 1,
                                      source="estimate: homes with PKVW-level locks")
    # Hardening works through one mechanism with one strength s, a hardened home's
    # resistance: burglars see it and pass it by with probability s (avoidance: the outing
    # then tries elsewhere or ends, like any deterred outing), and an attempt made anyway
    # fails with probability 1 - (1 - attempt_fail_prob)(1 - s). s is set so that the
    # virtual replication of Vollaard & van Ours 2011 (`sim evidence`: homes built under the
    # 1999 code against older homes) gives their effect; the published effect is never
    # entered.
    attempt_fail_prob: float = P(0.25, "probability", 0, 1, source="estimate; attempt share "
                                 "35% (367 vs 240, 2015; RTV Amstelveen 2016)")
    hardened_attempt_fail_prob: float = P(
        0.33, "probability", 0, 1,
        source="set by the virtual replication of Vollaard & van Ours 2011 (sim evidence)")
    victim_hardening_prob: float = P(0.3, "probability", 0, 1,
                                     source="estimate: victims who harden afterwards")
    caught_in_act_prob: float = P(
        0.05, "probability per attempt", 0, 1,
        source="fitted by `sim calibrate` to the share of arrests made in the act (Politie "
               "2018): an alert resident or passer-by reports and the police arrive in time")
    # Place-based heterogeneity: each cell's attractiveness is exp(sigma z - sigma^2/2) for
    # the city's fixed, spatially smooth standard-normal field z (city.toml place_range_m),
    # so hot spots are stable; sigma is fitted to the concentration of burglary.
    place_sigma: float = P(0.8, "log-sd of place attractiveness", 0, 3,
                           source="fitted by `sim calibrate` (concentration target)")
    # Sleeping residents deter less than awake ones: from midnight to 06:00 an occupied home
    # turns a burglar away with this probability (awake: always). Its strength is set so that
    # the virtual replication of the night share (Politie-analisten 2014, `sim evidence`)
    # gives the published share; the share itself is never entered.
    asleep_deterrence: float = P(
        0.33, "probability", 0, 1,
        source="set by the virtual replication of Politie-analisten 2014 (sim evidence)")
    holiday_away_share: float = P(0.25, "fraction of households", 0, 1,
                                  source="estimate: away during the Christmas school holiday; "
                                         "checked against IIC 2018 in sim evidence")


class NearRepeat(Section):
    """Near-repeat boost: raised risk near a recent burglary."""

    enabled: bool = True
    boost_per_event: float = P(1.0, "relative uplift at the cell", 0, 50,
                               source="1.5–2x (Johnson et al. 2007)")
    radius_m: float = P(200, "m", 0, 2000, source="Johnson et al. 2007; Bowers & Johnson 2005")
    decay_days: float = P(15, "days", 0.1, 365, source="Short et al. 2008 (omega = 1/15 per day)")


class Patrol(Section):
    """How a patrol visit deters (shared by all patrolling guardians)."""

    visits_per_hour: float = P(4, "visits per hour", 0.1, 60,
                               source="10–15 minute visits (Koper 1995)")
    # A visit deters at full strength for its own length, then residual deterrence decays;
    # a visit starts at a random minute of its hour.
    visit_minutes: float = P(12.5, "minutes", 1, 60,
                             source="Koper 1995: 10–15 minute stops")
    # Refit after visits came to deter for their minutes only (issue 20): the virtual
    # Braga et al. 2019 study gives -8% (+/- 4-6%) at 0.5 and at 1.0 alike, inside the
    # published range (-25% to -7%) but short of the pooled -16% at any value; the study does
    # not identify the strength, so the default is the middle of 0.5-1.0, a prior.
    deterrence_when_present: float = P(
        0.75, "probability", 0, 1,
        source="prior 0.75 (0.5-1.0): the virtual replication of Braga et al. 2019 (sim "
               "evidence) gives about -8% at any value in that range (Telep et al. 2014 "
               "dosage)")
    residual_deterrence_hours: float = P(0.25, "hours", 0.01, 24 * 30,
                                         source="Koper 1995: residual deterrence lasts minutes "
                                                "after a 10–15 minute visit")
    # A visible patrol deters in the surrounding street block too (weight 1 at the cell,
    # falling to 1/3 at this radius).
    deterrence_radius_m: float = P(200, "m", 0, 2000)
    hotspot_window_days: float = P(28, "days", 1, 365,
                                   source="estimate: recent events that inform targeting")


class Boa(Section):
    """Boa's of team HOR (municipal enforcement)."""

    fte: float = P(30, "FTE", 0, MAX_FTE, source="estimate: team HOR size is not in the seeds")
    burglary_patrol_share: float = P(0.15, "fraction of boa hours", 0, 1,
                                     source="estimate; most time goes to other duties "
                                            "(Amstelveenblog 2020)")
    duty_start_hour: int = P(8, "hour of day", 0, 23)
    duty_end_hour: int = P(23, "hour of day", 1, 24)
    info_quality: float = P(0.2, "fraction", 0, 1,
                            source="estimate: share of patrol aimed at recent hotspots")
    catch_prob: float = P(0.05, "probability", 0, 1,
                          source="estimate: catch in the act when present")


class Wijkagenten(Section):
    """Community police officers."""

    fte: float = P(14, "FTE", 0, MAX_FTE,
                   source="RVP 2023–2026: 14 wijkagenten in basisteam Amstelveen (2022)")
    availability: float = P(0.65, "fraction", 0, 1,
                            source="COT & AEF 2010: 80% norm, about 65% measured")
    patrol_share: float = P(0.3, "fraction of available hours", 0, 1,
                            source="estimate: rest of available time is investigation")
    duty_start_hour: int = P(7, "hour of day", 0, 23)
    duty_end_hour: int = P(23, "hour of day", 1, 24)
    info_quality: float = P(0.3, "fraction", 0, 1)
    catch_prob: float = P(0.25, "probability", 0, 1)


class Investigation(Section):
    """Clearance after the fact (police investigation)."""

    clearance_prob: float = P(0.08, "probability", 0, 1,
                              source="estimate; total clearance about 10% (CBS/Politie)")
    capacity_elasticity: float = P(0.5, "elasticity", 0, 3, source="estimate: clearance "
                                   "proportional to (investigation hours)^elasticity")
    # The capacity clearance_prob refers to: 14 wijkagenten (RVP 2023–2026) x 1,406 h
    # (Amstelveen 2023) x 65% available
    # (COT & AEF 2010) x 70% not on patrol (estimate).
    reference_investigation_hours_per_year: float = P(
        8956, "hours per year", gt=0, hi=10_000_000,
        source="14 wijkagenten (RVP 2023–2026) x 1,406 h (Amstelveen 2023) x 65% available "
               "(COT & AEF 2010) x 70% not on patrol (estimate)")


class Interventieteam(Section):
    """Spoor 1: hotspot- and offender-focused team (Amstelveen 2023)."""

    fte: float = P(0, "FTE", 0, MAX_FTE, source="Amstelveen 2023 proposes 4")
    hours_per_fte_year: float = P(HOURS_PER_FTE_YEAR, "hours per FTE per year", 1, 8784,
                                  source="Amstelveen 2023")
    cost_eur_per_hour: float = P(80, "EUR per hour", 0, 10_000, source="Amstelveen 2023")
    first_year: int = P(2024, "year", 1990, 2100,
                        source="Amstelveen 2023: operational from 1 January 2024")
    last_year: int = P(2027, "year", 1990, 2100,
                       source="Amstelveen 2023: four years, cancellable yearly")
    burglary_share: float = P(1.0, "fraction of hours", 0, 1,
                              source="share of hours on burglary (a multi-theme team: less)")
    work_start_hour: int = P(14, "hour of day", 0, 23, source="estimate: high-risk hours")
    work_end_hour: int = P(23, "hour of day", 1, 24)
    offender_focus_share: float = P(0.4, "fraction of hours", 0, 1,
                                    source="estimate: hours spent on known offenders")
    info_quality: float = P(0.8, "fraction", 0, 1,
                            source="estimate: police craft, hotspot-focused")
    catch_prob: float = P(0.35, "probability", 0, 1)
    # Hot-spot patrol works a list of places, the riskiest first, each visited about every
    # this many hours through the window (Koper's curve as the Sacramento trial ran it);
    # more hours add colder places, not more visits to the same ones.
    hotspot_return_hours: float = P(
        2.0, "hours", 0.25, 24,
        source="Telep et al. 2014: a 12-16 minute visit to each hot spot about every two "
               "hours, in random order (the dosage of the Braga et al. 2019 replication)")
    # Offender-focused work: the team works its list of known offenders one at a time, the
    # easiest (rate x visibility) first, and arrests each one found; the first parameter is
    # the finds per 100 hours on an offender of mean visibility, so as the visible are inside
    # the rate falls and the effect levels off. Unknown offenders are identified at the
    # second rate against the starting pool's unknown offenders (at mean visibility).
    offender_arrests_per_100_hours: float = P(
        1.0, "arrests per 100 hours", 0, 100,
        source="prior 1.0 (range 0.5–2.0) arrests of known offenders per 100 offender-focused "
               "hours on an offender of mean visibility (the team works its list easiest "
               "first, so its realised rate is higher for a small team): no public figure "
               "for the former team "
               "(Amstelveen inbrakenteam 2018); not calibrated, so the team's effect is a "
               "prediction")
    offenders_identified_per_100_hours: float = P(2.0, "offenders per 100 hours", 0, 100,
                                                  source="estimate (range 1-4): information "
                                                         "position (Amstelveen 2023), against "
                                                         "the starting pool")
    clearance_multiplier: float = P(1.5, "multiplier", 0, 10,
                                    source="estimate: better information, more cases solved")


class Wijkregisseur(Section):
    """Spoor 2: a network director per gebied; does not patrol (Amstelveen 2023).

    Network strength grows with the hours spent on contacts and decays without them; it
    acts only through residents' behaviour: taking up hardening, joining buurtpreventie
    (deterrence and reporting). Those mechanisms' strengths come from their virtual
    replications (`sim evidence`), not from fixed multipliers.
    """

    per_gebied: int = P(0, "regisseurs per gebied", 0, 5, source="Amstelveen 2023")
    first_year: int = P(2024, "year", 1990, 2100, source="Amstelveen 2023")
    last_year: int = P(2027, "year", 1990, 2100, source="Amstelveen 2023")
    cost_eur_per_year: float = P(95_000, "EUR per regisseur per year", 0, 10_000_000,
                                 source="estimate: one full-time municipal director")
    contact_share: float = P(0.6, "fraction of hours", 0, 1,
                             source="estimate: hours spent on contacts with residents and "
                                    "partners")
    contact_hours_to_network: float = P(800, "contact hours", 1, 100_000,
                                        source="estimate: contact hours that build 63% of a "
                                               "gebied's network")
    decay_days: float = P(730, "days", 1, 36500,
                          source="estimate: networks fade slowly without contacts")
    hardening_campaign_per_year: float = P(
        0.15, "fraction of unhardened homes per year", 0, 1,
        source="estimate: uptake at full network strength, aimed at recent burglaries")
    buurtpreventie_coverage: float = P(0.3, "fraction of households", 0, 1,
                                       source="estimate: households in a group at full "
                                              "network strength")
    buurtpreventie_deterrence: float = P(
        0.48, "probability", 0, 1,
        source="set by the virtual replication of Akkermans & Vollaard 2015 (sim evidence)")
    buurtpreventie_catch_prob: float = P(0.1, "probability", 0, 1,
                                         source="estimate: neighbours call in, caught")


class ExtraCost(Section):
    """Other yearly costs a scenario adds (e.g. extra wijkagenten or boa's)."""

    eur_per_year: float = P(0, "EUR per year", 0, 1_000_000_000)
    first_year: int = P(2024, "year", 1990, 2100)
    last_year: int = P(2027, "year", 1990, 2100)
    what: str = Field("", max_length=500)


class Shock(Section):
    """A modus-operandi wave (``[[shocks]]``): a technique spreads among offenders from a date.

    The technique (cylinder pulling, *cilindertrekken*) makes attempts on homes with
    vulnerable cylinders succeed more often; offenders who know it go out more as their
    expected success rises (``reward_elasticity``). Offenders learn it from co-offenders. The
    gemeente notices the wave from reported burglaries and answers as Amersfoort did in 2018:
    letters to hot-spot households and information tents (cylinder replacement) and extra
    surveillance (patrol hours). See ``sim/model/wave.py``.
    """

    technique: Literal["cilindertrekken"] = Field(
        "cilindertrekken", description="the technique (only cylinder pulling is modelled)")
    start: date = Field(description="first day of the wave (YYYY-MM-DD)")
    vulnerable_share: float = P(
        0.56, "fraction of homes without hardening", 0, 1,
        source="NIPW survey (blikopnieuws 2020; wonen.nl): 56.1% of front doors badly "
               "secured, 60-70% of doors without an anti-cylinder-pulling fitting (range "
               "0.56-0.70; industry-funded survey)")
    initial_knowing_share: float = P(
        0.05, "fraction of active offenders", 0, 1,
        source="estimate (range 0.02-0.10): the few who bring the technique in")
    learning_per_day: float = P(
        0.06, "per day at full exposure", 0, 10,
        source="Amersfoort's 2018-2019 rise (calibration/amersfoort/wave_fit.toml): the "
               "best of a first grid 0.02-0.12, then held (estimate, range 0.02-0.12): an "
               "unaware offender learns at this rate times the share of active offenders who "
               "know (co-offending contacts)")
    technique_fail_prob: float = P(
        0.05, "probability", 0, 1,
        source="estimate (range 0.02-0.15): a pulled cylinder rarely holds")
    reward_elasticity: float = P(
        5.0, "elasticity", 0, 20,
        source="fitted once to Amersfoort's 2018-2019 rise above the trend (calibration/"
               "amersfoort/wave_fit.toml; grid 5-13): outings of those who know the "
               "technique x (expected success with / without it) ^ this")
    notice_excess: float = P(
        0.25, "fraction above the expected count", 0, 10,
        source="estimate (range 0.15-0.50): a rise in reported burglaries the police's "
               "crime picture flags")
    notice_delay_days: float = P(
        21, "days", 0, 365,
        source="estimate (range 14-42): from the rise in reports to the analysis that names "
               "the technique (Amersfoort 2018: police attributed the rise within the year)")
    response: bool = Field(True, description="the gemeente's own answer (letters, tents, "
                                             "extra surveillance), as Amersfoort's in 2018")
    letter_uptake: float = P(
        0.05, "fraction of vulnerable households written to", 0, 1,
        source="estimate (range 0.02-0.10): uptake of Amersfoort's hot-spot letters was not "
               "found (data/drivers/08)")
    tent_uptake: float = P(
        0.10, "fraction of a wijk's vulnerable households", 0, 1,
        source="estimate (range 0.05-0.20): the reach of a buurttent; uptake not found")
    tent_every_days: float = P(14, "days", 1, 365, source="estimate (range 7-28)")
    extra_patrol_hours_per_week: float = P(
        40, "hours per week", 0, 10_000,
        source="estimate (range 20-80): Amersfoort's 'extra toezicht', size not found")
    response_weeks: float = P(26, "weeks", 0, 520,
                              source="estimate (range 13-52): how long the answer lasts")
    team_redeploy_days: float = P(
        7, "days after the wave is noticed", 0, 365,
        source="estimate (range 3-14): a team deployed 'flexibel en snel' (Amstelveen 2023)")
    regisseur_replacement_per_year: float = P(
        0.3, "fraction of vulnerable homes per year at full network strength", 0, 1,
        source="estimate (range 0.1-0.5): cylinder replacement mobilised through the "
               "wijkregisseur's resident network")


class Drivers(Section):
    """How strongly the city's exogenous drivers over time act (``drivers.toml``).

    The series (offending, daytime occupancy, hardening, programmes that ran) are data of
    the city folder, applied by date (:mod:`sim.model.drivers`); a city without
    ``drivers.toml`` has none.
    """

    enabled: bool = True
    programmes: bool = True  # the city's historical programmes run in their dates
    offending_elasticity: float = P(
        1.0, "elasticity", 0, 3,
        source="fitted by sim history --fit on 2012-2019: outings follow the national "
               "suspects series to this power (estimate 0.5-1.5 before the fit)")
    occupancy_strength: float = P(
        1.0, "fraction", 0, 3,
        source="estimate (range 0.5-2): an hour of work moved home fills that many "
               "otherwise empty weekday daytime homes; not identified before 2020, so a prior")
    hardening_pp_per_year: float = P(
        1.5, "percentage points of homes per year", 0, 5,
        source="estimate (range 0.8-3.5): 1999-code new build about 0.8 a year plus "
               "retrofits (drivers.toml [hardening])")
    local_shock_sd: float = P(
        0.0, "sd of log yearly offending", 0, 1,
        source="off (0) except in sim history, which sets it to the size of the yearly "
               "local shocks in the police record of the region's other gemeenten "
               "(sim.data.record.local_shock_sd): gangs, new methods, local campaigns that "
               "no national driver carries")


class Scenario(Section):
    """A complete, validated scenario."""

    name: Slug  # names the results folder and the runs: a slug, never a path
    description: str = Field("", max_length=5_000)  # Dutch: for the council report
    description_en: str = Field("", max_length=5_000)  # English, for `sim report --lang en`
    # A city folder under calibration/ (a slug); code may set an absolute folder path that
    # came from the command line (``sim calibrate DIR``), a scenario file never can.
    city: str = Field("amstelveen", max_length=4_096)
    use_calibration: bool = True
    start_year: int = P(2024, "year", 1990, 2100, source="first simulated year (1 January)")
    years: float = P(4, "years", gt=0, hi=MAX_YEARS,
                     source="the simulated horizon, chosen per scenario or command")
    burn_in_years: float = P(1, "years", 0, 10,
                             source="model choice: simulated before start_year and left out "
                                    "of every output, so runs start settled")
    # Override the wijk table's gebied per wijk code (gebied numbers 1..99).
    gebied_of_wijk: dict[Annotated[str, Field(max_length=16)],
                         Annotated[int, Field(ge=1, le=99)]] = Field(default_factory=dict,
                                                                     max_length=1_000)
    offenders: Offenders = Field(default_factory=Offenders)
    residents: Residents = Field(default_factory=Residents)
    near_repeat: NearRepeat = Field(default_factory=NearRepeat)
    patrol: Patrol = Field(default_factory=Patrol)
    boa: Boa = Field(default_factory=Boa)
    wijkagenten: Wijkagenten = Field(default_factory=Wijkagenten)
    investigation: Investigation = Field(default_factory=Investigation)
    interventieteam: Interventieteam = Field(default_factory=Interventieteam)
    wijkregisseur: Wijkregisseur = Field(default_factory=Wijkregisseur)
    extra_cost: ExtraCost = Field(default_factory=ExtraCost)
    # Modus-operandi waves from a date ([[shocks]]; sim/model/wave.py)
    shocks: list[Shock] = Field(default_factory=list, max_length=10)
    drivers: Drivers = Field(default_factory=Drivers)

    @field_validator("city")
    @classmethod
    def _city_name(cls, city: str) -> str:
        if re.match(SLUG_PATTERN, city) or (Path(city).is_absolute() and ".." not in
                                            Path(city).parts):
            return city
        raise ValueError(f"a city is the name of a folder under calibration/: {SLUG_HELP}")

    @model_validator(mode="after")
    def _check_hours(self) -> Scenario:
        for sec, a, b in (
            ("boa", "duty_start_hour", "duty_end_hour"),
            ("wijkagenten", "duty_start_hour", "duty_end_hour"),
            ("interventieteam", "work_start_hour", "work_end_hour"),
        ):
            s = getattr(self, sec)
            if getattr(s, a) >= getattr(s, b):
                raise ValueError(f"{sec}.{a} must be before {sec}.{b}")
        for sec in ("interventieteam", "wijkregisseur", "extra_cost"):
            s = getattr(self, sec)
            if s.first_year > s.last_year:
                raise ValueError(f"{sec}.first_year must not be after {sec}.last_year")
        return self

    @model_validator(mode="after")
    def _check_shocks(self) -> Scenario:
        first = self.start_year - math.ceil(self.burn_in_years)
        end = self.start_year + self.years
        for i, shock in enumerate(self.shocks):
            y = shock.start.year + (shock.start.timetuple().tm_yday - 1) / 365
            if not first <= y < end:
                raise ValueError(
                    f"shocks.{i}.start {shock.start.isoformat()} lies outside the simulated "
                    f"period (1 January {first}, burn-in included, until {end:g}); pick a "
                    "date inside it")
        return self

    # ---- derived facts -------------------------------------------------------------------
    def content_hash(self) -> str:
        """SHA-256 (first 12 hex) of the resolved parameters and the city's data files."""
        h = hashlib.sha256(json.dumps(self.params(), sort_keys=True).encode())
        from sim.model.city import CITY_FILES, city_folder

        folder = city_folder(self.city)
        for fname in CITY_FILES:
            p = folder / fname
            if p.exists():
                h.update(p.read_bytes())
        return h.hexdigest()[:12]

    def params(self) -> dict[str, Any]:
        """All parameters as a plain nested dict (JSON-able)."""
        return self.model_dump(mode="json")

    def yearly_cost_eur(self) -> dict[int, float]:
        """Extra yearly cost of the programme(s) in this scenario, by calendar year."""
        from sim.model.city import load_city

        n_years = int(-(-self.years // 1))
        years = range(self.start_year, self.start_year + n_years)
        team, reg, extra = self.interventieteam, self.wijkregisseur, self.extra_cost
        n_gebieden = len(set(self.gebied_of_wijk.values())) if self.gebied_of_wijk else len(
            load_city(self.city).gebieden
        )
        out = {}
        for y in years:
            eur = 0.0
            if team.first_year <= y <= team.last_year:
                eur += team.fte * team.hours_per_fte_year * team.cost_eur_per_hour
            if reg.first_year <= y <= reg.last_year:
                eur += reg.per_gebied * n_gebieden * reg.cost_eur_per_year
            if extra.first_year <= y <= extra.last_year:
                eur += extra.eur_per_year
            out[y] = eur
        return out

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with dotted-path overrides (``{"boa.fte": 40}``), validated again."""
        data = self.params()
        for path, value in overrides.items():
            node = data
            *parents, leaf = path.split(".")
            for p in parents:
                if p not in node or not isinstance(node[p], dict):
                    raise UserError(f"unknown parameter '{path}'", field=path)
                node = node[p]
            if leaf not in node:
                near = difflib.get_close_matches(leaf, list(node), n=1)
                hint = f" Did you mean '{'.'.join(parents + near)}'?" if near else ""
                raise UserError(f"unknown parameter '{path}'.{hint}", field=path)
            node[leaf] = value
        return validate_scenario(data, source=f"{self.name} with overrides")


def parameter_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Dotted paths of every numeric parameter (used by experiments and calibration)."""
    out = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            out.extend(parameter_paths(ann, f"{prefix}{name}."))
        elif ann in (int, float) or getattr(ann, "__origin__", None) is Annotated:
            out.append(prefix + name)
    return out


# ---- loading ---------------------------------------------------------------------------------
def known_scenarios() -> dict[str, Path]:
    """Shipped scenario names -> files."""
    return {p.stem: p for p in sorted(SCENARIOS.glob("*.toml"))}


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, what="scenario file")


def slugify(text: str) -> str:
    """A slug (see :data:`SLUG_PATTERN`) made from a file stem: ``My Plan 2`` -> ``my-plan-2``."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")[:64]
    return slug or "scenario"


def resolve_path(ref: str | Path, relative_to: Path | None = None) -> Path:
    """Turn a scenario name or path into a file path, or raise a helpful error."""
    ref_s = str(ref)
    if not ref_s.strip():
        raise UserError("an empty scenario name; give a shipped scenario name (see "
                        "`sim scenarios`) or a path to a .toml file.")
    if ref_s.endswith(".toml") or "/" in ref_s or ref_s.startswith("."):
        p = Path(ref_s)
        if not p.is_absolute() and relative_to is not None and not p.exists():
            p = relative_to / p
        if not p.exists():
            raise UserError(f"scenario file not found: {ref_s}")
        return p
    known = known_scenarios()
    if ref_s not in known:
        near = difflib.get_close_matches(ref_s, list(known), n=1)
        hint = f" Did you mean '{near[0]}'?" if near else ""
        raise UserError(
            f"unknown scenario '{ref_s}'.{hint} Known scenarios: {', '.join(known)}; "
            "or give a path to a .toml file."
        )
    return known[ref_s]


def deep_merge(base: dict, over: dict) -> dict:
    """Recursively merge ``over`` onto ``base`` (returns a new dict)."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _raw_chain(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise UserError(f"'extends' forms a cycle: {chain}", file=str(path), field="extends")
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise UserError(f"the 'extends' chain from {seen[0].name} is longer than "
                        f"{MAX_EXTENDS_DEPTH} files; a scenario may extend at most "
                        f"{MAX_EXTENDS_DEPTH - 1} others in a row.", file=str(seen[0]),
                        field="extends")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise UserError("must be a scenario name or path (a string)", file=str(path),
                        field="extends")
    try:
        parent_path = resolve_path(parent, relative_to=path.parent)
    except UserError as exc:
        raise UserError(str(exc), file=str(path), field="extends") from None
    try:
        base = _raw_chain(parent_path, (*seen, path))
    except UserError as exc:
        if exc.file == str(parent_path.resolve()) or str(parent_path) in str(exc):
            raise UserError(f"{exc.message} (named by 'extends' in {path})", file=exc.file,
                            field=exc.field) from None
        raise
    return inherit(base, data)


def inherit(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``child`` extending ``base``: a name and descriptions belong to their own file."""
    own = ("name", "description", "description_en")
    return deep_merge({k: v for k, v in base.items() if k not in own}, child)


def raw_scenario(path: Path) -> dict[str, Any]:
    """A scenario file's values with its ``extends`` chain merged (not yet validated)."""
    return _raw_chain(path)


#: Calibration files of a city folder, merged in this order: the pattern fit (``sim
#: calibrate``), then the fit to the police record (``sim history --fit``), which sets the
#: level and the drivers' strengths on top of it.
CALIBRATION_FILES = ("calibrated.toml", "record_fit.toml")


def calibrated_parameters(city: str) -> dict[str, Any]:
    """The ``[parameters]`` of the city's calibration files, merged (empty if none)."""
    from sim.model.city import city_folder

    try:
        folder = city_folder(city)
    except UserError:
        return {}  # the scenario's validation or the city loader says what is wrong
    merged: dict[str, Any] = {}
    for name in CALIBRATION_FILES:
        p = folder / name
        if not p.exists():
            continue
        params = read_toml(p, what="calibration file").get("parameters", {})
        if not isinstance(params, dict):
            raise UserError("must be a table of parameter sections", file=str(p),
                            field="parameters")
        merged = deep_merge(merged, params)
    return merged


def field_info(path: tuple[Any, ...], model: type[BaseModel] = Scenario) -> Any:
    """The pydantic ``FieldInfo`` at a location (``("boa", "fte")``), or None."""
    info = None
    for part in path:
        if isinstance(part, int) and getattr(model, "__origin__", None) is list:
            model = model.__args__[0]  # an item of a list of sections ([[shocks]])
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return info if isinstance(part, int) else None
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        model = info.annotation
    return info


def field_bounds(info: Any) -> tuple[float | None, float | None, bool]:
    """A parameter's (low, high, low is exclusive) from its pydantic constraints.

    For a list of values (the 24 hourly ones) these are the bounds of each value.
    """
    lo = hi = None
    strict = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, strict = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("item_bounds"):
        lo, hi = extra["item_bounds"]
    return lo, hi, strict


def allowed_range(info: Any) -> str:
    """'allowed: 0 to 5,000 offenders' from a parameter's bounds and unit ('' if none)."""
    if info is None:
        return ""
    lo, hi, strict = field_bounds(info)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = f" {extra['unit']}" if extra.get("unit") else ""
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f"; allowed: {'above' if strict else 'at least'} {lo:,g}{unit}"
    low = f"above {lo:,g}" if strict else f"{lo:,g}"
    return f"; allowed: {low} to {hi:,g}{unit}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _explain(exc: ValidationError, data: dict, source: str) -> UserError:
    lines = []
    errors = exc.errors()
    for err in errors[:5]:
        loc = ".".join(str(x) for x in err["loc"])
        if err["type"] == "extra_forbidden":
            node_model: type[BaseModel] = Scenario
            for part in err["loc"][:-1]:
                ann = node_model.model_fields.get(str(part))
                if ann is not None and isinstance(ann.annotation, type) and issubclass(
                    ann.annotation, BaseModel
                ):
                    node_model = ann.annotation
            valid = list(node_model.model_fields)
            near = difflib.get_close_matches(str(err["loc"][-1]), valid, n=1, cutoff=0.5)
            hint = f" Did you mean '{near[0]}'?" if near else f" Valid: {', '.join(valid)}."
            lines.append(f"field '{_short(loc)[1:-1]}': unknown field.{hint}")
        elif err["type"] == "string_pattern_mismatch":
            lines.append(f"field '{loc}': must be {SLUG_HELP} (got {_short(err.get('input'))}).")
        else:
            msg = err["msg"]
            got = err.get("input")
            got_s = "" if isinstance(got, dict) else f" (got {_short(got)})"
            rng = allowed_range(field_info(err["loc"]))
            lines.append(f"field '{loc or 'scenario'}': {msg}{got_s}{rng}.")
    if len(errors) > 5:
        lines.append(f"({len(errors) - 5} more problems.)")
    return UserError(" ".join(lines), file=source)


def validate_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a merged scenario dict; raises :class:`UserError` naming file and field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, data, source) from None


def load_scenario(ref: str | Path, *, calibrated: bool = True,
                  city: str | None = None) -> Scenario:
    """Load a scenario by shipped name or path, with ``extends`` and calibration applied.

    ``city`` (from ``--city``: a city name, or an absolute folder path) replaces the
    scenario's city, and that city's calibration applies.
    """
    path = resolve_path(ref)
    return scenario_from_data(_raw_chain(path), str(path), slugify(path.stem),
                              calibrated=calibrated, city=city)


def scenario_from_data(data: dict[str, Any], source: str, default_name: str, *,
                       calibrated: bool = True, city: str | None = None) -> Scenario:
    """A scenario from merged file values: its city checked, calibration applied, validated.

    ``source`` names the file in messages; ``default_name`` is used when ``name`` is absent.
    """
    data = dict(data)
    data.setdefault("name", default_name)
    own = data.get("city", "amstelveen")
    if not isinstance(own, str) or not re.match(SLUG_PATTERN, own):
        raise UserError(f"'{str(own)[:60]}' is not a city name. A city is the name of a "
                        f"folder under calibration/: {SLUG_HELP}.", file=source, field="city")
    if city is not None:
        data["city"] = city
    if calibrated and data.get("use_calibration", True) is not False:
        city = str(data.get("city", "amstelveen"))
        data = deep_merge(calibrated_parameters(city), data)
    return validate_scenario(data, source=source)
