"""Calibration targets of a city (``calibration/<city>/targets.toml``) and the data behind them.

The file declares what is fitted (``[[free]]`` parameters with bounds), to what
(``[targets.*]``: observed value or range, the tolerance that scales the loss, the
acceptance criterion, the source), how (``[method]``: horizons, replications, design
sizes, seed, the Jacobian's step) and what is predicted but not fitted
(``[prediction.team_effect]``: the former interventieteam, an out-of-sample check). A police
export (``--police``) replaces the yearly levels for the years it covers and adds per-wijk
share targets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import UserError
from sim.core.textio import read_toml
from sim.data import KwbData, PoliceData
from sim.data.table import listing
from sim.model.city import city_folder
from sim.model.scenario import parameter_paths

#: Targets a city may give, in the order of the fit table (moments of one replication, see
#: :func:`sim.analysis.calibration.search.replication_moments`).
TARGET_NAMES = ("level", "attempt_share", "clearance_rate", "in_act_share", "knox_ratio",
                "seasonal_ratio", "holiday_ratio", "concentration", "top5_share",
                "rank_stability")
#: Prefix of the per-wijk share targets' names (``share:WK036201``).
WIJK_PREFIX = "share:"


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration fits, within bounds."""

    path: str
    lower: float
    upper: float
    informs: str = ""  # the target it mainly moves (documentation)


@dataclass(frozen=True)
class Target:
    """One moment to match: ``z = (simulated - value) / tolerance`` (relative for the level)."""

    name: str
    value: float
    tolerance: float
    accept: float  # |simulated - value| (relative for the level) counted as a fit
    source: str
    weight: float = 1.0
    relative: bool = False
    range: tuple[float, float] | None = None  # an observed range: value is its middle

    @property
    def scale(self) -> float:
        """The tolerance in the moment's own unit (``value * tolerance`` for the level)."""
        return self.tolerance * abs(self.value) if self.relative else self.tolerance

    def z(self, simulated: float) -> float:
        """Standardized distance of ``simulated`` from the target."""
        d = simulated / self.value - 1.0 if self.relative else simulated - self.value
        return d / self.tolerance

    def error(self, simulated: float) -> float:
        """Distance in the unit of ``accept``."""
        return simulated / self.value - 1.0 if self.relative else simulated - self.value

    def accepted(self, simulated: float) -> bool:
        """Whether ``simulated`` fits (inside the range, or within ``accept``)."""
        if self.range is not None:
            return self.range[0] <= simulated <= self.range[1]
        return abs(self.error(simulated)) <= self.accept


@dataclass
class Method:
    """How the fit is run (see :mod:`sim.analysis.calibration.search`)."""

    burn_in_years: int = 1
    measure_years: float = 2.0
    replications: int = 4
    stages: list[int] = field(default_factory=lambda: [24, 12, 12])
    shrink: float = 0.5
    validation_replications: int = 20
    corrections: int = 2
    prior_weight: float = 0.01
    master_seed: int = 362
    jacobian_step: float = 0.05  # central-difference step, as a share of each bound range
    jacobian_replications: int = 10  # per Jacobian point (replications 0.., as validation)


@dataclass(frozen=True)
class Reported:
    """A reported before/after change the team's predicted effect is compared with."""

    first_year: int
    last_year: int
    value: float  # relative change, e.g. -0.30
    source: str


@dataclass
class TeamPrediction:
    """The former interventieteam's effect, predicted (not fitted) at the optimum."""

    team_first_year: int
    team_last_year: int
    first_year: int  # the measured years (the effect over these, and per year)
    last_year: int
    fte: float
    replications: int | None = None  # default: method.validation_replications
    reported: list[Reported] = field(default_factory=list)
    note: str = ""


