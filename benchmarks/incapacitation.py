"""The incapacitation block measured: arrests per offender per year, and the team's dose-response.

Runs the calibrated Amstelveen scenarios for a few seeds (common random numbers) and prints

* arrests per active offender per year (at a burglary, and by the interventieteam's
  offender-focused work), with the share of the pool that is free on an average day;
* the interventieteam's effect on woninginbraken (attempts included) at 0, 1, 2, 4, 8 and 16
  FTE, its arrests per 100 offender-focused hours, and the second 8 FTE's prevented
  burglaries as a share of the first 8's (saturation).

    python benchmarks/incapacitation.py [--seeds 4] [--years 2]

Not a test (it takes a few minutes); ``tests/test_incapacitation.py`` checks the same
saturation on a smaller run.
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.model.model import WijkModel
from sim.model.scenario import load_scenario
from sim.runs.runner import cached_city


class FreeShare:
    """A study hook that records the free share of the pool each counted day."""

    def __init__(self) -> None:
        self.free: list[float] = []

    def __call__(self, model: WijkModel, day: int) -> None:  # noqa: D102
        if day >= model.burn_in_days:
            t = model.tick
            self.free.append(sum(b.free_from <= t for b in model.burglars)
                             / max(model.params.offenders.active_offenders, 1))


def run(fte: float, seed: int, years: float) -> dict[str, float]:
    """One run of the interventieteam scenario at ``fte`` (0 = baseline)."""
    sc = load_scenario("interventieteam").model_copy(update={"years": years})
    sc = sc.with_overrides({"interventieteam.fte": fte})
    hook = FreeShare()
    out = WijkModel(sc, cached_city(sc.city), seed=seed, study=hook).run()
    pool = sc.offenders.active_offenders
    t = sc.interventieteam
    offender_hours = fte * t.hours_per_fte_year * t.burglary_share * t.offender_focus_share
    return {"attempts": out.attempts.sum() / years,
            "per_100_hours": out.offender_arrests.sum() / years / max(offender_hours, 1e-9) * 100,
            "arrests_at_burglary": out.arrests.sum() / years / pool,
            "team_arrests": out.offender_arrests.sum() / years / pool,
            "free_share": float(np.mean(hook.free))}


def main() -> None:
    """Print the arrest rates and the dose-response."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--years", type=float, default=2.0)
    a = ap.parse_args()
    res = {f: [run(f, s, a.years) for s in range(a.seeds)] for f in (0, 1, 2, 4, 8, 16)}
    mean = {f: {k: float(np.mean([r[k] for r in rs])) for k in rs[0]} for f, rs in res.items()}
    pool = load_scenario("baseline").offenders.active_offenders
    print(f"pool {pool} offenders; {a.seeds} seeds x {a.years:g} years (calibrated Amstelveen)")
    print(f"{'FTE':>4} {'wib/yr':>7} {'effect':>7} {'arrests/offender/yr':>20} "
          f"{'of which team':>14} {'per 100 h':>9} {'free share':>10}")
    base = np.array([r["attempts"] for r in res[0]])
    prevented = {}
    for f, m in mean.items():
        d = base - np.array([r["attempts"] for r in res[f]])
        prevented[f] = float(d.mean())
        print(f"{f:>4} {m['attempts']:7.0f} {-prevented[f] / base.mean():+7.1%} "
              f"{m['arrests_at_burglary'] + m['team_arrests']:20.2f} "
              f"{m['team_arrests']:14.2f} {m['per_100_hours']:9.2f} {m['free_share']:10.0%}")
    print(f"second 8 FTE prevent {(prevented[16] - prevented[8]) / prevented[8]:.0%} of what "
          "the first 8 prevent (saturation: below 50%)")


if __name__ == "__main__":
    main()
