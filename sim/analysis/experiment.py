"""Experiment files: which parameters to vary, how (design), how often, and what to record.

An experiment is a TOML file in ``experiments/`` (EMA Workbench style: uncertainties and
outcomes declared beside the model, not inside it)::

    name = "capaciteit"
    base = "baseline"              # scenario name or path; the runs start from it
    reference = "baseline"         # optional: compare each run with this (same seed)
    master_seed = 2024
    replications = 2               # runs per design point (seeds 0..R-1)
    years = 1                      # optional: override the scenario's horizon
    outcomes = ["woninginbraken_per_year", "change_vs_reference_pct"]

    [design]
    method = "sobol"               # grid | lhs | sobol | morris
    n = 256                        # sobol: a power of 2; lhs: the sample size
    second_order = false           # sobol only: also estimate S2 (N*D more runs)

    [[parameters]]
    path = "boa.burglary_patrol_share"   # dotted scenario path (see sim.model.scenario)
    unit = "fraction of boa hours"
    bounds = [0.05, 0.4]                 # or levels = [...] for a grid

**Policies** (EMA's levers): ``policies = ["baseline", "interventieteam", ...]`` (scenario
names or paths) runs every policy in every sampled world (design point), all with the same
seeds (common random numbers); the ``[[parameters]]`` are then the uncertainties, which
must not be levers (a path the policies set differently is refused). ``reference`` names
the policy that prevented burglaries and costs are counted against (default: ``baseline``
if listed, else the first policy) and ``years`` is required (one horizon for all). Such an
experiment's outcomes may also name policies: ``"interventieteam : woninginbraken_per_year"``
(one policy's outcome) or ``"interventieteam - wijkregisseur : woninginbraken_per_year"``
(the difference within each world, e.g. for Sobol on what decides the ranking).

Besides scenario paths, ``boa.burglary_patrol_hours_per_year`` sets the boa patrol share
from hours. Outcome names are listed in :mod:`sim.analysis.outcomes`. ``[constants]`` sets
scenario values for every run (the reference too, unless a separate ``reference``
scenario is named). The file is checked here: unknown parameters (with the nearest name
suggested), reversed bounds, values the scenario refuses, a Sobol ``n`` that is not a
power of 2, unknown outcomes — each a :class:`~sim.core.errors.UserError`.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.analysis.outcomes import AREA_PREFIXES, REFERENCE_OUTCOMES, outcome_names
from sim.core.errors import UserError
from sim.core.paths import EXPERIMENTS
from sim.core.textio import read_toml
from sim.core.tree import get_dotted
from sim.model.scenario import (
    HOURS_PER_FTE_YEAR,
    MAX_YEARS,
    SLUG_HELP,
    SLUG_PATTERN,
    Scenario,
    Slug,
    load_scenario,
    parameter_paths,
    slugify,
)


def _boa_patrol_hours(scenario: Scenario, hours: float) -> dict[str, Any]:
    fte = scenario.boa.fte
    share = hours / (fte * HOURS_PER_FTE_YEAR) if fte > 0 else float("inf")
    return {"boa.burglary_patrol_share": share}


#: Parameters expressed in other units than the scenario's: name -> (unit, to overrides).
#: They are applied after the plain overrides, so they see a swept ``boa.fte``.
DERIVED = {
    "boa.burglary_patrol_hours_per_year": ("hours/year", _boa_patrol_hours),
}
#: Scenario values an experiment must not vary (the horizon belongs to ``years``).
NOT_SWEEPABLE = {"start_year", "years"}

Method = Literal["grid", "lhs", "sobol", "morris"]


#: Largest seed: run provenance is stored as SQLite INTEGER (signed 64 bits).
MAX_SEED = 2**63 - 1
#: Most runs one experiment may plan (design points x policies x replications).
MAX_RUNS = 1_000_000
#: Most policies one experiment may compare.
MAX_POLICIES = 50
#: ``"A - B : outcome"`` or ``"A : outcome"``: an outcome of a policy, or a difference.
POLICY_OUTCOME_RE = re.compile(r"^\s*([^\s:-][^\s:]*?)\s*(?:\s-\s*([^\s:]+)\s*)?:\s*(\S+)\s*$")


def parse_policy_outcome(name: str) -> tuple[str, str | None, str] | None:
    """``"A - B : o"`` -> ``(A, B, o)``; ``"A : o"`` -> ``(A, None, o)``; else None."""
    if ":" not in name:
        return None
    m = POLICY_OUTCOME_RE.match(name)
    if not m:
        raise UserError(f"'{name}' is not a policy outcome; write 'POLICY : OUTCOME' or "
                        "'POLICY_A - POLICY_B : OUTCOME' (spaces around ' - ').",
                        field="outcomes")
    return m.group(1), m.group(2), m.group(3)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Parameter(_Strict):
    """One varied parameter: a dotted scenario path with bounds (or levels for a grid)."""

    path: str = Field(max_length=200)
    unit: str = Field("", max_length=200)
    bounds: tuple[float, float] | None = None
    levels: list[float] | None = Field(default=None, min_length=1, max_length=1_000)
    description: str = Field("", max_length=5_000)

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and not bounds[0] < bounds[1]:
            raise ValueError(f"bounds must be (low, high) with low < high; got "
                             f"({bounds[0]:g}, {bounds[1]:g}): reversed or empty")
        return bounds


class Design(_Strict):
    """How the design points are chosen (SALib samplers, or a full grid of levels)."""

    method: Method
    n: Annotated[int, Field(ge=1, le=MAX_RUNS)] | None = None  # sobol: base N; lhs: size
    second_order: bool = False  # sobol: estimate S2 too
    trajectories: Annotated[int, Field(ge=2, le=10_000)] = 10  # morris
    levels: Annotated[int, Field(ge=2, le=100)] = 4  # morris grid levels (p)

    @model_validator(mode="after")
    def _check(self) -> Design:
        if self.method in ("sobol", "lhs") and self.n is None:
            raise ValueError(f"design method '{self.method}' needs n (the sample size)")
        if self.method == "sobol" and self.n & (self.n - 1):
            lo = 1 << (self.n.bit_length() - 1)
            raise ValueError(
                f"sobol needs n to be a power of 2 (Saltelli/Sobol' sequence balance); "
                f"got {self.n}, use {lo} or {lo * 2}"
            )
        return self


class Experiment(_Strict):
    """A validated experiment (see the module docstring for the file format)."""

    name: Slug  # names the default results folder: a slug, never a path
    description: str = Field("", max_length=5_000)
    base: str = Field("baseline", max_length=1_000)
    reference: str | None = Field(None, max_length=1_000)  # None: the base with constants
    master_seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 2024
    replications: Annotated[int, Field(ge=1, le=10_000)] = 1
    years: Annotated[float, Field(gt=0, le=MAX_YEARS)] | None = None
    batch_size: Annotated[int, Field(ge=1, le=10_000)] | None = None  # None: automatic
    outcomes: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1,
                                                                   max_length=200)
    constants: dict[str, Any] = Field(default_factory=dict, max_length=200)
    design: Design
    parameters: list[Parameter] = Field(min_length=1, max_length=200)
    #: ``--city``: runs this experiment on another city (a name or an absolute folder path).
    city: str | None = Field(None, max_length=4_096)
    #: ``--burn-in`` (years before each run's counted period; None: the scenario's).
    burn_in_years: Annotated[float, Field(ge=0, le=10)] | None = None
    #: Policies (levers): every policy runs in every world (design point); None: a sweep.
    policies: list[Annotated[str, Field(max_length=1_000)]] | None = Field(
        None, min_length=1, max_length=MAX_POLICIES)
    source: str = ""  # the file it came from (not part of the hash)

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        runs = self.planned_runs()
        if runs > MAX_RUNS:
            raise ValueError(f"the design plans {runs:,} runs (design points x replications); "
                             f"at most {MAX_RUNS:,} are allowed: lower n, trajectories, "
                             "levels or replications")
        paths = [p.path for p in self.parameters]
        dup = sorted({p for p in paths if paths.count(p) > 1})
        if dup:
            raise ValueError(f"parameter(s) listed twice: {', '.join(dup)}")
        if self.policies is not None:
            dup = sorted({p for p in self.policies if self.policies.count(p) > 1})
            if dup:
                raise ValueError(f"policies listed twice: {', '.join(dup)}")
            if self.years is None:
                raise ValueError("an experiment with policies needs years (one horizon for "
                                 "every policy)")
            if self.design.method == "grid":
                raise ValueError("policies need sampled worlds: design lhs, sobol or morris")
        for i, p in enumerate(self.parameters):
            if self.design.method == "grid" and not p.levels:
                raise ValueError(f"parameters[{i}] ({p.path}): a grid needs a list of levels")
            if self.design.method != "grid" and p.bounds is None:
                raise ValueError(
                    f"parameters[{i}] ({p.path}): design '{self.design.method}' needs "
                    "bounds = (low, high) as a two-number list"
                )
        return self

    # ---- derived facts ---------------------------------------------------------------------
    def planned_runs(self) -> int:
        """Design points x replications (reference runs not counted)."""
        d, k = self.design, len(self.parameters)
        if d.method == "grid":
            points = 1
            for p in self.parameters:
                points *= len(p.levels or [0])
        elif d.method == "sobol":
            points = (d.n or 0) * (2 * k + 2 if d.second_order else k + 2)
        elif d.method == "morris":
            points = d.trajectories * (k + 1)
        else:
            points = d.n or 0
        return points * self.replications * len(self.policies or [None])

    @property
    def names(self) -> list[str]:
        """Parameter paths in design-column order."""
        return [p.path for p in self.parameters]

    def needs_reference(self) -> bool:
        """Whether an outcome compares runs with a separate reference run.

        Not with policies: there the reference is one of the policies, in the same world.
        """
        return not self.policies and any(o in REFERENCE_OUTCOMES for o in self.outcomes)

    def canonical(self) -> dict[str, Any]:
        """What the hash covers: every field that changes the runs or their outcomes."""
        out = self.model_dump(mode="json", exclude={"source", "description", "batch_size"})
        for key in ("city", "burn_in_years", "policies"):
            if out.get(key) is None:
                out.pop(key, None)  # hashes of experiments without them stay as they were
        return out

    def content_hash(self, extra: dict[str, Any] | None = None) -> str:
        """SHA-256 (first 12 hex) of the content plus ``extra`` (e.g. scenario hashes)."""
        blob = json.dumps({"experiment": self.canonical(), **(extra or {})}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def with_changes(self, **design_or_top: Any) -> Experiment:
        """A re-validated copy with top-level fields or design fields (``n=...``) changed."""
        data = self.model_dump()
        for key, value in design_or_top.items():
            if value is None:
                continue
            if key in Design.model_fields:
                data["design"][key] = value
            else:
                data[key] = value
        return validate_experiment(data, self.source or "<experiment>")

    # ---- scenarios -------------------------------------------------------------------------
    def base_scenario(self) -> Scenario:
        """The base scenario with the constants applied."""
        sc = self._burn_in(load_scenario(self.base, city=self.city))
        return apply_values(sc, self.constants) if self.constants else sc

    def _burn_in(self, sc: Scenario) -> Scenario:
        if self.burn_in_years is None:
            return sc
        return sc.with_overrides({"burn_in_years": self.burn_in_years})

    def policy_scenarios(self) -> dict[str, Scenario]:
        """Policy name -> its scenario (city, burn-in and constants applied), in file order."""
        out: dict[str, Scenario] = {}
        for ref in self.policies or []:
            sc = self._burn_in(load_scenario(self._near_file(ref), city=self.city))
            sc = apply_values(sc, self.constants) if self.constants else sc
            if sc.name in out:
                raise UserError(f"two policies are named '{sc.name}'; every policy needs its "
                                "own name (the scenario's 'name').", field="policies")
            out[sc.name] = sc
        return out

    def _near_file(self, ref: str) -> str:
        """A relative scenario path is looked up beside the experiment file as well."""
        if (ref.endswith(".toml") or "/" in ref) and not Path(ref).is_absolute() and not Path(
                ref).exists() and self.source and (Path(self.source).parent / ref).exists():
            return str(Path(self.source).parent / ref)
        return ref

    def reference_policy(self, names: list[str]) -> str:
        """The policy that prevented burglaries and extra costs are counted against."""
        if self.reference:
            return self.reference if self.reference in names else Path(self.reference).stem
        return "baseline" if "baseline" in names else names[0]

    def reference_scenario(self) -> Scenario:
        """The scenario every run is compared with (same seed)."""
        if self.reference:
            return self._burn_in(load_scenario(self.reference, city=self.city))
        return self.base_scenario()


def apply_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """A scenario with dotted-path values set; derived parameters are converted first."""
    plain = {k: v for k, v in values.items() if k not in DERIVED}
    sc = scenario.with_overrides(_typed(plain)) if plain else scenario
    derived: dict[str, Any] = {}
    for k, v in values.items():
        if k in DERIVED:
            derived.update(DERIVED[k][1](sc, float(v)))
    return sc.with_overrides(derived) if derived else sc


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """Round sampled values of integer parameters (the design keeps the raw sample)."""
    ints = integer_paths()
    return {k: int(round(v)) if k in ints and isinstance(v, float) else v
            for k, v in values.items()}


@functools.cache
def integer_paths() -> frozenset[str]:
    """Dotted paths of the scenario's integer parameters."""
    out = set()
    for path in parameter_paths():
        model: Any = Scenario
        *parents, leaf = path.split(".")
        for p in parents:
            model = model.model_fields[p].annotation
        if model.model_fields[leaf].annotation is int:
            out.add(path)
    return frozenset(out)