@dataclass
class Targets:
    """Everything ``sim calibrate`` needs to know about one city."""

    path: Path
    city: str
    gemeente: str
    scenario: str
    team_scenario: str
    free: list[FreeParameter]
    targets: dict[str, Target]
    method: Method
    level_observed: dict[int, float] = field(default_factory=dict)
    fit_years: list[int] = field(default_factory=list)
    holdout_year: int | None = None
    per_wijk: dict[str, float] = field(default_factory=dict)  # observed mean per year
    per_wijk_weight: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)  # what the observations came from
    warnings: list[str] = field(default_factory=list)
    prediction: TeamPrediction | None = None

    def wijk_targets(self) -> dict[str, Target]:
        """Per-wijk share targets (``share:<code>``) from the police export's counts.

        The observed share is the wijk's mean count over the fit years divided by the
        level; its tolerance is the binomial standard error of a share of N burglaries (N:
        the level times the number of fit years) divided by sqrt(per_wijk weight), so a
        weight below 1 widens it (wijk-level detail is modelled only roughly).
        """
        if not self.per_wijk or self.per_wijk_weight <= 0:
            return {}
        level = self.targets["level"].value
        n = level * len(self.fit_years)
        out = {}
        for w, count in self.per_wijk.items():
            p = min(max(count / level, 0.0), 1.0)
            sd = math.sqrt(max(p * (1 - p), 0.25 / n) / n) / math.sqrt(self.per_wijk_weight)
            out[WIJK_PREFIX + w] = Target(
                WIJK_PREFIX + w, p, sd, 2 * sd, f"{self.data.get('per_wijk', 'police export')}")
        return out

    def all_targets(self) -> dict[str, Target]:
        """The named targets, then the per-wijk shares: every moment of the fit."""
        return {**self.targets, **self.wijk_targets()}

    def set_level(self, observed: dict[int, float], source: str) -> None:
        """Set the yearly observations and the level target (mean over the fit years)."""
        missing = [y for y in self.fit_years if observed.get(y) is None]
        if missing:
            raise UserError(
                f"no observed woninginbraken for fit year(s) {listing(map(str, missing))}; "
                f"years with observations: {listing(str(y) for y, v in observed.items() if v)}.",
                file=str(self.path), field="targets.level.fit_years",
            )
        self.level_observed = {y: float(v) for y, v in observed.items() if v is not None}
        lvl = self.targets["level"]
        mean = sum(self.level_observed[y] for y in self.fit_years) / len(self.fit_years)
        self.targets["level"] = Target(
            "level", mean, lvl.tolerance, lvl.accept, source, lvl.weight, relative=True)


def _num(d: dict, key: str, where: str, path: Path, default: Any = None) -> Any:
    v = d.get(key, default)
    if v is None or isinstance(v, bool) or not isinstance(v, int | float):
        raise UserError(f"must be a number (got {v!r})", file=str(path), field=f"{where}.{key}")
    return v


def _free(raw: list, path: Path) -> list[FreeParameter]:
    known = set(parameter_paths())
    out = []
    for i, f in enumerate(raw):
        where = f"free[{i}]"
        p = str(f.get("path", ""))
        if p not in known:
            import difflib

            near = difflib.get_close_matches(p, sorted(known), n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise UserError(f"unknown parameter '{p}'.{hint}", file=str(path),
                            field=f"{where}.path")
        lo, hi = _num(f, "lower", where, path), _num(f, "upper", where, path)
        if not lo < hi:
            raise UserError(f"lower ({lo}) must be below upper ({hi})", file=str(path),
                            field=f"{where}.lower")
        out.append(FreeParameter(p, float(lo), float(hi), str(f.get("informs", ""))))
    if not out:
        raise UserError("no [[free]] parameters to fit", file=str(path), field="free")
    return out


def _target(name: str, d: dict, path: Path) -> Target:
    where = f"targets.{name}"
    src = str(d.get("source", "")).strip()
    if not src:
        raise UserError("name the source of the target (or write 'estimate')", file=str(path),
                        field=f"{where}.source")
    weight = float(_num(d, "weight", where, path, 1.0))
    if weight <= 0:
        raise UserError(f"must be above 0 (got {weight})", file=str(path),
                        field=f"{where}.weight")
    r = d.get("range")
    if r is not None and "value" not in d:
        # an observed range: its middle is the target, half its width the tolerance
        ok = (isinstance(r, list) and len(r) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in r))
        if not ok or not r[0] < r[1]:
            raise UserError(f"must be [low, high] with low < high (got {r!r})", file=str(path),
                            field=f"{where}.range")
        mid, half = (r[0] + r[1]) / 2, (r[1] - r[0]) / 2
        tol = float(_num(d, "tolerance", where, path, half))
        return Target(name, mid, tol, half, src, weight, range=(float(r[0]), float(r[1])))
    tol = float(_num(d, "tolerance", where, path))
    if tol <= 0:
        raise UserError(f"must be above 0 (got {tol})", file=str(path), field=f"{where}.tolerance")
    accept = float(_num(d, "accept", where, path, tol))
    value = 1.0 if name == "level" else float(_num(d, "value", where, path))
    return Target(name, value, tol, accept, src, weight, relative=name == "level")


