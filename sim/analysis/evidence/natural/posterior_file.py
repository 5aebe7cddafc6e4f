"""The team's two estimates on file: ``calibration/<city>/team_record.toml``.

``sim evidence --write`` writes them from the ``record_team`` study; ``sim compare`` (and
the report, through the comparison's JSON) reads them with :func:`read_team_record`, so a
comparison shows both "predicted from studies elsewhere" and "after Amstelveen's own record"
without running the study again.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from sim.core.textio import read_toml
from sim.core.tomlwrite import dumps as toml_dumps
from sim.model.city import city_folder

TEAM_RECORD = "team_record.toml"
#: The scenario that runs the team with its inputs after the city's own record
#: (``team_after_record.inputs``; tests/test_natural.py keeps the two equal).
RECORD_TEAM_SCENARIO = "interventieteam-na-registratie"
KEYS = ("predicted_from_studies", "after_record", "after_record_p5", "after_record_p95",
        "record_estimate", "z", "contradicts", "plain", "plain_nl", "method")


def runs_team(comp: dict[str, Any], scenario: str) -> bool:
    """Whether a comparison's option ``scenario`` staffs an interventieteam."""
    params = comp["provenance"]["scenarios"].get(scenario, {}).get("params", {})
    return float(params.get("interventieteam", {}).get("fte", 0) or 0) > 0


def write_team_record(study: dict[str, Any], city: str) -> Path:
    """Write the posterior of a ``record_team`` study (and what it rests on)."""
    p = study["posterior"]
    o, s = study["observed"], study["simulated"]
    data = {"team_estimates": {k: p[k] for k in KEYS},
            "observed": {"did_others": o["did_others"]["effect"],
                         "did_national": o["did_national"]["effect"],
                         "synthetic_control": o["synthetic_control"]["effect"],
                         "pre": o["pre"], "post": o["post"],
                         "confounders": o["confounders"]},
            "simulated": {**{k: s[k] for k in ("effect", "p5", "p95", "replications", "seed")
                             if k in s},
                          **({"strength_curve": s["strength_curve"]}
                             if "strength_curve" in s else {})},
            **({"team_after_record": study["team_after_record"]}
               if "team_after_record" in study else {}),
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    path = city_folder(city) / TEAM_RECORD
    path.write_text("# Written by `sim evidence --write` (study record_team); rerun it rather "
                    "than editing.\n" + toml_dumps(_finite(data)), encoding="utf-8")
    return path


def read_team_record(city: str) -> dict[str, Any] | None:
    """The team's two estimates of a city, or None when none were written."""
    try:
        path = city_folder(city) / TEAM_RECORD
    except Exception:  # noqa: BLE001 — a bad city is reported elsewhere
        return None
    if not path.is_file():
        return None
    raw = read_toml(path, what="team record")
    est = raw.get("team_estimates")
    return {**est, "observed": raw.get("observed", {}),
            "team_after_record": raw.get("team_after_record"), "file": path.name} if isinstance(
        est, dict) else None


def _finite(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan"
    return obj
