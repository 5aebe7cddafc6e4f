"""``sim calibrate`` end to end.

Targets and data in, runs into a locked results folder, the search, validation, the
standard errors and the team prediction, and the result written as ``calibrated.toml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.analysis.calibration.result import CalibrationResult
from sim.analysis.calibration.search import Calibration
from sim.analysis.calibration.targets import apply_police, check_kwb, load_targets
from sim.core.errors import UserError
from sim.core.paths import RESULTS
from sim.data import load_kwb, load_police
from sim.runs.executors import make_executor
from sim.runs.folders import MadeBy, results_folder
from sim.runs.runner import cached_city
from sim.runs.store import ResultStore


def run_calibration(city: str, *, police: Path | None = None, kwb: Path | None = None,
                    replications: int | None = None, workers: int | None = None,
                    out: Path | None = None, results: Path | None = None,
                    seed: int | None = None, con: Any = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    accept_inconsistent: bool = False) -> CalibrationResult:
    """Load targets and data, search, validate; returns the result (not yet written).

    A police export that contradicts itself (:mod:`sim.data.police_checks`) is refused,
    naming the rows, unless ``accept_inconsistent``.
    """
    t = load_targets(city)
    if replications is not None:
        t.method.replications = replications
    if seed is not None:
        t.method.master_seed = seed
    if police is not None:
        data = load_police(police)
        bad = data.select(t.gemeente).inconsistencies()
        if bad and not accept_inconsistent:
            more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
            raise UserError("contradicts itself, so it cannot be a calibration target: "
                            + "; ".join(b.removeprefix("inconsistent: ") for b in bad[:3])
                            + f"{more}. Correct the file, or add --accept-inconsistent to "
                            "calibrate on it anyway.", file=str(police), field="--police")
        apply_police(t, data)
    if kwb is not None:
        c = cached_city(str(city))
        check_kwb(t, load_kwb(kwb), {w.code: w.households for w in c.wijken})
    out = Path(out) if out else t.path.with_name("calibrated.toml")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results = Path(results) if results else RESULTS / f"calibrate-{Path(city).name}-{stamp}"
    say = (lambda s: con.print(s, highlight=False)) if con is not None else (lambda s: None)
    made_by = MadeBy("calibrate", f"'sim calibrate {Path(city).name}' (seed "
                                  f"{t.method.master_seed}, {t.method.replications} "
                                  "replication(s) per candidate)",
                     {"city": str(city), "targets": hashlib.sha256(
                         t.path.read_bytes()).hexdigest()[:12], "seed": t.method.master_seed,
                      "replications": t.method.replications,
                      "police": str(police) if police else None,
                      "kwb": str(kwb) if kwb else None})
    with results_folder(results, made_by), ResultStore(results) as store, \
            make_executor(workers) as ex:
        store.set_meta("command", {"command": "calibrate", "city": str(city),
                                   "targets": str(t.path), "seed": t.method.master_seed})
        cal = Calibration(t, ex, store, report=say, progress=progress)
        val = cal.refine(cal.search())
        unc = cal.uncertainty(val)
        pred = cal.predict_team(val.u)
    return CalibrationResult(cal, val, out=out, results=results, police=police, kwb=kwb,
                             uncertainty=unc, prediction=pred)
