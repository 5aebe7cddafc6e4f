"""Every experiment's ranges contain the model's current defaults.

A Morris or Sobol range that leaves out today's value (say a replacement range of 60-240
days when the default is 365) screens a model that is not the one in use. For every
experiment in experiments/, each parameter with bounds must contain the value the base
scenario (calibration and the experiment's constants applied) gives it; levels must
include it for a Morris or Sobol design.
"""

from __future__ import annotations

import pytest

from sim.analysis.experiment import apply_values, known_experiments, load_experiment
from sim.core.tree import get_dotted


@pytest.mark.parametrize("name", sorted(known_experiments()))
def test_ranges_contain_the_current_defaults(name):
    exp = load_experiment(name)
    sc = exp.base_scenario()
    if exp.constants:
        sc = apply_values(sc, dict(exp.constants))
    params = sc.params()
    outside = []
    for p in exp.parameters:
        value = get_dotted(params, p.path)
        if p.bounds is not None:
            lo, hi = p.bounds
            if not lo - 1e-9 <= value <= hi + 1e-9:
                outside.append(f"{p.path} = {value:g} outside [{lo:g}, {hi:g}]")
        elif exp.design.method in ("morris", "sobol") and p.levels and value not in p.levels:
            outside.append(f"{p.path} = {value:g} not among the levels {p.levels}")
    assert not outside, f"experiments/{name}.toml: " + "; ".join(outside)