# ---- loading and checking -----------------------------------------------------------------
def known_experiments() -> dict[str, Path]:
    """Shipped experiment names -> files."""
    return {p.stem: p for p in sorted(EXPERIMENTS.glob("*.toml"))}


def resolve_experiment(ref: str | Path) -> Path:
    """An experiment name (``experiments/<name>.toml``) or path -> the file."""
    ref_s = str(ref)
    if ref_s.endswith(".toml") or "/" in ref_s or ref_s.startswith("."):
        if not Path(ref_s).exists():
            raise UserError(f"experiment file not found: {ref_s}")
        return Path(ref_s)
    known = known_experiments()
    if ref_s not in known:
        near = difflib.get_close_matches(ref_s, list(known), n=1)
        hint = f" Did you mean '{near[0]}'?" if near else ""
        raise UserError(f"unknown experiment '{ref_s}'.{hint} Shipped experiments: "
                        f"{', '.join(known) or 'none'}; or give a path to a .toml file.")
    return known[ref_s]


def validate_experiment(data: dict[str, Any], source: str) -> Experiment:
    """Validate an experiment dict (structure only); raises :class:`UserError`."""
    try:
        return Experiment.model_validate({**data, "source": source})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in err["loc"])
            loc = loc.lstrip(".")
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                model = {"design": Design, "parameters": Parameter}.get(
                    str(err["loc"][0]), Experiment) if len(err["loc"]) > 1 else Experiment
                valid = [f for f in model.model_fields if f != "source"]
                near = difflib.get_close_matches(str(err["loc"][-1]), valid, n=1)
                msg = "unknown field" + (f"; did you mean '{near[0]}'?" if near else
                                         f"; valid: {', '.join(valid)}")
            elif err["type"] == "literal_error":
                msg = f"{msg} (got {err.get('input')!r})"
            elif err["type"] == "string_pattern_mismatch":
                msg = f"must be {SLUG_HELP} (got {str(err.get('input'))[:60]!r})"
            elif "input" in err and not isinstance(err["input"], dict | list):
                msg = f"{msg} (got {str(err['input'])[:60]!r})"
            lines.append(f"field '{loc or 'experiment'}': {msg}.")
        raise UserError(" ".join(lines), file=source) from None


