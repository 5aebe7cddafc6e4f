"""CBS Kerncijfers wijken en buurten loader: columns by title, both forms, several gemeenten."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sim.data import load_kwb
from sim.errors import UserError

FIX = Path(__file__).parent / "fixtures"
RAW = FIX / "kwb_raw_2023.csv"  # `;`, raw keys (AantalInwoners_5, HuishoudensTotaal_28)
LABELLED = FIX / "kwb_labelled_2021.csv"  # `,`, labelled titles


def test_raw_keys_are_read_by_title_and_stripped():
    data = load_kwb(RAW)
    assert data.gemeenten() == ["GM0362", "GM0363"], "Nederland is not a gemeente"
    ams = data.select("GM0362")
    assert [(r.code, r.inhabitants, r.households, r.dwellings) for r in ams.wijken()] == [
        ("WK036201", 5200, 3100, 3300), ("WK036202", 6400, None, 3350)]
    assert data.columns["households"] == "HuishoudensTotaal_28"
    assert "WK036202 households" in " ".join(ams.warnings()), "suppressed '.' is warned about"


def test_numeric_suffix_does_not_matter(tmp_path):
    """A later KWB year renumbers every column; the values must not change."""
    text = RAW.read_text(encoding="utf-8")
    for old, new in (("AantalInwoners_5", "AantalInwoners_6"), ("Mannen_6", "Mannen_7"),
                     ("HuishoudensTotaal_28", "HuishoudensTotaal_31"),
                     ("Woningvoorraad_34", "Woningvoorraad_37")):
        text = text.replace(old, new)
    shifted = tmp_path / "kwb_2024.csv"
    shifted.write_text(text, encoding="utf-8")
    a = load_kwb(RAW).select("GM0362").records()
    b = load_kwb(shifted).select("GM0362").records()
    assert a == b, "renumbered columns must give the same records"


def test_labelled_form_and_names():
    ams = load_kwb(LABELLED).select("GM0362")
    recs = ams.records()
    assert recs[0] == {"gemeente": "GM0362", "wijk": "WK036201", "name": "Wijk 01 Stadshart",
                       "inhabitants": 5000, "households": 3000, "dwellings": 3200}
    assert recs[1]["households"] is None, "'.' is missing, not zero"
    assert [r["buurt"] for r in ams.records("buurt")] == ["BU03620101"]


def test_select_other_gemeente():
    assert [r.code for r in load_kwb(LABELLED).select("gm0363").wijken()] == ["WK036301"]


def test_missing_household_column_lists_columns(tmp_path):
    p = tmp_path / "kwb.csv"
    p.write_text("Codering;Aantal inwoners (aantal);Mannen (aantal)\nWK036201;5200;2500\n",
                 encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_kwb(p)
    msg = str(exc.value)
    assert "households" in msg and "'Mannen (aantal)'" in msg, msg


def test_no_wijken_for_gemeente_lists_gemeenten():
    with pytest.raises(UserError) as exc:
        load_kwb(RAW).select("GM0384")
    assert "GM0362, GM0363" in str(exc.value)


def test_cli_data_show_kwb_json(monkeypatch, capsys):
    from sim.cli import main

    monkeypatch.setattr(sys, "argv", ["sim", "data", "show", str(LABELLED), "--json", "-g",
                                      "GM0362"])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert [r["wijk"] for r in json.loads(out)] == ["WK036201", "WK036202"]
