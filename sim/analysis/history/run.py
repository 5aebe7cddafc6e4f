"""Run the historical period and hold it against the police record.

A history run is the ``baseline`` organisation of the city (with its calibration) started
on 1 January of ``from_year`` after the usual burn-in, with the city's drivers over time
and the programmes that actually ran (``drivers.toml``). Replications are spread over
draws of the parameters fitted to the record (``record_fit.toml`` ``[uncertainty]``), and
each run draws yearly local shocks of the size the region's other gemeenten show around the
national trend (:func:`sim.data.record.local_shock_sd`; ``drivers.local_shock_sd``), so the
90% band holds chance, the fit's uncertainty and the year-to-year wandering of a gemeente
that no national driver carries. ``local_shocks=False`` gives the band without them.

The programmes that ran are worked by the interventieteam with ``team``'s inputs: "record"
(default) uses the team after the city's own record where ``sim evidence --write`` wrote one
(``team_record.toml`` ``[team_after_record.inputs]``), else the scenario's priors; "studies"
always uses the priors (the team as predicted from studies elsewhere). The record fit and its
forecast test use "studies": the team's record was not theirs to use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.evidence.natural.posterior_file import read_team_record
from sim.core.errors import UserError
from sim.core.textio import read_toml
from sim.data.record import LAST_FIT_YEAR, load_record, local_shock_sd
from sim.model.city import city_folder
from sim.model.drivers import city_drivers
from sim.model.scenario import Scenario, deep_merge, load_scenario, validate_scenario
from sim.runs.executors import make_executor
from sim.runs.runner import RunRecord, RunSpec, cached_city, run_specs

#: The first year a history may start (the record starts in 2012).
FIRST_YEAR = 2012
#: Lockdowns (start, end as fractional years; names), shaded in the figure; the occupancy
#: driver carries them (drivers.toml: first lockdown 16 Mar - 1 Jun 2020, second lockdown
#: and curfew 15 Dec 2020 - 28 Apr 2021).
LOCKDOWNS = ((2020 + 75 / 365, 2020 + 152 / 365, "lockdown 1"),
             (2020 + 349 / 365, 2021 + 117 / 365, "lockdown 2"))
BAND = (5.0, 95.0)  # the 90% band, percentiles over runs
RECORD_FIT = "record_fit.toml"
#: Driver strengths that are priors with a stated range (scenario.py ``[drivers]``): each
#: parameter draw also draws them, half the draws below the prior value (uniform between
#: the range's low end and it) and half above (uniform up to the high end), so the median
#: stays the prior and the band holds the stated range.
PRIOR_RANGES = {"occupancy_strength": (0.5, 2.0), "hardening_pp_per_year": (0.8, 3.5)}


@dataclass
class HistoryResult:
    """Simulated and observed counts per year; the JSON contract of ``sim history``."""

    city: str
    gemeente: str
    years: list[int]
    observed: dict[int, int]
    runs: np.ndarray  # (runs, years) woninginbraken incl. attempts per year
    seed: int
    replications: int
    draws: int
    programmes: list[dict[str, Any]] = field(default_factory=list)
    lockdowns: list[tuple[float, float, str]] = field(default_factory=list)
    note: str = ""
    local_shock_sd: float = 0.0  # log sd of the yearly local shocks drawn (0: none)
    local_shock_window: tuple[int, int] | None = None
    team: str = "studies"  # whose team inputs ran: "studies" (priors) or "record"

    def band(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, 5th and 95th percentile per year."""
        return (self.runs.mean(axis=0), np.percentile(self.runs, BAND[0], axis=0),
                np.percentile(self.runs, BAND[1], axis=0))

    def rows(self) -> list[dict[str, Any]]:
        """Per year: observed, simulated mean, low, high, inside."""
        mean, lo, hi = self.band()
        out = []
        for i, y in enumerate(self.years):
            obs = self.observed.get(y)
            out.append({"year": y, "observed": obs, "simulated": round(float(mean[i]), 1),
                        "low": round(float(lo[i]), 1), "high": round(float(hi[i]), 1),
                        "inside": None if obs is None else bool(lo[i] <= obs <= hi[i])})
        return out

    def coverage(self, years: list[int] | None = None) -> float | None:
        """Share of the (observed) years whose count lies inside the 90% band."""
        rows = [r for r in self.rows() if r["inside"] is not None
                and (years is None or r["year"] in years)]
        return sum(r["inside"] for r in rows) / len(rows) if rows else None

    def rmse_log(self, years: list[int] | None = None) -> float | None:
        """Root mean squared error of log(simulated mean) against log(observed)."""
        rows = [r for r in self.rows() if r["observed"] and r["simulated"] > 0
                and (years is None or r["year"] in years)]
        if not rows:
            return None
        return math.sqrt(sum((math.log(r["simulated"]) - math.log(r["observed"])) ** 2
                             for r in rows) / len(rows))

    def record(self) -> dict[str, Any]:
        """The JSON contract, plus provenance keys.

        ``{"city", "years": [{"year", "observed", "simulated", "low", "high", "inside"}],
        "coverage", "rmse_log"}``.
        """
        cov, rmse = self.coverage(), self.rmse_log()
        return {"city": self.city, "years": self.rows(),
                "coverage": None if cov is None else round(cov, 4),
                "rmse_log": None if rmse is None else round(rmse, 4),
                "gemeente": self.gemeente,
                "band": ("90% over replications, parameter draws and yearly local shocks"
                         if self.local_shock_sd else
                         "90% over replications and parameter draws"),
                "local_shock_sd": round(self.local_shock_sd, 4),
                "team": ("after the city's own record (team_record.toml)"
                         if self.team == "record" else
                         "as predicted from studies elsewhere (the scenario's priors)"),
                "local_shock_source": (
                    None if not self.local_shock_sd else
                    "root mean square, over the record's other gemeenten, of the yearly log "
                    "count's deviation from the national trend less Poisson chance, "
                    f"{self.local_shock_window[0]}-{self.local_shock_window[1]}"),
                "replications": self.replications, "parameter_draws": self.draws,
                "seed": self.seed, "programmes": self.programmes,
                "lockdowns": [{"start": round(a, 4), "end": round(b, 4), "name": n}
                              for a, b, n in self.lockdowns],
                "source": "CBS/Politie 47018NED, code 1.1.1 (attempts included)",
                "note": self.note}


