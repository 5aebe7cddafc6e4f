"""Drivers over time: sourced series, stated interpolation rules, applied by date."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.errors import UserError
from sim.core.paths import CALIBRATION
from sim.data.drivers import load_drivers, year_fraction
from sim.model.drivers import DriverClock
from sim.model.model import WijkModel
from sim.model.scenario import load_scenario


@pytest.fixture(scope="module")
def drivers():
    return load_drivers(CALIBRATION / "amstelveen")


def test_every_point_and_programme_names_a_source(drivers):
    for s in drivers.series.values():
        assert all(src.strip() for src in s.sources)
    assert all(p.source for p in drivers.programmes)
    assert drivers.hardening_source.startswith("estimate")


def test_offending_follows_suspects_log_linearly_and_is_held_after(drivers):
    off = drivers.series["offending"]
    a, b = year_fraction("2012-07-01"), year_fraction("2021-07-01")
    assert off.at(a) == pytest.approx(8440) and off.at(b) == pytest.approx(2110)
    mid = off.at((a + b) / 2)
    assert mid == pytest.approx(np.sqrt(8440 * 2110)), "constant rate: geometric midpoint"
    assert off.at(2025.0) == pytest.approx(2110), "held at the last known value"
    assert off.at(2005.0) == pytest.approx(8440)


def test_lockdowns_come_from_the_occupancy_series(drivers):
    occ = drivers.series["occupancy"]
    assert occ.at(year_fraction("2020-04-15")) > 3 * occ.at(2019.5), "first lockdown"
    assert occ.at(year_fraction("2021-02-01")) > occ.at(year_fraction("2020-09-01"))
    assert occ.at(2023.5) > occ.at(2019.5), "more work from home after than before"


def test_the_team_works_only_in_the_periods_that_ran(drivers):
    sc = load_scenario("baseline")
    clock = DriverClock(drivers, sc, 2018, 6 * 365)
    day = lambda date: int(round((year_fraction(date) - 2018) * 365))  # noqa: E731
    assert clock.team_fte[day("2018-06-01")] == 4, "police team, spring 2018"
    assert clock.team_fte[day("2018-12-01")] == 0
    assert clock.team_fte[day("2019-02-27")] == 0 and clock.team_fte[day("2019-03-02")] == 4
    assert clock.team_fte[day("2023-06-01")] == 0
    off = DriverClock(drivers, sc.with_overrides({"drivers.programmes": False}), 2018, 2000)
    assert not off.team_fte.any()


def test_occupancy_fills_weekday_daytime_only(drivers):
    sc = load_scenario("baseline")
    clock = DriverClock(drivers, sc, 2020, 365)
    base = np.array(sc.residents.at_home_weekday)
    lock = clock.at_home(100, False, base)  # 10 April 2020
    assert (lock[8:18] > base[8:18]).all() and (lock[:8] == base[:8]).all()
    assert clock.at_home(100, True, base) is base, "weekends unchanged"


def test_drivers_off_is_the_model_without_drivers():
    sc = load_scenario("baseline").with_overrides({"years": 0.1, "burn_in_years": 0})
    off = sc.with_overrides({"drivers.enabled": False})
    from sim.runs.runner import cached_city

    city = cached_city("amstelveen")
    m = WijkModel(off, city, seed=3)
    assert m.drivers is None
    assert WijkModel(sc, city, seed=3).drivers is not None


def test_bad_drivers_file_is_one_clear_error(tmp_path):
    (tmp_path / "drivers.toml").write_text(
        '[offending]\nrule = "cubic"\npoints = [{date = "2012", value = 1, source = "x"}]\n')
    with pytest.raises(UserError, match="rule 'cubic' is not known"):
        load_drivers(tmp_path)
    (tmp_path / "drivers.toml").write_text(
        '[offending]\nrule = "step"\npoints = [{date = "2012", value = 1}]\n')
    with pytest.raises(UserError, match="names no source"):
        load_drivers(tmp_path)
