"""``sim compare``: run scenarios with the same seeds and aggregate them side by side.

The flow: :func:`plan_comparison` loads the scenarios and fixes one horizon, seed and
replication count for all of them; :meth:`Plan.specs` gives one :class:`~sim.runs.runner.RunSpec`
per scenario and replication (run id ``<scenario>-r<rep>``, group = scenario name), so
replication ``r`` of every scenario runs with the same seed (common random numbers);
:func:`pending_specs` skips runs already in the folder's store (an interrupted comparison
resumes); :func:`load_data` reads the runs back from the store and :func:`aggregate` turns
them into the comparison: the key table (one row per scenario) and the data behind the
figures and the report (see ``sim/analysis/compare/metrics.py`` for the definitions).

Horizon: by default long enough for every scenario's programme plus
:data:`POST_PROGRAMME_YEARS` years after it (programmes ending 2027 from 2024: 6 years,
2024-2029), so persistence after the money stops is visible.

Uncertainty of every input (``parameter_draws=N``): :func:`draw_parameters` draws N joint
vectors of the calibrated free parameters (N(estimate, covariance) of the city's
``calibrated.toml`` ``[uncertainty]``), the mechanism strengths (their fits' standard
errors) and the priors (their stated ranges), see :mod:`sim.analysis.compare.draws`; draws that
hit a bound are counted. Replication r of every scenario runs with draw r mod N wherever
the scenario does not set that parameter itself. Each option then gets its effect per draw
(paired with the reference), the 5-95% quantiles across draws and the inputs that
dominate their spread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter

from sim import __version__
from sim.analysis.compare.checks import comparison_checks
from sim.analysis.compare.draws import draw_effects, draw_inputs
from sim.analysis.compare.metrics import LEVEL, mean_ci, month_edges, wdq_areas
from sim.analysis.compare.plan import Plan, RunData, run_id
from sim.analysis.compare.rows import programme_parts, scenario_row
from sim.analysis.compare.shock import shock_summary, shocked
from sim.analysis.evidence.natural.posterior_file import read_team_record
from sim.core.errors import UserError
from sim.core.jsonable import json_clean
from sim.core.paths import CALIBRATION
from sim.core.textio import read_toml
from sim.core.tree import get_dotted
from sim.data.record import load_record
from sim.model.city import City, city_folder
from sim.model.metrics import yearly
from sim.model.model import HOURS_PER_DAY, TICKS_PER_YEAR
from sim.model.scenario import Scenario, load_scenario
from sim.runs.executors import InlineExecutor
from sim.runs.runner import RunSpec, cached_city, run_specs
from sim.runs.seeds import replication_seed
from sim.runs.store import ResultStore

FORMAT = "wijksim-comparison/1"
COMPARISON_SHA_KEY = "comparison_sha256"
POST_PROGRAMME_YEARS = 2  # years after the last programme year shown by default
MAX_YEARS = 50  # the scenario schema's longest horizon
MAP_SMOOTHING_CELLS = 1.5  # Gaussian smoothing of the density maps (cells), for legibility


def programme_period(sc: Scenario) -> tuple[int, int] | None:
    """First and last year of the scenario's programme(s), or None when it has none."""
    spans = list(programme_parts(sc).values())
    if not spans:
        return None
    return min(a for a, _ in spans), max(b for _, b in spans)


def default_years(scenarios: list[Scenario]) -> float:
    """The longest scenario horizon, extended to show POST_PROGRAMME_YEARS after programmes.

    A programme without an end inside the schema's longest horizon (a structural measure,
    e.g. ``last_year = 2100``) does not extend the horizon.
    """
    start = scenarios[0].start_year
    need = [float(sc.years) for sc in scenarios]
    for sc in scenarios:
        period = programme_period(sc)
        if period and period[1] - start < MAX_YEARS:
            need.append(float(period[1] - start + 1 + POST_PROGRAMME_YEARS))
    return min(float(MAX_YEARS), max(need))


#: Entropy added to the master seed for the parameter draws (apart from the runs' seeds).
DRAW_SEED_TAG = 0x50415241  # "PARA"


