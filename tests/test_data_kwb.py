"""CBS Kerncijfers wijken en buurten loader: columns by title, both forms, several gemeenten."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import invoke_cli

from sim.core.errors import UserError
from sim.data import load_kwb

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
    # The gemeente's own row comes first, with "wijk": null (as the table's gemeente row).
    assert [r["wijk"] for r in json.loads(out)] == [None, "WK036201", "WK036202"]


# ---- hardening: thousands, duplicate rows, JSON totals, encoding -------------------------------
HEAD = "Codering;Soort regio;Aantal inwoners (aantal);Huishoudens totaal (aantal)\n"


def kwb_file(tmp_path: Path, body: str, head: str = HEAD, name: str = "kwb.csv") -> Path:
    p = tmp_path / name
    p.write_text(head + body, encoding="utf-8")
    return p


def test_dutch_thousands_in_semicolon_kwb_are_not_read_as_decimals(tmp_path):
    p = kwb_file(tmp_path, "GM0362;Gemeente;94.435;43.500\nWK036201;Wijk;2.000;1.767\n"
                           "WK036202;Wijk;6400,0;3100.0\n")
    rows = {r.code: (r.inhabitants, r.households) for r in load_kwb(p).rows}
    assert rows == {"GM0362": (94435, 43500), "WK036201": (2000, 1767),
                    "WK036202": (6400, 3100)}, "'2.000' in a ';' file is 2000, never 2"
    comma = kwb_file(tmp_path, "WK036201,Wijk,\"2,000\",1.767\n",
                     head=HEAD.replace(";", ","), name="comma.csv")
    with pytest.raises(UserError) as exc:
        load_kwb(comma)
    msg = str(exc.value)
    assert "line 2 (WK036201)" in msg and "'1.767'" in msg and "ambiguous" in msg, msg
    assert "Huishoudens totaal (aantal)" in msg, "the error names the column"


def test_conflicting_duplicate_wijk_rows_are_refused_with_exit_2(tmp_path, monkeypatch, capsys):
    p = kwb_file(tmp_path, "WK036201;Wijk;5200;3100\nWK036202;Wijk;6400;3000\n"
                           "WK036201;Wijk;5200;3150\n")
    with pytest.raises(UserError) as exc:
        load_kwb(p)
    assert exc.value.field == "Huishoudens totaal (aantal)"
    code, _, err = invoke_cli(["data", "show", str(p)], capsys, monkeypatch)
    err = " ".join(err.split())
    assert code == 2 and "Traceback" not in err, err
    assert str(p) in err and "lines 2 and 4" in err and "WK036201" in err, err
    assert "households (3100 and 3150)" in err and "'Huishoudens totaal (aantal)'" in err, err
    by_year = kwb_file(tmp_path, "WK036201;Wijk;2021;5200;3100\nWK036201;Wijk;2022;5300;3150\n",
                       head="Codering;Soort regio;Perioden;Aantal inwoners (aantal);"
                            "Huishoudens totaal (aantal)\n", name="years.csv")
    assert len(load_kwb(by_year).rows) == 2, "one row per wijk *and period* is not a conflict"


def test_identical_duplicate_rows_are_read_once_with_a_warning(tmp_path):
    p = kwb_file(tmp_path, "WK036201;Wijk;5200;3100\nWK036202;Wijk;6400;3000\n"
                           "WK036201;Wijk;5200;3100\n")
    data = load_kwb(p)
    assert [(r.code, r.line) for r in data.wijken()] == [("WK036201", 2), ("WK036202", 3)]
    warnings = " ".join(data.warnings())
    assert "WK036201 (lines 2 and 4)" in warnings and "read once" in warnings, warnings
    assert data.select("GM0362").warnings() == data.warnings()


def test_cli_json_includes_the_gemeente_row_as_wijk_null(monkeypatch, capsys):
    code, out, err = invoke_cli(["data", "show", str(RAW), "--json"], capsys, monkeypatch)
    assert code == 0, err
    recs = json.loads(out)
    assert [r for r in recs if r["wijk"] is None] == [
        {"gemeente": "GM0362", "wijk": None, "name": "", "inhabitants": 94435,
         "households": 43500, "dwellings": 43000},
        {"gemeente": "GM0363", "wijk": None, "name": "", "inhabitants": 918117,
         "households": 530000, "dwellings": 460000},
    ]
    assert all(set(r) == {"gemeente", "wijk", "name", "inhabitants", "households", "dwellings"}
               for r in recs)
    code, table, _ = invoke_cli(["data", "show", str(RAW)], capsys, monkeypatch)
    assert code == 0 and "GM0362 (gemeente row)" in table and "94,435" in table, table
    _, out, _ = invoke_cli(["data", "show", str(RAW), "--json", "--level", "buurt"], capsys,
                           monkeypatch)
    assert {"gemeente": "GM0362", "buurt": None, "name": "", "inhabitants": 94435,
            "households": 43500, "dwellings": 43000} in json.loads(out)


def test_cp1252_kwb_export_is_decoded(tmp_path):
    p = tmp_path / "kwb_cp1252.csv"
    p.write_bytes(("Wijken en buurten;Codering;Aantal inwoners (aantal);"
                   "Huishoudens totaal (aantal)\nCafé Noord;WK036201;5.200;3.100\n"
                   ).encode("cp1252"))
    rows = load_kwb(p).rows
    assert [(r.name, r.inhabitants, r.households) for r in rows] == [("Café Noord", 5200, 3100)]
