"""sim compare --shock (issue 23, item 5): twins with the wave, excess and recovery."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.compare.shock import recovery_weeks, shocked, weekly
from sim.core.errors import UserError
from sim.model.scenario import load_scenario


def test_every_option_gets_a_twin_with_the_wave():
    options = [load_scenario(n) for n in ("baseline", "interventieteam")]
    out = shocked(options, "inbraakgolf", None)
    assert [s.name for s in out] == ["baseline", "baseline__inbraakgolf", "interventieteam",
                                     "interventieteam__inbraakgolf"]
    assert not out[0].shocks and out[1].shocks
    assert out[3].interventieteam == out[2].interventieteam, "the option itself is unchanged"


def test_a_shock_without_waves_is_refused():
    with pytest.raises(UserError, match="no \\[\\[shocks\\]\\]"):
        shocked([load_scenario("baseline")], "interventieteam", None)


def test_recovery_is_counted_from_the_start_to_half_the_peak():
    excess = np.array([0.0] * 10 + [8.0] * 8 + [4.0] * 4 + [1.0] * 10)
    rec = recovery_weeks(excess, start_week=10, smooth_weeks=4)
    assert rec["peak_excess"] == 8.0
    # the 4-week mean is 8 from week 13; (8 + 4 + 4 + 4) / 4 = 5 in week 20, 4 in week 21:
    # 11 weeks after the start
    assert rec["half_recovery_weeks"] == 11
    flat = recovery_weeks(np.full(20, 3.0), 0, smooth_weeks=4)
    assert flat["half_recovery_weeks"] is None, "no recovery"
    # relative to the counts without the wave, a seasonal swing is no recovery
    season = 10 + 5 * np.sin(np.arange(104) / 52 * 2 * np.pi)
    rel = recovery_weeks(0.3 * season, 0, season)
    assert rel["half_recovery_weeks"] is None and abs(rel["peak_excess"] - 0.3) < 1e-9


def test_weekly_sums_whole_weeks():
    a = np.ones((2, 15, 3), dtype=int)
    assert weekly(a).tolist() == [[21, 21], [21, 21]]


def test_report_section_has_the_table_and_the_figure():
    import matplotlib

    matplotlib.use("Agg")
    from sim.report.shock import shock_section

    weeks = 30
    opt = {"excess_burglaries": 50.0, "excess_interval": [30.0, 70.0],
           "fewer_than_reference": None, "fewer_interval": None, "half_recovery_weeks": None,
           "weekly_with_shock": [3.0] * weeks, "weekly_without_shock": [2.0] * weeks}
    comp = {"shock": {"reference": "baseline", "start": "2025-03-01", "start_week": 10,
                      "options": [{**opt, "scenario": "baseline"},
                                  {**opt, "scenario": "interventieteam",
                                   "fewer_than_reference": 5.0, "fewer_interval": [1.0, 9.0],
                                   "half_recovery_weeks": 12}]}}
    blocks, figs = shock_section(comp, "nl")
    assert blocks[0].text == "Als er een inbraakgolf komt"
    table = next(b for b in blocks if b.kind == "table")
    assert table.items[0][3] == "niet binnen de periode" and table.items[1][3] == "12"
    assert "fig_shock" in figs and any(b.key == "fig_shock" for b in blocks)