def load_experiment(ref: str | Path, **changes: Any) -> Experiment:
    """Load, validate and check an experiment file against the scenario schema.

    ``changes`` override top-level or design fields (e.g. ``n=64`` for a quick demo).
    """
    path = resolve_experiment(ref)
    data = read_toml(path, what="experiment file")
    data.setdefault("name", slugify(path.stem))
    if "city" in data and not (isinstance(data["city"], str)
                               and re.match(SLUG_PATTERN, data["city"])):
        raise UserError(f"must be {SLUG_HELP}: the name of a folder under calibration/.",
                        file=str(path), field="city")
    exp = validate_experiment(data, str(path))
    if changes:
        exp = exp.with_changes(**changes)
    check_experiment(exp)
    return exp


def check_experiment(exp: Experiment) -> None:
    """Check parameter paths, value ranges and outcome names; raises :class:`UserError`."""
    src = exp.source or None
    known = [p for p in parameter_paths() if p not in NOT_SWEEPABLE] + list(DERIVED)
    for i, p in enumerate(exp.parameters):
        if p.path not in known:
            near = difflib.get_close_matches(p.path, known, n=1, cutoff=0.5)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            why = " (set the horizon with the experiment's 'years')" if (
                p.path in NOT_SWEEPABLE) else ""
            raise UserError(f"unknown parameter '{p.path}'{why}.{hint} See `sim.model.scenario` "
                            "for the parameter names.", file=src, field=f"parameters[{i}].path")
    for key in exp.constants:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise UserError(f"unknown parameter '{key}'.{hint}", file=src, field="constants")
    base = _scenario(exp.base_scenario, src, "base")
    _scenario(exp.reference_scenario, src, "reference")
    for i, p in enumerate(exp.parameters):
        for value in (p.levels or []) + list(p.bounds or ()):
            try:
                apply_values(base, {p.path: value})
            except UserError as exc:
                raise UserError(f"value {value:g} of '{p.path}' is not allowed by the "
                                f"scenario: {exc}", file=src, field=f"parameters[{i}]") from None
    allowed = outcome_names(base)
    if exp.policies:
        _check_policies(exp, base, allowed)
    for o in exp.outcomes:
        if exp.policies and parse_policy_outcome(o) is not None:
            continue  # checked by _check_policies
        if o not in allowed:
            near = difflib.get_close_matches(o, allowed, n=1, cutoff=0.5)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            simple = [n for n in allowed if "." not in n]
            raise UserError(f"unknown outcome '{o}'.{hint} Allowed: {', '.join(simple)}, "
                            f"and {' / '.join(f'{a}.<id>' for a in AREA_PREFIXES)}.",
                            file=src, field="outcomes")


