"""Experiment files: the shipped ones load; bad ones give one clear error and exit code 2."""

from __future__ import annotations

import sys
import textwrap

import pytest

from sim.analysis.experiment import apply_values, known_experiments, load_experiment
from sim.cli import main
from sim.core.errors import UserError
from sim.model.scenario import HOURS_PER_FTE_YEAR

GOOD = """
name = "tiny"
base = "baseline"
master_seed = 1
replications = 1
years = 0.02
outcomes = ["woninginbraken_per_year"]

[design]
method = "sobol"
n = 4

[[parameters]]
path = "boa.burglary_patrol_share"
unit = "fraction"
bounds = [0.05, 0.3]

[[parameters]]
path = "offenders.active_offenders"
unit = "offenders"
bounds = [30, 60]
"""


def _write(tmp_path, text: str):
    p = tmp_path / "exp.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    old = sys.argv
    sys.argv = ["sim", *argv]
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = old
    cap = capsys.readouterr()
    return exc.value.code, cap.out + cap.err


def test_shipped_experiments_load_and_are_the_promised_kinds():
    known = known_experiments()
    methods = {}
    for name in known:
        exp = load_experiment(name)
        methods.setdefault(exp.design.method, []).append(exp)
    assert "grid" in methods and "sobol" in methods and "morris" in methods, (
        f"expected a grid, a Sobol and a Morris experiment, got {sorted(methods)}")
    grid = methods["grid"][0]
    assert {"boa.burglary_patrol_hours_per_year", "interventieteam.fte"} <= set(grid.names), (
        "the capacity grid must cross boa patrol hours with interventieteam FTE")
    assert max(len(e.parameters) for e in methods["sobol"]) >= 8, "Sobol needs 8+ parameters"


def test_good_file_loads_and_overrides_revalidate(tmp_path):
    exp = load_experiment(_write(tmp_path, GOOD))
    assert exp.names == ["boa.burglary_patrol_share", "offenders.active_offenders"]
    assert exp.with_changes(n=8).design.n == 8
    with pytest.raises(UserError, match="power of 2"):
        exp.with_changes(n=6)


def test_derived_patrol_hours_and_integer_rounding(baseline):
    sc = apply_values(baseline, {"boa.burglary_patrol_hours_per_year": 4218.0,
                                 "offenders.active_offenders": 40.6})
    expected = 4218.0 / (baseline.boa.fte * HOURS_PER_FTE_YEAR)
    assert sc.boa.burglary_patrol_share == pytest.approx(expected), "hours -> share conversion"
    assert sc.offenders.active_offenders == 41, "integer parameters are rounded, not refused"


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ('path = "boa.burglary_patrol_share"', 'path = "boa.burglary_patrol_shar"',
         ["unknown parameter 'boa.burglary_patrol_shar'",
          "Did you mean 'boa.burglary_patrol_share'", "parameters[0].path"]),
        ("bounds = [0.05, 0.3]", "bounds = [0.3, 0.05]",
         ["low < high", "reversed", "parameters[0].bounds"]),
        ("n = 4", "n = 100", ["power of 2", "use 64 or 128", "design"]),
        ('outcomes = ["woninginbraken_per_year"]', 'outcomes = ["woninginbraken_per_jaar"]',
         ["unknown outcome 'woninginbraken_per_jaar'",
          "Did you mean 'woninginbraken_per_year'", "outcomes"]),
        ("bounds = [0.05, 0.3]", "bounds = [0.05, 1.5]",
         ["value 1.5 of 'boa.burglary_patrol_share' is not allowed", "less than or equal"]),
        ('method = "sobol"', 'method = "fast"', ["design.method", "'grid'", "'morris'"]),
        ('path = "boa.burglary_patrol_share"', 'path = "years"',
         ["unknown parameter 'years'", "set the horizon"]),
        ("master_seed = 1", "master_seed = 1\nreplicas = 3",
         ["replicas", "unknown field", "did you mean 'replications'"]),
        ("n = 4", "n = 4\n[[", ["malformed TOML"]),
    ],
    ids=["unknown-parameter", "reversed-bounds", "n-not-power-of-2", "unknown-outcome",
         "out-of-range", "unknown-method", "not-sweepable", "unknown-field", "malformed"],
)
@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
def test_bad_files_give_clear_error_and_exit_2(tmp_path, capsys, old, new, expect, command):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    code, text = _cli([command, str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2, f"expected exit code 2, got {code}: {text}"
    assert "Traceback" not in text, f"a traceback leaked: {text}"
    assert str(path) in text.replace("\n", ""), f"the error must name the file: {text}"
    flat = " ".join(text.split())
    for fragment in expect:
        assert fragment in flat, f"expected {fragment!r} in the error: {flat}"
    assert not (tmp_path / "out" / "runs.sqlite").exists(), "no runs for a bad experiment"


def test_unknown_experiment_name_suggests(capsys):
    code, text = _cli(["sweep", "capaciteitt"], capsys)
    assert code == 2 and "Did you mean 'capaciteit'" in text, text


def test_grid_needs_levels(tmp_path, capsys):
    path = _write(tmp_path, GOOD.replace('method = "sobol"', 'method = "grid"'))
    code, text = _cli(["sweep", str(path)], capsys)
    assert code == 2 and "a grid needs a list of levels" in " ".join(text.split()), text
