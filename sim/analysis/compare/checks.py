"""What a reader of a comparison must be warned about: too few replications, a short horizon.

:func:`comparison_checks` works on the comparison itself (``comparison.json``, also one
written by an older Wijksim), so ``sim compare`` and ``sim report`` say the same:

* fewer than :data:`~sim.analysis.compare.metrics.MIN_REPLICATIONS` replications: the
  intervals are wide and unstable; with the spread observed, how many replications would
  give a 90% interval of ±5% (on the reference's burglaries per year, and on each option's
  change against it, paired by replication);
* a programme that ends after the horizon (its effect after the end cannot be seen). A
  programme without an end inside the schema's longest horizon (``last_year = 2100``) is
  structural: listed, not warned about.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.compare.metrics import MIN_REPLICATIONS, TARGET_HALF_WIDTH, replications_for
from sim.model.scenario import MAX_YEARS


def horizon_end(comp: dict[str, Any]) -> int:
    """The last calendar year (partly) inside the comparison's horizon."""
    p = comp["provenance"]
    return int(p["start_year"]) + int(np.ceil(float(p["years"]))) - 1


def _totals(comp: dict[str, Any], name: str) -> np.ndarray | None:
    """Per replication, woninginbraken per year over the whole horizon (None if unknown)."""
    runs = (comp.get("figures") or {}).get("yearly_totals", {}).get(name)
    if not runs:
        return None
    arr = np.array([[np.nan if v is None else v for v in run] for run in runs], dtype=float)
    return arr.sum(axis=1) / float(comp["provenance"]["years"])


def needed_replications(comp: dict[str, Any]) -> int | None:
    """Replications that give ±5% intervals given the spread seen (None below 2 runs).

    The largest of: the reference's mean burglaries per year within ±5%, and each option's
    change against the reference within ±5 percentage points (paired differences).
    """
    ref = _totals(comp, comp["reference"])
    if ref is None or ref.size < 2:
        return None
    scale = float(np.mean(ref))
    needs = [replications_for(float(np.std(ref, ddof=1)), scale)]
    for row in comp["rows"]:
        if row["reference"]:
            continue
        s = _totals(comp, row["scenario"])
        if s is not None and s.shape == ref.shape:
            needs.append(replications_for(float(np.std(s - ref, ddof=1)), scale))
    known = [n for n in needs if n is not None]
    return max(known) if known else None


def programmes_past_horizon(comp: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """(programmes ending after the horizon, structural programmes), one dict per part."""
    start, end = int(comp["provenance"]["start_year"]), horizon_end(comp)
    late, structural = [], []
    for row in comp["rows"]:
        for part, (first, last) in (row.get("programme_parts") or {}).items():
            item = {"scenario": row["scenario"], "part": part, "first": int(first),
                    "last": int(last)}
            if last - start >= MAX_YEARS:
                structural.append(item)
            elif last > end:
                late.append(item)
    return late, structural


def comparison_checks(comp: dict[str, Any]) -> dict[str, Any]:
    """The warnings' data (language-free; the CLI and the report word them)."""
    reps = int(comp["provenance"]["replications"])
    late, structural = programmes_past_horizon(comp)
    return {
        "replications": reps,
        "min_replications": MIN_REPLICATIONS,
        "too_few_replications": reps < MIN_REPLICATIONS,
        "target_half_width_pct": TARGET_HALF_WIDTH,
        "needed_replications": needed_replications(comp),
        "horizon_end": horizon_end(comp),
        "programmes_past_horizon": late,
        "structural_programmes": structural,
    }