def _check_policies(exp: Experiment, base: Scenario, allowed: list[str]) -> None:
    """Check the policies: they load with distinct names and are not varied by a world.

    The reference and the policy outcomes must name listed policies.
    """
    src = exp.source or None
    for i, ref in enumerate(exp.policies or []):
        try:
            load_scenario(exp._near_file(ref), city=exp.city)
        except UserError as exc:
            raise UserError(f"policy '{ref}': {exc}", file=src, field=f"policies[{i}]") from None
    scenarios = _scenario(exp.policy_scenarios, src, "policies")
    names = list(scenarios)
    ref = exp.reference_policy(names)
    if ref not in names:
        raise UserError(f"reference '{exp.reference}' is not one of the policies "
                        f"({', '.join(names)}).", file=src, field="reference")
    params = {n: sc.params() for n, sc in scenarios.items()}
    for i, p in enumerate(exp.parameters):
        paths = ["boa.burglary_patrol_share", "boa.fte"] if p.path in DERIVED else [p.path]
        for path in paths:
            values = {n: get_dotted(v, path) for n, v in params.items()}
            if len(set(map(json.dumps, values.values()))) > 1:
                shown = ", ".join(f"{n} {v}" for n, v in values.items())
                raise UserError(f"'{p.path}' is a lever, not an uncertainty: the policies set "
                                f"'{path}' differently ({shown}); a world would override the "
                                "policies. Leave it out of [[parameters]].", file=src,
                                field=f"parameters[{i}].path")
        for name, sc in scenarios.items():
            for value in list(p.bounds or ()):
                try:
                    apply_values(sc, {p.path: value})
                except UserError as exc:
                    raise UserError(f"value {value:g} of '{p.path}' is not allowed in policy "
                                    f"'{name}': {exc}", file=src,
                                    field=f"parameters[{i}]") from None
    for o in exp.outcomes:
        try:
            parsed = parse_policy_outcome(o)
        except UserError as exc:
            raise UserError(str(exc.message), file=src, field="outcomes") from None
        if parsed is None:
            continue
        for pol in parsed[:2]:
            if pol is not None and pol not in names:
                near = difflib.get_close_matches(pol, names, n=1)
                hint = f" Did you mean '{near[0]}'?" if near else ""
                raise UserError(f"unknown policy '{pol}' in outcome '{o}'.{hint} Policies: "
                                f"{', '.join(names)}.", file=src, field="outcomes")
        if parsed[2] not in allowed:
            near = difflib.get_close_matches(parsed[2], allowed, n=1, cutoff=0.5)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise UserError(f"unknown outcome '{parsed[2]}' in '{o}'.{hint}", file=src,
                            field="outcomes")


def _scenario(make: Any, src: str | None, field: str) -> Scenario:
    try:
        return make()
    except UserError as exc:
        raise UserError(str(exc), file=src, field=field) from None


