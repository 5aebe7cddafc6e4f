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
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import UserError
from sim.paths import CALIBRATION, SCENARIOS

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Year = Annotated[int, Field(ge=1990, le=2100)]

HOURS_PER_FTE_YEAR = 1406  # productive hours per FTE per year — council letter, S0


def _hourly(values: list[float]) -> list[float]:
    return Field(default=values, min_length=24, max_length=24)


class Section(BaseModel):
    """Base for scenario sections: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Offenders(Section):
    """The pool of active burglars."""

    active_offenders: Annotated[int, Field(ge=0)] = 45  # estimate (calibrated via outings)
    local_share: Fraction = 0.6  # estimate; most burglars live nearby (Bernasco & Nieuwbeerta 2005)
    outings_per_offender_day: NonNeg = 0.10  # estimate; free parameter fitted by `sim calibrate`
    journey_decay_km: Positive = 1.5  # distance decay scale; Bernasco & Nieuwbeerta 2005 (estimate)
    sentence_days: Positive = 120  # estimate: mean days removed after an arrest
    replacement_days: Positive = 120  # estimate: mean days before a new offender fills the gap
    retry_after_abort_prob: Fraction = 0.3  # estimate: tries another target (displacement)
    # Offending is concentrated: individual rates ~ Gamma(shape, mean 1); a small shape means
    # a few prolific offenders commit most burglaries (Farrington; Wolfgang et al. 1972).
    rate_shape: Positive = 0.6  # estimate
    known_share: Fraction = 0.3  # estimate: share known to police, more likely the prolific
    # Relative offender activity by hour of day (0..23); estimate from police time-of-day
    # patterns: daytime and early evening, little at night.
    activity_by_hour: list[NonNeg] = _hourly(
        [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.1, 1.2,
         1.2, 1.2, 1.2, 1.2, 1.3, 1.5, 1.6, 1.6, 1.4, 1.0, 0.6, 0.3]
    )
    dark_evening_multiplier: NonNeg = 1.5  # estimate: darker winter evenings raise burglary
    weekend_multiplier: NonNeg = 0.9  # estimate


class Residents(Section):
    """Households: occupancy, hardening, response to victimisation."""

    # Share of households at home by hour (estimate, time-use surveys give this shape).
    at_home_weekday: list[Fraction] = _hourly(
        [0.97, 0.97, 0.97, 0.97, 0.97, 0.96, 0.92, 0.80, 0.60, 0.50, 0.48, 0.48,
         0.50, 0.50, 0.50, 0.52, 0.58, 0.68, 0.78, 0.80, 0.82, 0.88, 0.93, 0.96]
    )
    at_home_weekend: list[Fraction] = _hourly(
        [0.95, 0.96, 0.97, 0.97, 0.97, 0.97, 0.96, 0.93, 0.85, 0.75, 0.65, 0.60,
         0.58, 0.58, 0.58, 0.60, 0.65, 0.72, 0.75, 0.75, 0.78, 0.83, 0.88, 0.93]
    )
    initial_hardened_share: Fraction = 0.35  # estimate: homes with PKVW-level locks
    hardened_avoidance: Fraction = 0.26  # Vollaard & van Ours 2011: -26% burglary risk
    attempt_fail_prob: Fraction = 0.25  # estimate; attempt share 35% (367 vs 240, 2015)
    hardened_attempt_fail_prob: Fraction = 0.85  # estimate: hardened doors mostly hold
    victim_hardening_prob: Fraction = 0.3  # estimate: victims who harden afterwards


class NearRepeat(Section):
    """Near-repeat boost: raised risk near a recent burglary."""

    enabled: bool = True
    boost_per_event: NonNeg = 1.0  # uplift at the cell; 1.5–2x (Johnson et al. 2007)
    radius_m: NonNeg = 200  # Johnson et al. 2007; Bowers & Johnson 2005
    decay_days: Positive = 15  # Short et al. 2008 (omega = 1/15 per day)


class Patrol(Section):
    """How a patrol visit deters (shared by all patrolling guardians)."""

    visits_per_hour: Positive = 4  # 10–15 minute visits (Koper 1995)
    deterrence_when_present: Fraction = 0.8  # estimate: abort chance when a guardian is there
    residual_deterrence_hours: Positive = 12  # estimate: residual deterrence after a visit
    # A visible patrol deters in the surrounding street block too (weight 1 at the cell,
    # falling to 1/3 at this radius); estimate.
    deterrence_radius_m: NonNeg = 200
    hotspot_window_days: Positive = 28  # estimate: "recent" events that inform targeting


class Boa(Section):
    """Boa's of team HOR (municipal enforcement)."""

    fte: NonNeg = 30  # estimate: team HOR size is not in the seeds
    burglary_patrol_share: Fraction = 0.15  # estimate; most time goes to other duties (S1)
    duty_start_hour: Annotated[int, Field(ge=0, le=23)] = 8  # estimate
    duty_end_hour: Annotated[int, Field(ge=1, le=24)] = 23  # estimate
    info_quality: Fraction = 0.2  # estimate: share of patrol aimed at recent hotspots
    catch_prob: Fraction = 0.05  # estimate: catch in the act when present