def _path_value(sc: Scenario, path: str) -> Any:
    node: Any = sc
    for part in path.split("."):
        node = getattr(node, part)
    return node


def draw_parameters(city: str, n: int, seed: int,
                    defaults: Scenario | None = None) -> dict[str, Any]:
    """N joint draws of every uncertain input (see :mod:`sim.analysis.compare.draws`).

    Reads ``[uncertainty]`` of the city's ``calibrated.toml``; refuses (one line) when
    there is none. ``defaults``: the scenario the mechanisms and priors are drawn around
    (default: the baseline of the city). The draws are seeded from ``seed`` (the
    comparison's master seed) and a fixed tag, so the same command draws the same inputs.
    """
    path = city_folder(city) / "calibrated.toml"
    raw = read_toml(path, what="calibration file") if path.exists() else {}
    unc = raw.get("uncertainty")
    if not isinstance(unc, dict) or not unc.get("parameters"):
        raise UserError("--parameter-draws needs the calibrated parameters' standard errors, "
                        f"but {path} has no [uncertainty] table; rerun 'sim calibrate' for "
                        "the city first.", field="--parameter-draws")
    try:
        names = [str(p) for p in unc["parameters"]]
        mean = np.asarray(unc["estimate"], dtype=float)
        cov = np.asarray(unc["covariance"], dtype=float)
        lo = np.asarray(unc["lower"], dtype=float)
        hi = np.asarray(unc["upper"], dtype=float)
        k = len(names)
        if mean.shape != (k,) or cov.shape != (k, k) or lo.shape != (k,) or hi.shape != (k,):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise UserError("the [uncertainty] table is incomplete (parameters, estimate, "
                        "covariance, lower, upper); rerun 'sim calibrate' for the city.",
                        file=str(path), field="uncertainty") from None
    cov = np.nan_to_num((cov + cov.T) / 2)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), DRAW_SEED_TAG]))
    if defaults is None:
        defaults = load_scenario("baseline", city=city)
    got = draw_inputs({"parameters": names, "estimate": mean, "covariance": cov,
                       "lower": lo, "upper": hi}, defaults, n, rng)
    calibrated = raw.get("parameters", {})
    return {
        "n": n, "file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:12],
        "seed": [int(seed), DRAW_SEED_TAG], "parameters": list(got["draws"][0]),
        "calibrated_parameters": names, "estimate": mean.tolist(),
        "standard_error": [float(v) for v in np.sqrt(np.clip(np.diag(cov), 0, None))],
        "lower": lo.tolist(), "upper": hi.tolist(), "draws": got["draws"],
        "inputs": got["inputs"], "kinds": got["kinds"], "clipped": got["clipped"],
        "priors": got["priors"], "mechanisms": got["mechanisms"],
        # the value a scenario must hold for a draw to replace it (its own value is kept)
        "calibrated": {**{p: get_dotted(calibrated, p) for p in names}, **got["defaults"]},
    }


def drawn_paths(sc: Scenario, info: dict[str, Any]) -> list[str]:
    """The free parameters ``sc`` takes from the calibration (those a draw replaces)."""
    if not sc.use_calibration:
        return []
    out = []
    for p in info["parameters"]:
        cal = info["calibrated"].get(p)
        v = _path_value(sc, p)
        if isinstance(cal, int | float) and abs(float(v) - float(cal)) <= 1e-9 * max(
                1.0, abs(float(cal))):
            out.append(p)
    return out


