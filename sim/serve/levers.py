"""The live page's capacity levers: sliders over a scenario's enforcement capacity.

Each :class:`Lever` starts at the scenario's own value; :func:`apply_levers` changes the
scenario only for the levers that were moved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.core.errors import UserError
from sim.model.scenario import HOURS_PER_FTE_YEAR, Scenario


@dataclass(frozen=True)
class Lever:
    """One slider: its model parameter name, range and step, and the scenario's own value."""

    name: str
    lo: float
    hi: float
    step: float
    value: float  # the slider's position for the scenario (its own value, rounded to step)
    exact: float  # the scenario's own value
    integer: bool = False


def _on_step(x: float, step: float, lo: float, hi: float) -> float:
    return float(min(hi, max(lo, round(x / step) * step)))


def levers_of(sc: Scenario) -> dict[str, Lever]:
    """The page's sliders for a scenario, each positioned at the scenario's own value."""
    boa_total = sc.boa.fte * HOURS_PER_FTE_YEAR
    boa_hours = boa_total * sc.boa.burglary_patrol_share
    boa_hi = max(100.0, math.floor(boa_total / 100) * 100)
    team = sc.interventieteam
    team_years = team.last_year - team.first_year + 1
    horizon_years = max(1, math.ceil(sc.years))
    years_hi = max(horizon_years, 1)
    out = [
        Lever("boa_patrol_hours", 0, boa_hi, 100, _on_step(boa_hours, 100, 0, boa_hi),
              boa_hours, integer=True),
        Lever("team_fte", 0, 12, 0.5, _on_step(team.fte, 0.5, 0, 12), team.fte),
        Lever("team_years", 1, years_hi, 1, _on_step(team_years, 1, 1, years_hi), team_years,
              integer=True),
        Lever("regisseurs_per_gebied", 0, 5, 1, float(sc.wijkregisseur.per_gebied),
              sc.wijkregisseur.per_gebied, integer=True),
        Lever("wijkagenten_fte", 0, 40, 1, _on_step(sc.wijkagenten.fte, 1, 0, 40),
              sc.wijkagenten.fte),
    ]
    return {lv.name: lv for lv in out}


def apply_levers(sc: Scenario, values: dict[str, float | None]) -> Scenario:
    """The scenario with the sliders' values; a slider at the scenario's position changes nothing.

    ``values`` maps lever names to slider values (None: not given). Raises
    :class:`UserError` for a value the scenario refuses (e.g. more boa hours than boa's).
    """
    levers = levers_of(sc)
    changed = {k: float(v) for k, v in values.items()
               if v is not None and k in levers and abs(float(v) - levers[k].value) > 1e-9}
    if not changed:
        return sc
    over: dict[str, Any] = {}
    if "boa_patrol_hours" in changed:
        total = sc.boa.fte * HOURS_PER_FTE_YEAR
        if total <= 0:
            raise UserError("this scenario has no boa's, so no boa patrol hours can be set.",
                            field="boa_patrol_hours")
        over["boa.burglary_patrol_share"] = min(1.0, changed["boa_patrol_hours"] / total)
    if "team_fte" in changed:
        over["interventieteam.fte"] = changed["team_fte"]
    if "team_years" in changed:
        over["interventieteam.last_year"] = (sc.interventieteam.first_year
                                             + int(changed["team_years"]) - 1)
    if "regisseurs_per_gebied" in changed:
        over["wijkregisseur.per_gebied"] = int(changed["regisseurs_per_gebied"])
    if "wijkagenten_fte" in changed:
        over["wijkagenten.fte"] = changed["wijkagenten_fte"]
    return sc.with_overrides(over)


