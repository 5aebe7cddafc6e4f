"""Frozen baseline: a stored summary of fixed-seed runs, so behaviour changes become diffs.

``python -m sim.runs.frozen --write`` (``make freeze-baseline``) runs every shipped scenario in
:data:`FROZEN_SCENARIOS` once, with a fixed master seed, over its own horizon, and writes
``tests/data/frozen_baseline.json``; ``python -m sim.runs.frozen --check`` (and
``tests/test_frozen_baseline.py``) runs them again and compares: integers exactly, floats to
1e-9. Refresh the file only when a change in model behaviour is intended, and review its diff.

The runs ignore ``calibration/<city>/calibrated.toml`` (``load_scenario(...,
calibrated=False)``), so calibrating the city does not break the comparison. Each entry
carries its provenance: scenario content hash, run seed, horizon and package version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.core.errors import UserError
from sim.core.paths import ROOT
from sim.model.scenario import load_scenario
from sim.runs.runner import RunSpec, execute

FROZEN_FILE = ROOT / "tests" / "data" / "frozen_baseline.json"
FROZEN_SCENARIOS = ("baseline", "interventieteam", "wijkregisseur")
MASTER_SEED = 20240101  # fixed; replication 0
FORMAT = 1
REL_TOL = ABS_TOL = 1e-9
EVENT_FIELDS = ("tick", "cell", "wijk", "completed", "arrested")  # not offender ids


def _digest(*arrays: np.ndarray) -> str:
    """SHA-256 (first 16 hex) of arrays as little-endian int64 (platform-independent)."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype="<i8").tobytes())
    return h.hexdigest()[:16]


