"""Amersfoort: a second real city folder, made from open data (issue 23, item 1)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import invoke_cli

from sim.analysis.history.transfer import transfer_toml
from sim.model.city import city_folder, load_city
from sim.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLDS_2021 = 70_556  # Gemeente Amersfoort, 1-1-2021 (data/drivers/06_households.csv)


def test_city_show_lists_33_wijken_with_cbs_names(capsys, monkeypatch):
    code, out, err = invoke_cli(["city", "show", "amersfoort", "--json"], capsys, monkeypatch)
    assert code == 0, err
    doc = json.loads(out)
    wijken = doc["wijken"]
    assert len(wijken) == 33
    kwb = {r["wijkcode"]: r["wijknaam"] for r in csv.DictReader(
        open(ROOT / "data/amersfoort/kwb2024_inwoners.csv",
             encoding="utf-8")) if r["wijkcode"].startswith("WK")}
    assert {w["code"]: w["name"] for w in wijken} == kwb, "CBS codes and names, every wijk"
    assert doc["gemeente"] == "GM0307"


def test_households_are_the_gemeente_count_spread_by_inhabitants():
    city = load_city("amersfoort")
    assert int(city.households.sum()) == HOUSEHOLDS_2021
    inh = sum(w.inhabitants for w in city.wijken)
    for w in city.wijken:
        assert abs(w.households - HOUSEHOLDS_2021 * w.inhabitants / inh) < 1.0
    assert len({w.gebied for w in city.wijken}) == 5


def test_own_inputs_follow_amstelveen_per_household_and_the_file_is_regenerable():
    folder = city_folder("amersfoort")
    assert (folder / "calibrated.toml").read_text(encoding="utf-8") == transfer_toml(
        "amersfoort", "amstelveen"), "rerun python -m sim.analysis.history.transfer amersfoort"
    ams = load_scenario("baseline")
    amf = load_scenario("baseline", city="amersfoort")
    ratio = HOUSEHOLDS_2021 / load_city("amstelveen").households.sum()
    assert abs(amf.wijkagenten.fte - ams.wijkagenten.fte * ratio) < 0.06
    assert abs(amf.offenders.active_offenders - ams.offenders.active_offenders * ratio) <= 0.5
    # behaviour is Amstelveen's, unchanged (the level alone is refitted: record_fit.toml)
    assert amf.residents.attempt_fail_prob == ams.residents.attempt_fail_prob
    assert amf.drivers.offending_elasticity == ams.drivers.offending_elasticity
