"""The plan of a comparison (scenarios, horizon, replications, seed) and its runs' data.

:class:`Plan` gives one :class:`~sim.runs.runner.RunSpec` per scenario and replication (run
id ``<scenario>-r<rep>``, group = scenario name), so replication ``r`` of every scenario
runs with the same seed (common random numbers); :class:`RunData` holds one scenario's
replications read back from the store.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def reference(self) -> Scenario:
        """The first scenario named: every change is measured against it."""
        return self.scenarios[0]

    def specs(self) -> list[RunSpec]:
        """One spec per replication and scenario, replication by replication."""
        return [RunSpec(sc, self.master_seed, r, run_id=run_id(sc.name, r), group=sc.name)
                for r in range(self.replications) for sc in self.scenarios]


@dataclass
class RunData:
    """One scenario's replications as dense arrays (first axis: replication)."""

    seeds: list[int]
    hashes: list[str]
    attempts: np.ndarray  # (R, days, wijken) woninginbraken incl. attempts
    arrests: np.ndarray  # (R, days, wijken)
    cells: np.ndarray  # (R, grid cells) woninginbraken per grid cell