def record_draws(city: str, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` parameter override sets drawn from ``record_fit.toml`` ``[uncertainty]``.

    A multivariate normal around the estimates (their covariance: a higher elasticity goes
    with a higher level), clipped to the bounds, and the drivers' prior strengths over their
    stated ranges (:data:`PRIOR_RANGES`); none (the fitted values themselves) when the city
    has no record fit or ``n`` is 0.
    """
    path = city_folder(city) / RECORD_FIT
    if n <= 0 or not path.is_file():
        return [{}]
    unc = read_toml(path, what="record fit").get("uncertainty", {})
    names = unc.get("parameters", [])
    if not names:
        return [{}]
    mean = np.asarray(unc["estimate"], dtype=float)
    sd = np.asarray(unc["standard_error"], dtype=float)
    cov = np.asarray(unc.get("covariance", np.diag(sd**2)), dtype=float)
    lo, hi = np.asarray(unc["lower"], dtype=float), np.asarray(unc["upper"], dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 21]))
    x = np.clip(rng.multivariate_normal(mean, cov, size=n, method="eigh"), lo, hi)
    base = load_scenario("baseline", city=city).drivers
    out = []
    for i, row in enumerate(x):
        d = _nested(dict(zip(names, row.tolist(), strict=True)))
        for k, (a, b) in PRIOR_RANGES.items():
            mid = float(getattr(base, k))
            d.setdefault("drivers", {})[k] = float(rng.uniform(a, mid) if i % 2 else
                                                   rng.uniform(mid, b))
        out.append(d)
    return out


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, v in flat.items():
        node = out
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = v
    return out


def history_scenario(city: str, from_year: int, to_year: int,
                     overrides: dict[str, Any] | None = None,
                     scenario: str = "baseline") -> Scenario:
    """The scenario of a history run: ``scenario`` with the city's calibration, dated."""
    if not FIRST_YEAR <= from_year <= to_year:
        raise UserError(f"a history runs from {FIRST_YEAR} or later, and --from must not be "
                        f"after --to (got {from_year} to {to_year}).", field="--from")
    if to_year > 2100:
        raise UserError(f"--to {to_year} is too far ahead (at most 2100).", field="--to")
    sc = load_scenario(scenario, city=city)
    data = deep_merge(sc.params(), {"name": f"history-{sc.name}", "start_year": from_year,
                                    "years": to_year - from_year + 1})
    return validate_scenario(deep_merge(data, overrides or {}), source="sim history")


def simulate_years(runs: list[tuple[Scenario, int]], seed: int, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Yearly counts, one row per (scenario, replication); replication r: seed (seed, r).

    Two lists with the same replication numbers share their random numbers (common random
    numbers): the way to compare a history with and without a programme.
    """
    specs = [RunSpec(sc, seed, r, run_id=f"h{i}-r{r}", detail=False)
             for i, (sc, r) in enumerate(runs)]
    n_years = int(math.ceil(runs[0][0].years))
    out = np.full((len(runs), n_years), np.nan)
    done = [0]

    def keep(rec: RunRecord) -> None:
        if rec.status != "done":
            raise UserError(f"a history run failed: {rec.error}")
        i = int(rec.run_id.split("-")[0][1:])
        by_year = rec.summary["by_year"]
        start = runs[i][0].start_year
        out[i] = [by_year.get(str(start + k), np.nan) for k in range(n_years)]
        done[0] += 1
        if progress:
            progress(done[0], len(specs))

    with make_executor(workers) as ex:
        run_specs(specs, ex, keep)
    return out


def run_history(city: str = "amstelveen", *, replications: int = 20, from_year: int = 2012,
                to_year: int = LAST_FIT_YEAR, seed: int = 42, draws: int | None = None,
                workers: int | None = None, overrides: dict[str, Any] | None = None,
                progress: Callable[[int, int], None] | None = None,
                local_shocks: bool = True,
                shock_window: tuple[int, int] = (FIRST_YEAR, LAST_FIT_YEAR),
                team: str = "record") -> HistoryResult:
    """Simulate ``from_year``..``to_year`` and set it beside the record.

    ``draws``: parameter draws from the record fit (default: one per 2 replications);
    the replications are spread over them. ``local_shocks``: each run draws yearly local
    shocks of the size measured on the other gemeenten over ``shock_window``.
    """
    if replications < 1:
        raise UserError("needs at least 1 replication.", field="-r")
    n_draws = max(1, replications // 2) if draws is None else draws
    sets = record_draws(city, n_draws, seed)
    if team not in TEAMS:
        raise UserError(f"--team {team!r}: allowed {', '.join(TEAMS)}.", field="--team")
    team_inputs = team_after_record(city) if team == "record" else None
    if team_inputs:
        overrides = deep_merge({"interventieteam": team_inputs}, overrides or {})
    record = load_record()
    shock = 0.0
    if local_shocks:
        code = cached_city(load_scenario("baseline", city=city).city).code
        shock = local_shock_sd(record, exclude=code, window=shock_window)[0]
        overrides = deep_merge({"drivers": {"local_shock_sd": round(shock, 6)}},
                               overrides or {})
    scen = [history_scenario(city, from_year, to_year, deep_merge(s, overrides or {}))
            for s in sets]
    runs = simulate_years([(scen[r % len(scen)], r) for r in range(replications)], seed,
                          workers, progress)
    sc = scen[0]
    c = cached_city(sc.city)
    observed = {y: v for y, v in record.counts.get(c.code, {}).items()
                if from_year <= y <= min(to_year, LAST_FIT_YEAR)}
    drivers = city_drivers(c.folder)
    progs = [{"name": p.name, "start": round(p.start, 4), "end": round(p.end, 4),
              "fte": p.fte, "source": p.source}
             for p in (drivers.programmes if drivers and sc.drivers.programmes else ())]
    return HistoryResult(city=city, gemeente=c.code, years=list(range(from_year, to_year + 1)),
                         observed=observed, runs=runs, seed=seed, replications=len(runs),
                         draws=len(scen) if sets != [{}] else 0, programmes=progs,
                         lockdowns=list(LOCKDOWNS), local_shock_sd=shock,
                         local_shock_window=tuple(shock_window) if shock else None,
                         team="record" if team_inputs else "studies")


#: The team inputs a history can run with (``--team``).
TEAMS = ("record", "studies")


def team_after_record(city: str) -> dict[str, float] | None:
    """The team's inputs after the city's own record, or None when none were written."""
    rec = read_team_record(city) or {}
    inputs = (rec.get("team_after_record") or {}).get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        return None
    return {str(k): float(v) for k, v in inputs.items()}
