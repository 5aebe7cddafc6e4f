"""A city's parameters from another city's calibration: the transfer test's starting point.

``python -m sim.analysis.history.transfer amersfoort --from amstelveen`` writes
``calibration/amersfoort/calibrated.toml``: the source city's calibrated behaviour unchanged
(the ``[parameters]`` of its ``calibrated.toml`` and ``record_fit.toml``), plus the
target city's own inputs that the schema defaults hold for Amstelveen — boa and wijkagent
FTE, active offenders and the reference investigation hours —
scaled by the ratio of the two cities' households (the issue's "Amstelveen's per-household
ratios", marked as estimates). Nothing is fitted to the target city: that is the test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.model.city import city_folder, load_city
from sim.model.scenario import Scenario, calibrated_parameters

#: Inputs scaled per household (dotted path -> what the scaled value means).
PER_HOUSEHOLD = {
    "boa.fte": "boa FTE",
    "wijkagenten.fte": "wijkagenten FTE",
    "offenders.active_offenders": "active offenders",
    "investigation.reference_investigation_hours_per_year": "reference investigation hours",
}


def transfer_toml(target: str, source: str) -> str:
    """The text of ``calibrated.toml`` for ``target`` from ``source``'s calibration."""
    behaviour = calibrated_parameters(source)  # calibrated.toml, then record_fit.toml
    hh_src = int(load_city(source).households.sum())
    hh_tgt = int(load_city(target).households.sum())
    ratio = hh_tgt / hh_src
    defaults = Scenario(name="defaults").params()
    own: dict[str, dict[str, tuple[float, str]]] = {}
    for path, what in PER_HOUSEHOLD.items():
        sec, key = path.split(".")
        value = defaults[sec][key] * ratio
        value = int(round(value)) if key == "active_offenders" else round(value, 1)
        own.setdefault(sec, {})[key] = (value, f"estimate: {source}'s {what} "
                                        f"({defaults[sec][key]:g}) per household x {hh_tgt:,} "
                                        f"households")
    lines = [f"# Parameters for {target}: NOT fitted to {target} (the transfer test).",
             f"# Behaviour: {source}'s calibrated [parameters], copied unchanged from "
             f"calibration/{source}/ (calibrated.toml, then record_fit.toml if present).",
             f"# Own inputs: {source}'s per-household ratios x {target}'s households "
             f"({hh_tgt:,} / {hh_src:,} = {ratio:.4f}); estimates, no {target} source found.",
             f"# Made by `python -m sim.analysis.history.transfer {target} --from {source}`; "
             "rerun it "
             "after a new calibration of the source city.", ""]
    sections = sorted(set(behaviour) | set(own))
    for sec in sections:
        lines.append(f"[parameters.{sec}]")
        for key, value in behaviour.get(sec, {}).items():
            if key not in own.get(sec, {}):
                lines.append(f"{key} = {value!r}  # {source}'s calibration")
        for key, (value, note) in own.get(sec, {}).items():
            lines.append(f"{key} = {value!r}  # {note}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write ``calibration/<target>/calibrated.toml``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("target")
    ap.add_argument("--from", dest="source", default="amstelveen")
    args = ap.parse_args(argv)
    out = Path(city_folder(args.target)) / "calibrated.toml"
    out.write_text(transfer_toml(args.target, args.source), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