class Wijkagenten(Section):
    """Community police officers."""

    fte: NonNeg = 14  # S3: 14 wijkagenten in basisteam Amstelveen (2022)
    availability: Fraction = 0.65  # S3/Inspectie: 80% norm, about 65% measured
    patrol_share: Fraction = 0.3  # estimate: rest of available time is investigation
    duty_start_hour: Annotated[int, Field(ge=0, le=23)] = 7  # estimate
    duty_end_hour: Annotated[int, Field(ge=1, le=24)] = 23  # estimate
    info_quality: Fraction = 0.3  # estimate
    catch_prob: Fraction = 0.25  # estimate


class Investigation(Section):
    """Clearance after the fact (police investigation)."""

    clearance_prob: Fraction = 0.08  # estimate; total clearance ≈ 10% (CBS / police)
    capacity_elasticity: NonNeg = 0.5  # estimate: clearance ∝ (investigation hours)^elasticity
    # The capacity clearance_prob refers to: 14 wijkagenten (S3) x 1,406 h (S0) x 65% available
    # (Inspectie) x 70% not on patrol (estimate).
    reference_investigation_hours_per_year: Positive = 8956


class Interventieteam(Section):
    """Spoor 1: hotspot- and offender-focused team (S0)."""

    fte: NonNeg = 0  # S0 proposes 4
    hours_per_fte_year: Positive = HOURS_PER_FTE_YEAR  # S0
    cost_eur_per_hour: NonNeg = 80  # S0
    first_year: Year = 2024  # S0: operational from 1 January 2024
    last_year: Year = 2027  # S0: four years, cancellable yearly
    burglary_share: Fraction = 1.0  # share of hours on burglary (a multi-theme team: less)
    work_start_hour: Annotated[int, Field(ge=0, le=23)] = 14  # estimate: high-risk hours
    work_end_hour: Annotated[int, Field(ge=1, le=24)] = 23  # estimate
    offender_focus_share: Fraction = 0.4  # estimate: hours spent on known offenders
    info_quality: Fraction = 0.8  # estimate: police craft, hotspot-focused
    catch_prob: Fraction = 0.35  # estimate
    offender_arrests_per_100_hours: NonNeg = 1.0  # estimate: arrests of known offenders
    offenders_identified_per_100_hours: NonNeg = 2.0  # estimate: information position (S0)
    clearance_multiplier: NonNeg = 1.5  # estimate: better information, more cases solved