def load_targets(city: str | Path) -> Targets:
    """Read and check ``<city folder>/targets.toml``."""
    folder = city_folder(city)
    path = folder / "targets.toml"
    if not path.exists():
        raise UserError("no targets file: create targets.toml in the city folder (see "
                        "calibration/amstelveen/targets.toml)", file=str(path))
    raw = read_toml(path, what="targets file")
    tgt_raw = raw.get("targets", {})
    if not isinstance(tgt_raw, dict):
        raise UserError("must be a table of targets", file=str(path), field="targets")
    if "team_effect" in tgt_raw:
        raise UserError("the interventieteam's effect is no longer a target: it is predicted "
                        "at the optimum and compared with the reported change; move it to "
                        "[prediction.team_effect] (see calibration/amstelveen/targets.toml)",
                        file=str(path), field="targets.team_effect")
    unknown = sorted(set(tgt_raw) - set(TARGET_NAMES) - {"per_wijk"})
    if unknown:
        raise UserError(f"unknown target(s) {', '.join(unknown)}; known: "
                        f"{', '.join(TARGET_NAMES)}, per_wijk", file=str(path), field="targets")
    if "level" not in tgt_raw:
        raise UserError("a [targets.level] table is required", file=str(path), field="targets")
    m = raw.get("method", {})
    method = Method(**{k: m[k] for k in Method.__dataclass_fields__ if k in m})
    if not method.stages or min(method.stages) < 2:
        raise UserError("stages must list design sizes of 2 or more", file=str(path),
                        field="method.stages")
    if not 0 < method.jacobian_step <= 0.5:
        raise UserError(f"must be above 0 and at most 0.5 (got {method.jacobian_step})",
                        file=str(path), field="method.jacobian_step")
    if method.jacobian_replications < 2:
        raise UserError("must be 2 or more", file=str(path), field="method.jacobian_replications")
    t = Targets(
        path=path, city=str(city), gemeente=str(raw.get("gemeente", "")).upper(),
        scenario=str(raw.get("scenario", "baseline")),
        team_scenario=str(raw.get("team_scenario", "interventieteam")),
        free=_free(raw.get("free", []), path),
        targets={n: _target(n, tgt_raw[n], path) for n in TARGET_NAMES if n in tgt_raw},
        method=method,
        per_wijk_weight=float(tgt_raw.get("per_wijk", {}).get("weight", 0.0)),
    )
    lvl = tgt_raw["level"]
    t.fit_years = [int(y) for y in lvl.get("fit_years", [])]
    t.holdout_year = int(lvl["holdout_year"]) if "holdout_year" in lvl else None
    if not t.fit_years:
        raise UserError("list the years to fit, e.g. fit_years = [2017]", file=str(path),
                        field="targets.level.fit_years")
    if t.holdout_year in t.fit_years:
        raise UserError("the hold-out year must not be a fit year", file=str(path),
                        field="targets.level.holdout_year")
    obs = {int(y): v for y, v in lvl.get("observed", {}).items()}
    t.set_level(obs, t.targets["level"].source)
    t.data["level"] = f"{path.name} [targets.level] ({t.targets['level'].source})"
    pred = raw.get("prediction", {})
    if not isinstance(pred, dict):
        raise UserError("must be a table", file=str(path), field="prediction")
    if "team_effect" in pred:
        t.prediction = _prediction(pred["team_effect"], path)
    return t


