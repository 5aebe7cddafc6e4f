"""Issue 22.2/22.3: page 1 and the assumptions table say what the run did, nothing else.

One tiny comparison (2 replications of 0.1 year); its comparison is changed in memory to
stand for another city (schematic layout), another calibration (none) or another scenario
(a parameter set away from its default), and the table must follow each time.
"""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import pytest

from sim.analysis.compare.comparison import plan_comparison, run_comparison
from sim.core.errors import UserError
from sim.model.parameters import parameter_rows
from sim.report.assumptions import assumption_rows, calibrated_paths
from sim.report.build import build_document, build_report, load_comparison
from sim.report.page_one import WORDS, load_sensitivity, team_estimate
from sim.report.text import ASSUMPTIONS, STRINGS


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("facts") / "cmp"
    run_comparison(plan_comparison(["baseline", "interventieteam"], 0.1, 2, 3), out,
                   command="sim compare baseline interventieteam")
    return out


@pytest.fixture(scope="module")
def comp(folder) -> dict:
    return load_comparison(folder)


def _rows(comp: dict, lang: str = "nl") -> dict[str, list[str]]:
    return {r[0]: r for r in assumption_rows(comp, lang)}


def test_layout_row_follows_the_city(comp):
    assert comp["figures"]["map"]["layout"] == "polygons"
    row = _rows(comp)[STRINGS["nl"]["a_layout"]]
    assert row[1] == "echte wijkgrenzen" and "Wijk- en Buurtkaart" in row[2]
    schematic = copy.deepcopy(comp)
    schematic["figures"]["map"].update(layout="schematic", outlines=None)
    row = _rows(schematic)[STRINGS["nl"]["a_layout"]]
    assert row[1].startswith("schematische kaart") and "Buurtkaart" not in row[2]
    text = " ".join(" ".join(r) for r in assumption_rows(comp, "nl"))
    assert "schematisch" not in text, "the run used real outlines"


def test_sources_say_calibrated_estimated_or_set_as_the_run_did(comp):
    cal = calibrated_paths(comp)
    assert cal, "the shipped city is calibrated"
    schema = {r.path: r for r in parameter_rows()}
    scen = comp["provenance"]["scenarios"]
    for a, row in zip([a for a in ASSUMPTIONS if "from" not in a],
                      assumption_rows(comp, "nl"), strict=False):
        params = scen[comp["reference"]]["params"]
        source = row[2]
        calibrated = [p for p in a["paths"] if p in cal]
        assert ("gekalibreerd" in source) == bool(calibrated), (a["nl"], source)
        for p in a["paths"]:
            estimate = schema[p].source.lower().startswith("estimate")
            if estimate and p not in cal and _get(params, p) == schema[p].default:
                assert "schatting" in source, (p, source)
    # without a calibration in use, nothing says calibrated and the last row says "nee"
    none = copy.deepcopy(comp)
    none["provenance"]["calibration"] = {"file": "", "used": False}
    rows = assumption_rows(none, "nl")
    assert not any("gekalibreerd " in r[2] for r in rows)
    assert rows[-1][1] == STRINGS["nl"]["a_cal_no"]
    # a value the scenario sets away from the default says where it comes from
    moved = copy.deepcopy(comp)
    moved["provenance"]["scenarios"][comp["reference"]]["params"]["residents"][
        "initial_hardened_share"] = 0.61
    row = next(r for r in assumption_rows(moved, "nl") if r[0].startswith("Woningen met"))
    assert row[1] == "61%" and "scenario huidige inzet" in row[2]


def _get(params: dict, path: str):
    for part in path.split("."):
        params = params[part]
    return params


def test_clearance_is_explained_next_to_its_source(comp):
    row = next(r for r in assumption_rows(comp, "nl") if "opgehelderd" in r[0])
    assert "1 op 10" not in row[2] or "heterdaad" in row[2]
    assert re.search(r"waargenomen 10[,0]*%", row[2]) and "heterdaad" in row[2], row[2]