class Wijkregisseur(Section):
    """Spoor 2: a network director per gebied; does not patrol (S0)."""

    per_gebied: Annotated[int, Field(ge=0, le=5)] = 0
    first_year: Year = 2024
    last_year: Year = 2027
    cost_eur_per_year: NonNeg = 95_000  # estimate: one full-time municipal director
    build_up_days: Positive = 365  # estimate: networks take about a year to build
    decay_days: Positive = 730  # estimate: effects fade slowly after the regisseur leaves
    info_uplift: Fraction = 0.4  # estimate: better hotspot information for boa's and police
    hardening_campaign_per_year: Fraction = 0.15  # estimate: unhardened homes hardened/yr
    buurtpreventie_coverage: Fraction = 0.3  # estimate: households reached at full strength
    buurtpreventie_deterrence: Fraction = 0.4  # Akkermans & Vollaard 2015: about -40%
    buurtpreventie_catch_prob: Fraction = 0.1  # estimate: neighbours call in, caught


class ExtraCost(Section):
    """Other yearly costs a scenario adds (e.g. extra wijkagenten or boa's)."""

    eur_per_year: NonNeg = 0
    first_year: Year = 2024
    last_year: Year = 2027
    what: str = ""


class Scenario(Section):
    """A complete, validated scenario."""

    name: str
    description: str = ""  # Dutch: for the council report (default language)
    description_en: str = ""  # English, for `sim report --lang en`
    city: str = "amstelveen"
    use_calibration: bool = True
    start_year: Year = 2024  # first simulated year (1 January)
    years: Annotated[float, Field(gt=0, le=50)] = 4
    gebied_of_wijk: dict[str, int] = Field(default_factory=dict)  # override the wijk table
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

    # ---- derived facts -------------------------------------------------------------------
    def content_hash(self) -> str:
        """SHA-256 (first 12 hex) of the resolved parameters and the city's data files."""
        h = hashlib.sha256(json.dumps(self.params(), sort_keys=True).encode())
        from sim.city import city_folder

        folder = city_folder(self.city)
        for fname in ("wijken.csv", "city.toml", "layout.csv"):
            p = folder / fname
            if p.exists():
                h.update(p.read_bytes())
        return h.hexdigest()[:12]

    def params(self) -> dict[str, Any]:
        """All parameters as a plain nested dict (JSON-able)."""
        return self.model_dump(mode="json")

    def yearly_cost_eur(self) -> dict[int, float]:
        """Extra yearly cost of the programme(s) in this scenario, by calendar year."""
        from sim.city import load_city

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
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"malformed TOML: {exc}", file=str(path)) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", file=str(path)) from None


def resolve_path(ref: str | Path, relative_to: Path | None = None) -> Path:
    """Turn a scenario name or path into a file path, or raise a helpful error."""
    ref_s = str(ref)
    if ref_s.endswith(".toml") or "/" in ref_s:
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
    base = _raw_chain(parent_path, (*seen, path))
    base.pop("description", None)  # a description belongs to its own file
    base.pop("description_en", None)
    return deep_merge(base, data)


def calibrated_parameters(city: str) -> dict[str, Any]:
    """The ``[parameters]`` table of ``calibration/<city>/calibrated.toml`` (empty if none)."""
    p = CALIBRATION / city.lower() / "calibrated.toml"
    if not p.exists():
        return {}
    return _read_toml(p).get("parameters", {})


def _explain(exc: ValidationError, data: dict, source: str) -> UserError:
    lines = []
    for err in exc.errors():
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
            lines.append(f"field '{loc}': unknown field.{hint}")
        else:
            msg = err["msg"]
            got = err.get("input")
            got_s = "" if isinstance(got, dict) else f" (got {got!r})"
            lines.append(f"field '{loc or 'scenario'}': {msg}{got_s}.")
    return UserError(" ".join(lines), file=source)


def validate_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a merged scenario dict; raises :class:`UserError` naming file and field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, data, source) from None


def load_scenario(ref: str | Path, *, calibrated: bool = True) -> Scenario:
    """Load a scenario by shipped name or path, with ``extends`` and calibration applied."""
    path = resolve_path(ref)
    data = _raw_chain(path)
    data.setdefault("name", path.stem)
    if calibrated and data.get("use_calibration", True):
        city = str(data.get("city", "amstelveen"))
        data = deep_merge(calibrated_parameters(city), data)
    return validate_scenario(data, source=str(path))