def _years(d: dict, key: str, where: str, path: Path) -> tuple[int, int]:
    v = d.get(key)
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(y, int) for y in v)
            and v[0] <= v[1]):
        raise UserError(f"must be [first, last] years (got {v!r})", file=str(path),
                        field=f"{where}.{key}")
    return int(v[0]), int(v[1])


def _prediction(d: Any, path: Path) -> TeamPrediction:
    where = "prediction.team_effect"
    if not isinstance(d, dict):
        raise UserError("must be a table", file=str(path), field=where)
    team = _years(d, "team_years", where, path)
    measured = _years(d, "measured_years", where, path)
    if not team[0] <= measured[0] <= measured[1] <= team[1]:
        raise UserError(f"the measured years {list(measured)} must lie within the team's years "
                        f"{list(team)}", file=str(path), field=f"{where}.measured_years")
    reps = d.get("replications")
    if reps is not None and (not isinstance(reps, int) or reps < 2):
        raise UserError(f"must be a whole number of 2 or more (got {reps!r})", file=str(path),
                        field=f"{where}.replications")
    reported = []
    for i, r in enumerate(d.get("reported", [])):
        w = f"{where}.reported[{i}]"
        first, last = _years(r, "years", w, path)
        src = str(r.get("source", "")).strip()
        if not src:
            raise UserError("name the source", file=str(path), field=f"{w}.source")
        reported.append(Reported(first, last, float(_num(r, "value", w, path)), src))
    return TeamPrediction(team[0], team[1], measured[0], measured[1],
                          float(_num(d, "fte", where, path)), reps, reported,
                          str(d.get("note", "")).strip())


def apply_police(t: Targets, police: PoliceData) -> None:
    """Take yearly levels and per-wijk targets from a police export."""
    data = police.select(t.gemeente)
    totals = data.yearly_totals(t.gemeente)
    years = [y for y in [*t.fit_years, t.holdout_year] if y is not None]
    if any(totals.get(y) is None for y in t.fit_years):
        raise UserError(
            f"the export has no complete woninginbraak count for {t.gemeente} in fit year(s) "
            f"{listing(str(y) for y in t.fit_years if totals.get(y) is None)}; it covers "
            f"{listing(str(y) for y, v in totals.items() if v is not None)}. Adjust "
            f"targets.level.fit_years in {t.path}.", file=str(police.path),
        )
    observed = dict(t.level_observed)
    observed.update({y: v for y, v in totals.items() if v is not None and y in years})
    t.set_level(observed, f"police export {police.path.name}")
    per_wijk = {}
    for w, counts in data.yearly_by_wijk(t.gemeente).items():
        vals = [counts.get(y) for y in t.fit_years]
        if all(v is not None for v in vals):
            per_wijk[w] = sum(vals) / len(vals)
    t.per_wijk = per_wijk
    t.data["level"] = f"{police.path} ({police.form}; gemeente {t.gemeente})"
    t.data["per_wijk"] = f"{police.path}: {len(per_wijk)} wijken, fit years {t.fit_years}"
    t.warnings.extend(data.warnings())


def check_kwb(t: Targets, kwb: KwbData, wijk_households: dict[str, int]) -> None:
    """Compare the city's households per wijk with a KWB export; warn on differences > 10%."""
    rows = kwb.select(t.gemeente).wijken()
    t.data["kwb"] = f"{kwb.path}: {len(rows)} wijken of {t.gemeente}"
    off = []
    for r in rows:
        model = wijk_households.get(r.code)
        if model is None or r.households is None:
            continue
        if abs(model / r.households - 1) > 0.10:
            off.append(f"{r.code} ({model:,} in wijken.csv vs {r.households:,} in KWB)")
    missing = sorted(set(wijk_households) - {r.code for r in rows})
    if off:
        t.warnings.append(f"households differ by more than 10% from the KWB export: "
                          f"{listing(off, 6)}; update wijken.csv from the export")
    if missing:
        t.warnings.append(f"wijken of the city table absent from the KWB export: "
                          f"{listing(missing)}")