def plan_comparison(refs: list[str], years: float | None = None, replications: int = 10,
                    seed: int = 42, city: str | None = None,
                    burn_in: float | None = None, parameter_draws: int | None = None,
                    shock: str | None = None) -> Plan:
    """Load the scenarios (clear errors for bad ones) and fix one horizon for all.

    ``parameter_draws``: spread the replications over this many draws of the calibrated
    parameters (see :func:`draw_parameters`). ``shock``: a scenario whose ``[[shocks]]``
    every option also runs with (:mod:`sim.analysis.compare.shock`).
    """
    if not refs:
        raise UserError("name at least one scenario (the first is the reference), e.g. "
                        "'sim compare baseline interventieteam'.", field="SCENARIO")
    scenarios = [load_scenario(r, city=city) for r in refs]
    if shock:
        scenarios = shocked(scenarios, shock, city)
    if burn_in is not None:
        scenarios = [sc.with_overrides({"burn_in_years": float(burn_in)}) for sc in scenarios]
    names = [sc.name for sc in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise UserError(f"scenario name(s) {', '.join(dup)} appear more than once; every "
                        "scenario in a comparison needs its own name (field 'name').",
                        field="name")
    for field, label in (("start_year", "start year"), ("city", "city"),
                         ("burn_in_years", "burn-in")):
        values = {getattr(sc, field) for sc in scenarios}
        if len(values) > 1:
            detail = ", ".join(f"{sc.name}: {getattr(sc, field)}" for sc in scenarios)
            raise UserError(f"scenarios in one comparison must share the {label} ({detail}).",
                            field=field)
    horizon = float(years) if years else default_years(scenarios)
    if not 0 < horizon <= MAX_YEARS:
        raise UserError(f"--years must be above 0 and at most {MAX_YEARS}; got {horizon}.",
                        field="--years")
    scenarios = [sc.model_copy(update={"years": horizon}) for sc in scenarios]
    if not parameter_draws:
        return Plan(scenarios, horizon, replications, seed)
    if not 1 <= parameter_draws <= replications:
        raise UserError(f"--parameter-draws must be 1 to the number of replications "
                        f"({replications}); got {parameter_draws}.", field="--parameter-draws")
    info = draw_parameters(scenarios[0].city, parameter_draws, seed, scenarios[0])
    draws = info["draws"]
    drawn = {sc.name: drawn_paths(sc, info) for sc in scenarios}
    info["scenarios"] = drawn
    info["replication_draw"] = [r % parameter_draws for r in range(replications)]
    info["note"] = ("replication r of every scenario runs with draw r mod n of every "
                    "uncertain input: the calibrated parameters (N(estimate, covariance) of "
                    "[uncertainty]), the mechanism strengths (their fits' standard errors) "
                    "and the priors (their stated ranges); 'clipped' counts the draws set to "
                    "a bound; a scenario's own value of a parameter is kept (its list here "
                    "leaves the parameter out)")
    return Plan(scenarios, horizon, replications, seed, draws, drawn, info)


def pending_specs(store: ResultStore, plan: Plan) -> list[RunSpec]:
    """Specs not yet finished in the store; refuses a folder holding a different comparison."""
    runs = store.runs()
    done = {r.run_id: r for r in runs.itertuples() if r.status == "done"}
    pending = []
    for spec in plan.specs():
        row = done.get(spec.run_id)
        if row is None:
            pending.append(spec)
            continue
        same = (row.scenario_hash == spec.scenario.content_hash()
                and row.master_seed == spec.master_seed and abs(row.years - plan.years) < 1e-9)
        if not same:
            raise UserError(
                f"the results folder already holds run {spec.run_id} with other settings "
                f"(scenario hash {row.scenario_hash}, seed {row.master_seed}, {row.years:g} "
                f"years; now {spec.scenario.content_hash()}, seed {spec.master_seed}, "
                f"{plan.years:g} years). Choose another --out folder or delete this one.",
                file=str(store.path), field="--out")
    return pending


def load_data(store: ResultStore, plan: Plan, city: City) -> dict[str, RunData]:
    """Read every scenario's finished runs of this plan back from the store."""
    days = -(-int(round(plan.years * TICKS_PER_YEAR)) // HOURS_PER_DAY)  # as in the model
    codes = {w.code: i for i, w in enumerate(city.wijken)}
    out = {}
    for sc in plan.scenarios:
        ids = [run_id(sc.name, r) for r in range(plan.replications)]
        runs = store.runs(group=sc.name).set_index("run_id").loc[ids]
        index = {rid: i for i, rid in enumerate(ids)}
        shape = (len(ids), days, city.n_wijken)
        attempts, arrests = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
        d = store.daily(ids)
        r, day, w = d["run_id"].map(index).to_numpy(), d["day"].to_numpy(), d["wijk"].map(codes)
        attempts[r, day, w.to_numpy()] = d["woninginbraken"].to_numpy()
        # all arrests: at a burglary, and by offender-focused work (interventieteam)
        arrests[r, day, w.to_numpy()] = (d["arrests"] + d["offender_arrests"]).to_numpy()
        cells = np.zeros((len(ids), city.wijk_of_cell.size), np.int64)
        ev = store.events(ids)
        np.add.at(cells, (ev["run_id"].map(index).to_numpy(), ev["cell"].to_numpy()), 1)
        out[sc.name] = RunData([int(s) for s in runs["seed"]], list(runs["scenario_hash"]),
                               attempts, arrests, cells)
    return out


def calibration_info(city: str) -> dict[str, Any]:
    """Which calibrated parameters the scenarios were loaded with (file, hash, contents)."""
    path = CALIBRATION / city.lower() / "calibrated.toml"
    if not path.exists():
        return {"file": None, "used": False,
                "note": "no calibrated.toml: the scenario files and schema defaults apply"}
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        data = {}
    # a city folder outside calibration/ (--city DIR, e.g. with --parameter-draws): as given
    shown = path.relative_to(CALIBRATION.parent) if path.is_relative_to(CALIBRATION.parent) \
        else path
    return {"file": str(shown), "used": True,
            "sha256": hashlib.sha256(raw).hexdigest()[:12], "contents": data,
            "record_fit": record_fit_info(path.parent)}


def record_fit_info(folder: Path) -> dict[str, Any] | None:
    """The fit to the police record merged over calibrated.toml (which fit, its hash)."""
    path = folder / "record_fit.toml"
    if not path.exists():
        return None
    raw = path.read_bytes()
    data = read_toml(path, what="record fit")
    return {"file": path.name, "sha256": hashlib.sha256(raw).hexdigest()[:12],
            "council_fit": data.get("council_fit"), "parameters": data.get("parameters"),
            "note": "the comparison uses the fit on every year up to 2023 (council_fit); "
                    "the fit on 2012-2019 was tested on 2020-2023 first (sim history --fit)"}


def observed_levels(city: str) -> dict[str, Any] | None:
    """The city's observed woninginbraken per year (``targets.toml``), for figure 1.

    ``{"years": {"2015": 367, ...}, "source": "..."}``; None when the city has none.
    """
    try:
        path = city_folder(city) / "targets.toml"
        raw = read_toml(path, what="targets file") if path.exists() else {}
    except UserError:
        return None
    rec = recorded_levels(city)
    if rec is not None:
        return rec
    level = (raw.get("targets") or {}).get("level") or {}
    obs = level.get("observed")
    if not isinstance(obs, dict):
        return None
    years = {str(int(y)): float(v) for y, v in obs.items()
             if str(y).isdigit() and isinstance(v, int | float)}
    return {"years": dict(sorted(years.items())), "source": str(level.get("source", ""))} \
        if years else None


#: Figure 1 shows the record's last years before a comparison (the whole record is in
#: ``sim history``'s figure).
RECORD_YEARS_SHOWN = 5


def recorded_levels(city: str) -> dict[str, Any] | None:
    """The last years of the city's police record (CBS/Politie 47018NED), or None."""
    try:
        meta = read_toml(city_folder(city) / "city.toml", what="city file")
        series = load_record().counts.get(str(meta.get("gemeente_code", "")))
    except UserError:
        return None
    if not series:
        return None
    last = sorted(series)[-RECORD_YEARS_SHOWN:]
    return {"years": {str(y): float(series[y]) for y in last},
            "source": f"CBS/Politie 47018NED, code 1.1.1 (attempts included), "
                      f"{last[0]}-{last[-1]}"}


def quarterly(attempts: np.ndarray) -> list[list[float]]:
    """Per replication, woninginbraken per model quarter (91 or 92 days; last may be partial)."""
    per_day = attempts.sum(axis=2)
    edges = [0, 90, 181, 273, 365]  # 365-day years: Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec
    out, start = [], 0
    while start < per_day.shape[1]:
        y, q = divmod(len(out), 4)
        a, b = y * 365 + edges[q], y * 365 + edges[q + 1]
        out.append(per_day[:, a:min(b, per_day.shape[1])].sum(axis=1))
        start = b
    return np.column_stack(out).tolist() if out else []


def _density_map(cells: np.ndarray, mask: np.ndarray, years: float, cell_km2: float) -> np.ndarray:
    """Mean woninginbraken per km² per year on the grid, smoothed inside the city."""
    mean = cells.mean(axis=0).reshape(mask.shape) / years / cell_km2
    m = mask.astype(float)
    num = gaussian_filter(mean * m, MAP_SMOOTHING_CELLS)
    den = gaussian_filter(m, MAP_SMOOTHING_CELLS)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mask, num / np.where(den > 0, den, 1.0), np.nan)


def aggregate(plan: Plan, data: dict[str, RunData], city: City,
              command: str = "", results_dir: str = "",
              history: dict[str, Any] | None = None) -> dict[str, Any]:
    """The comparison: provenance, key table rows and the data behind the figures.

    ``command`` is the command line that made the folder; ``history`` (from
    :func:`sim.runs.folders.folder_history`) adds the commands that resumed it.
    """
    history = history or {}
    created = history.get("created_by") or {}
    ref = plan.reference
    ref_data = data[ref.name]
    households = np.array([w.households for w in city.wijken], dtype=float)
    ref_wijk = ref_data.attempts.sum(axis=1).mean(axis=0)
    areas = wdq_areas(ref_wijk, city.wijk_adjacency())
    gebieden = city.gebied_of_wijk
    rows = [scenario_row(sc, data[sc.name], ref_data, plan, areas, households, gebieden,
                         programme_period(sc)) for sc in plan.scenarios]
    if plan.draws:  # each option's effect across draws of every uncertain input
        totals = {sc.name: data[sc.name].attempts.sum(axis=(1, 2)) for sc in plan.scenarios}
        reps = [plan.draw_of(r) for r in range(plan.replications)]
        for row, sc in zip(rows, plan.scenarios, strict=True):
            if sc.name != ref.name:
                row["draw_effect"] = draw_effects(totals[sc.name], totals[ref.name], reps,
                                                  plan.draw_info["inputs"])
    days = ref_data.attempts.shape[1]
    months = month_edges(days)
    mask = city.wijk_of_cell >= 0
    cell_km2 = (city.cell_size_m / 1000.0) ** 2
    maps = {sc.name: _density_map(data[sc.name].cells, mask, plan.years, cell_km2)
            for sc in plan.scenarios}
    codes = [w.code for w in city.wijken]
    comp = {
        "format": FORMAT,
        "reference": ref.name,
        "rows": rows,
        "provenance": {
            "package_version": __version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": created.get("command") or command,
            "resumed_by": history.get("resumed_by", []),
            "results_dir": results_dir,
            "city": city.name,
            "master_seed": plan.master_seed,
            "replications": plan.replications,
            "replication_seeds": [replication_seed(plan.master_seed, r)
                                  for r in range(plan.replications)],
            "years": plan.years,
            "start_year": ref.start_year,
            "level": LEVEL,
            "scenarios": {sc.name: {"hash": sc.content_hash(), "params": sc.params(),
                                    "run_seeds": data[sc.name].seeds,
                                    **({"run_hashes": data[sc.name].hashes} if plan.draws
                                       else {})}
                          for sc in plan.scenarios},
            "parameter_draws": plan.draw_info or None,
            "calibration": calibration_info(ref.city),
            "wdq_areas": {k: [codes[i] for i in v] for k, v in areas.items()},
        },
        "figures": {
            "months": [f"{ref.start_year + y}-{m:02d}" for y, m, _, _ in months],
            "monthly": {sc.name: _monthly(data[sc.name].attempts, months)
                        for sc in plan.scenarios},
            "wijken": [{"code": w.code, "name": city.label(i), "gebied": w.gebied,
                        "source": w.source}
                       for i, w in enumerate(city.wijken)],
            "gebieden": {str(g): city.gebied_names.get(g, str(g)) for g in city.gebieden},
            "map": {"shape": list(mask.shape), "cell_size_m": city.cell_size_m,
                    "layout": city.layout,
                    # RD New (EPSG:28992) north-west corner of the grid, and each wijk's
                    # outline as rings of (x, y) in RD New: None without outlines
                    "origin_rd": list(city.origin_rd) if city.origin_rd else None,
                    "outlines": city.outlines,
                    "households": [w.households for w in city.wijken],
                    "wijk_of_cell": city.wijk_of_cell.tolist(),
                    "density": {k: np.round(v, 2).tolist() for k, v in maps.items()}},
            "yearly_totals": {sc.name: yearly(data[sc.name].attempts.sum(axis=2).T).T.tolist()
                              for sc in plan.scenarios},
            # per replication and quarter (Jan-Mar ...; the last may be partial), for
            # figure 1 when the horizon is short
            "quarterly_totals": {sc.name: quarterly(data[sc.name].attempts)
                                 for sc in plan.scenarios},
            "observed": observed_levels(ref.city),
        },
        # the team's effect predicted from studies elsewhere and after the city's own record
        # (sim evidence --write, study record_team); None when not written
        "team_estimates": read_team_record(ref.city),
    }
    comp["checks"] = comparison_checks(comp)
    shock = shock_summary(plan.scenarios, data)  # sim compare --shock (sim.analysis.compare.shock)
    if shock is not None:
        comp["shock"] = shock
    return comp


def _monthly(attempts: np.ndarray, months: list[tuple[int, int, int, int]]) -> dict[str, list]:
    """Mean woninginbraken per month with its interval (partial months scaled up)."""
    lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    per_day = attempts.sum(axis=2)
    cols = [per_day[:, a:b].sum(axis=1) * lengths[m - 1] / (b - a) for _, m, a, b in months]
    mean, lo, hi = mean_ci(np.column_stack(cols))
    return {"mean": mean.tolist(), "lo": lo.tolist(), "hi": hi.tolist()}


def run_comparison(plan: Plan, folder: str | Path,
                   runner: Callable[[list[RunSpec], ResultStore], Any] | None = None,
                   command: str = "", history: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run what is missing of a plan into ``folder``'s store and write comparison.json.

    ``runner(specs, store)`` runs and commits the specs (default: in this process, each
    run committed as it finishes); the CLI passes one with a progress bar and workers.
    ``history``: the folder's creating and resuming command lines (provenance).
    Returns the comparison.
    """
    with ResultStore(folder) as store:
        pending = pending_specs(store, plan)
        store.set_meta("comparison", {"scenarios": [s.name for s in plan.scenarios],
                                      "years": plan.years, "replications": plan.replications,
                                      "seed": plan.master_seed,
                                      "parameter_draws": len(plan.draws)})
        if pending:
            if runner is None:
                run_specs(pending, InlineExecutor(), store.add_run)
            else:
                runner(pending, store)
        city = cached_city(plan.reference.city)
        comp = aggregate(plan, load_data(store, plan, city), city, command, str(folder), history)
        write_comparison(comp, Path(folder), store)
    return comp


def write_comparison(comparison: dict[str, Any], folder: Path,
                     store: ResultStore | None = None) -> Path:
    """Write ``comparison.json`` (NaN as null) into the folder.

    With ``store``, its SHA-256 is recorded in the store (meta ``comparison_sha256``), so
    ``sim report`` can tell that the file and the runs belong together.
    """
    path = Path(folder) / "comparison.json"
    blob = json.dumps(json_clean(comparison), ensure_ascii=False).encode("utf-8")
    tmp = path.with_suffix(".json.tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)  # never a half-written comparison.json
    if store is not None:
        store.set_meta(COMPARISON_SHA_KEY, hashlib.sha256(blob).hexdigest())
    return path