def _jsonable(obj: Any) -> Any:
    """Plain JSON types; NaN and infinities become None."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer | np.bool_):
        return obj.item()
    if isinstance(obj, float | np.floating):
        f = float(obj)
        return None if not math.isfinite(f) else f
    return obj


def frozen_run(name: str) -> dict[str, Any]:
    """Run one scenario at the frozen seed (uncalibrated) and summarise it."""
    scenario = load_scenario(name, calibrated=False)
    rec = execute(RunSpec(scenario, MASTER_SEED, 0, detail=True, run_id=f"frozen-{name}"))
    if rec.status != "done" or rec.output is None:
        raise RuntimeError(f"frozen run of '{name}' failed: {rec.error}")
    out = rec.output
    ev = out.events
    return _jsonable({
        "scenario_hash": rec.scenario_hash,
        "seed": rec.seed,
        "years": rec.years,
        "totals": {
            "attempts": int(out.attempts.sum()),
            "completed": int(out.completed.sum()),
            "arrests": int(out.arrests.sum()),
            "events": int(len(ev)),
        },
        # exact fingerprints of every daily count and every event (time, place, outcome)
        "daily_sha256": _digest(out.attempts, out.completed, out.arrests),
        "events_sha256": _digest(*(ev[f] for f in EVENT_FIELDS)),
        "summary": rec.summary,
    })


def frozen_document(names: tuple[str, ...] = FROZEN_SCENARIOS) -> dict[str, Any]:
    """The whole frozen file: provenance and one entry per scenario."""
    return {
        "format": FORMAT,
        "about": "Fixed-seed runs compared by tests/test_frozen_baseline.py. Refresh ONLY "
                 "on purpose: `make freeze-baseline`, then review the diff.",
        "package_version": __version__,
        "numpy_version": np.__version__,
        "master_seed": MASTER_SEED,
        "replication": 0,
        "calibrated": False,
        "runs": {name: frozen_run(name) for name in names},
    }


def compare(stored: Any, fresh: Any, path: str = "") -> list[str]:
    """Differences between two JSON trees: integers and strings exact, floats to 1e-9."""
    where = path or "<root>"
    if isinstance(stored, dict) and isinstance(fresh, dict):
        diffs = []
        for key in sorted(set(stored) | set(fresh)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in fresh:
                diffs.append(f"{sub}: missing from the fresh run (stored {stored[key]!r})")
            elif key not in stored:
                diffs.append(f"{sub}: new in the fresh run ({fresh[key]!r})")
            else:
                diffs.extend(compare(stored[key], fresh[key], sub))
        return diffs
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return [f"{where}: length {len(stored)} stored, {len(fresh)} now"]
        return [d for i, (a, b) in enumerate(zip(stored, fresh, strict=True))
                for d in compare(a, b, f"{path}[{i}]")]
    both_float = isinstance(stored, float) or isinstance(fresh, float)
    if both_float and isinstance(stored, int | float) and isinstance(fresh, int | float) \
            and not isinstance(stored, bool) and not isinstance(fresh, bool):
        if math.isclose(stored, fresh, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
    elif type(stored) is type(fresh) and stored == fresh:
        return []
    return [f"{where}: stored {stored!r}, now {fresh!r}"]


def check_runs(stored_doc: dict[str, Any], fresh_runs: dict[str, Any]) -> list[str]:
    """Differences in the results of the runs (provenance fields are reported, not judged)."""
    diffs = []
    for name, fresh in fresh_runs.items():
        stored = stored_doc.get("runs", {}).get(name)
        if stored is None:
            diffs.append(f"{name}: not in the frozen file")
            continue
        results = {k: v for k, v in fresh.items() if k != "scenario_hash"}
        kept = {k: v for k, v in stored.items() if k != "scenario_hash"}
        found = compare(kept, results, name)
        if found and stored.get("scenario_hash") != fresh.get("scenario_hash"):
            found.append(f"{name}: note: the scenario content hash changed too "
                         f"({stored.get('scenario_hash')} -> {fresh.get('scenario_hash')}): "
                         "scenario files, schema defaults or city data changed")
        diffs.extend(found)
    return diffs


def read_frozen(path: Path = FROZEN_FILE) -> dict[str, Any]:
    """Read the frozen file, or explain how to create it."""
    if not path.exists():
        raise UserError("no frozen baseline yet; create it with `make freeze-baseline` "
                        "(python -m sim.runs.frozen --write)", file=str(path))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON ({exc}); regenerate it with `make freeze-baseline`",
                        file=str(path)) from None


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.runs.frozen --write | --check [--file PATH]``."""
    ap = argparse.ArgumentParser(prog="python -m sim.runs.frozen",
                                 description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="run and store the frozen summary")
    mode.add_argument("--check", action="store_true", help="run and compare with the stored one")
    ap.add_argument("--file", type=Path, default=FROZEN_FILE, help="the frozen JSON file")
    args = ap.parse_args(argv)
    try:
        if args.write:
            doc = frozen_document()
            args.file.parent.mkdir(parents=True, exist_ok=True)
            args.file.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n",
                                 encoding="utf-8")
            names = ", ".join(doc["runs"])
            print(f"wrote {args.file} ({names}); review the diff before committing")
            return 0
        stored = read_frozen(args.file)
        fresh = frozen_document()["runs"]
        diffs = check_runs(stored, fresh)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if diffs:
        more = f"\n  ... and {len(diffs) - 40} more" if len(diffs) > 40 else ""
        print("frozen baseline differs:\n  " + "\n  ".join(diffs[:40]) + more, file=sys.stderr)
        print("If this change in behaviour is intended, run `make freeze-baseline`.",
              file=sys.stderr)
        return 1
    print(f"frozen baseline matches ({', '.join(stored['runs'])})")
    stale = [n for n in fresh if stored["runs"][n].get("scenario_hash")
             != fresh[n]["scenario_hash"]]
    if stale:
        print(f"note: same results, but the scenario content hash changed for {', '.join(stale)}"
              " (parameters without effect here, or data-file comments); refresh the stored "
              "provenance with `make freeze-baseline` when convenient")
    return 0


if __name__ == "__main__":
    sys.exit(main())