def test_page_one_explains_the_interval_and_says_what_is_missing(comp):
    doc = build_document(comp, "nl")
    first = next(i for i, b in enumerate(doc) if b.text == STRINGS["nl"]["h_question"])
    page1 = " ".join(b.text for b in doc[:first])
    assert "90%-interval" in page1 and "onzekerheid in de aannames zelf is groter" in page1
    assert "zie §6" in page1 and STRINGS["nl"]["h_uncertainty"].startswith("6.")
    assert WORDS["nl"]["hist_missing"] in page1, "no history result: page 1 says so"
    assert WORDS["nl"]["p1_sens_missing"] in page1
    t = team_estimate(comp)
    assert t and "Voorspeld uit studies elders" in " ".join(
        " ".join(b.items) for b in doc[:first] if b.kind == "bullets")


def test_page_one_team_verdict_follows_the_record(comp):
    """Both estimates of the team, and in plain Dutch whether the record contradicts."""
    c = copy.deepcopy(comp)
    c["team_estimates"] = {"predicted_from_studies": -0.12, "after_record": 0.07,
                           "after_record_p5": -0.02, "after_record_p95": 0.18,
                           "contradicts": True, "plain_nl": "Zin van de studie."}
    doc = build_document(c, "nl")
    first = " ".join([b.text for b in doc[:40]] + [i for b in doc[:40] if b.kind == "bullets"
                                                     for i in b.items])
    assert "Voorspeld uit studies elders: −12%" in first
    assert "Na Amstelveens eigen cijfers: +7% (−2% tot +18%)" in first
    assert "Zin van de studie." in first, "the study's own sentence, with its numbers"
    c["team_estimates"].update(plain_nl="")
    first = " ".join(b.text for b in build_document(c, "nl")[:40])
    assert WORDS["nl"]["p1_team_contradicts"] in first
    c["team_estimates"].update(contradicts=False)
    first = " ".join(b.text for b in build_document(c, "nl")[:40])
    assert WORDS["nl"]["p1_team_agrees"] in first
    assert WORDS["nl"]["p1_team_contradicts"] not in first


def test_page_one_names_the_assumptions_that_matter_most(comp, tmp_path):
    (tmp_path / "sensitivity_morris.csv").write_text(
        "outcome,parameter,mu,mu_star,mu_star_conf,sigma\n"
        "arrests_per_year,residents.place_sigma,1,99,1,1\n"
        "woninginbraken_per_year,offenders.local_share,5,5,1,1\n"
        "woninginbraken_per_year,offenders.active_offenders,200,240,50,90\n"
        "woninginbraken_per_year,investigation.clearance_prob,-9,30,5,9\n"
        "woninginbraken_per_year,offenders.outings_per_offender_day,180,210,40,80\n")
    sens = load_sensitivity(tmp_path)
    assert [r["path"] for r in sens["rows"]] == [
        "offenders.active_offenders", "offenders.outings_per_offender_day",
        "investigation.clearance_prob"], "the top three on the yearly burglaries, by mu*"
    doc = build_document(comp, "nl", sensitivity=sens)
    bullets = next(b for b in doc if b.kind == "bullets" and "240" in " ".join(b.items))
    assert len(bullets.items) == 3 and bullets.items[0].startswith("actieve inbrekers")
    with pytest.raises(UserError, match="sensitivity_morris.csv"):
        load_sensitivity(tmp_path / "nothing")


def test_page_one_shows_the_history_figure_when_the_folder_holds_one(folder, tmp_path):
    """A 'sim history' result in the folder: page 1 shows it (HTML: the first figure)."""
    years = [{"year": y, "observed": 400 + 10 * k, "simulated": 410.0, "low": 350.0,
              "high": 470.0, "inside": True} for k, y in enumerate(range(2012, 2024))]
    (folder / "history").mkdir(exist_ok=True)
    (folder / "history" / "history.json").write_text(json.dumps(
        {"city": "amstelveen", "years": years, "programmes": [], "lockdowns": []}))
    try:
        text = build_report(folder, "html", "nl", tmp_path / "r.html").read_text("utf-8")
    finally:
        (folder / "history" / "history.json").unlink()
    alts = [html.unescape(a) for a in re.findall(r'<img alt="([^"]*)"', text)]
    assert alts[0] == WORDS["nl"]["hist_alt"], "the history figure comes first, on page 1"
    assert WORDS["nl"]["hist_missing"] not in html.unescape(text)
    assert text.index("<img") < text.index(STRINGS["nl"]["h_question"])
    with pytest.raises(UserError, match="history"):
        build_report(folder, "html", "nl", tmp_path / "r2.html", history=tmp_path)
