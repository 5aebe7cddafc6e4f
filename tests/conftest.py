"""Shared helpers: small, fast runs of the real model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.model import RunOutput, WijkModel
from sim.model.scenario import Scenario, load_scenario
from sim.runs.runner import cached_city
from sim.runs.seeds import replication_seed


@pytest.fixture(scope="session")
def city():
    return cached_city("amstelveen")


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    return load_scenario("baseline")


def run_model(scenario: Scenario, *, years: float, seed: int = 1, replication: int = 0,
              overrides: dict | None = None) -> tuple[WijkModel, RunOutput]:
    """Run one replication of ``scenario`` (with dotted overrides) and return model and output."""
    sc = scenario.with_overrides(overrides or {}).model_copy(update={"years": years})
    model = WijkModel(sc, cached_city(sc.city), seed=replication_seed(seed, replication))
    return model, model.run()


def mean_total(scenario: Scenario, *, years: float, reps: int, overrides: dict | None = None,
               field: str = "attempts") -> float:
    """Mean over replications of the run's total count of ``field``."""
    return float(np.mean([getattr(run_model(scenario, years=years, replication=r,
                                            overrides=overrides)[1], field).sum()
                          for r in range(reps)]))


def invoke_cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run ``sim ARGS`` through the real entry point; return exit code, stdout, stderr."""
    import sys

    from sim.cli import main

    monkeypatch.setattr(sys, "argv", ["sim", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err
