"""The plan of a comparison (scenarios, horizon, replications, seed) and its runs' data.

:class:`Plan` gives one :class:`~sim.runs.runner.RunSpec` per scenario and replication (run
id ``<scenario>-r<rep>``, group = scenario name), so replication ``r`` of every scenario
runs with the same seed (common random numbers); :class:`RunData` holds one scenario's
replications read back from the store.

With parameter draws (``sim compare --parameter-draws N``) replication ``r`` runs with
draw ``r mod N`` of the calibrated parameters, the same draw in every scenario: the
intervals then hold parameter uncertainty besides the simulation's own randomness, and
the scenarios still share their random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.scenario import Scenario
from sim.runs.runner import RunSpec


def run_id(name: str, replication: int) -> str:
    """Run id of one replication of a scenario in a comparison folder."""
    return f"{name}-r{replication:04d}"


@dataclass
class Plan:
    """Scenarios (horizon applied), replications and master seed of one comparison."""

    scenarios: list[Scenario]
    years: float
    replications: int
    master_seed: int
    #: Parameter draws ({dotted path: value}); replication r uses draw r mod len(draws).
    draws: list[dict[str, float]] = field(default_factory=list)
    #: Per scenario name, the paths a draw replaces (those it takes from calibrated.toml).
    drawn: dict[str, list[str]] = field(default_factory=dict)
    #: Provenance of the draws (comparison.json): source file, seed, estimate, covariance.
    draw_info: dict[str, Any] = field(default_factory=dict)
    _cache: dict[tuple[str, int], Scenario] = field(default_factory=dict, repr=False)

    @property
    def reference(self) -> Scenario:
        """The first scenario named: every change is measured against it."""
        return self.scenarios[0]

    def draw_of(self, replication: int) -> int | None:
        """The parameter draw replication ``replication`` runs with (None without draws)."""
        return replication % len(self.draws) if self.draws else None

    def scenario_for(self, sc: Scenario, replication: int) -> Scenario:
        """``sc`` with the replication's parameter draw applied (itself without draws)."""
        d = self.draw_of(replication)
        paths = self.drawn.get(sc.name, [])
        if d is None or not paths:
            return sc
        key = (sc.name, d)
        if key not in self._cache:
            self._cache[key] = sc.with_overrides({p: self.draws[d][p] for p in paths})
        return self._cache[key]

    def specs(self) -> list[RunSpec]:
        """One spec per replication and scenario, replication by replication."""
        return [RunSpec(self.scenario_for(sc, r), self.master_seed, r, run_id=run_id(sc.name, r),
                        group=sc.name)
                for r in range(self.replications) for sc in self.scenarios]


@dataclass
class RunData:
    """One scenario's replications as dense arrays (first axis: replication)."""

    seeds: list[int]
    hashes: list[str]
    attempts: np.ndarray  # (R, days, wijken) woninginbraken incl. attempts
    arrests: np.ndarray  # (R, days, wijken)
    cells: np.ndarray  # (R, grid cells) woninginbraken per grid cell
