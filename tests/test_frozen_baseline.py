"""Frozen baseline: fixed-seed runs must reproduce tests/data/frozen_baseline.json exactly.

Integers (totals, fingerprints of every daily count and event) must match exactly, floats to
1e-9. A failure means model behaviour changed. If that change is intended (a new mechanism,
a fixed bug, new defaults), run `make freeze-baseline` and commit the reviewed diff; if it
is not (an optimisation that should give identical outputs), find what changed.
"""

from __future__ import annotations

import pytest

from sim.runs.frozen import FROZEN_FILE, FROZEN_SCENARIOS, check_runs, frozen_run, read_frozen

HINT = ("Model behaviour differs from the frozen baseline. Run `make freeze-baseline` ONLY if "
        "this change is intended, and review the diff of tests/data/frozen_baseline.json.")


@pytest.fixture(scope="module")
def stored():
    assert FROZEN_FILE.exists(), f"{FROZEN_FILE} is missing: run `make freeze-baseline`"
    return read_frozen()


def test_frozen_file_covers_the_shipped_scenarios(stored):
    assert set(stored["runs"]) == set(FROZEN_SCENARIOS), \
        f"frozen file holds {sorted(stored['runs'])}, expected {sorted(FROZEN_SCENARIOS)}"
    assert stored["calibrated"] is False, "frozen runs must not depend on calibrated.toml"
    for name, entry in stored["runs"].items():
        assert entry["scenario_hash"] and stored["package_version"], f"{name}: no provenance"


@pytest.mark.parametrize("name", FROZEN_SCENARIOS)
def test_fixed_seed_run_matches_frozen_summary(stored, name):
    diffs = check_runs(stored, {name: frozen_run(name)})
    more = f"\n  ... and {len(diffs) - 40} more" if len(diffs) > 40 else ""
    assert not diffs, HINT + "\n  " + "\n  ".join(diffs[:40]) + more
