"""What ``sim serve`` shows: a scenario, live, or a finished comparison folder.

The target is checked before the server starts (a bad name or file is a one-line error,
exit 2); the page reads it from the environment variable :data:`TARGET_ENV`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

#: The environment variable that tells the page what to show (JSON of a :class:`Target`).
TARGET_ENV = "WIJKSIM_SERVE_TARGET"
#: What the live page opens on: a real comparison (the interventieteam against the
#: reference, huidige inzet), not the reference against itself.
DEFAULT_LIVE = "interventieteam"


@dataclass(frozen=True)
class Target:
    """What the page shows: ``kind`` "live" (a scenario name or file) or "meeting" (a folder)."""

    kind: str
    ref: str

    def to_env(self) -> str:
        """JSON for :data:`TARGET_ENV`."""
        return json.dumps(asdict(self))


def target_from_env() -> Target:
    """The page's target (the default comparison, live, when nothing is set)."""
    raw = os.environ.get(TARGET_ENV)
    if raw:
        try:
            data = json.loads(raw)
            if data.get("kind") in ("live", "meeting") and isinstance(data.get("ref"), str):
                return Target(data["kind"], data["ref"])
        except (ValueError, AttributeError):
            pass
    return Target("live", DEFAULT_LIVE)


def resolve_target(arg: str | None) -> Target:
    """``sim serve [SCENARIO_OR_FOLDER]``: checked now, so a bad one is a one-line error."""
    if arg is None or not str(arg).strip():
        return Target("live", DEFAULT_LIVE)
    path = Path(arg)
    if path.is_dir():
        from sim.serve.meeting import load_meeting

        load_meeting(path)  # a folder must be a finished comparison
        return Target("meeting", str(path.resolve()))
    from sim.model.scenario import load_scenario
    from sim.runs.runner import cached_city

    sc = load_scenario(arg)
    cached_city(sc.city)
    is_file = arg.endswith(".toml") or "/" in arg or arg.startswith(".")
    return Target("live", str(path.resolve()) if is_file else arg)
