"""Police export loader (47018NED / 47022NED): both forms, padding, subtotals, suppression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke_cli

from sim.core.errors import UserError
from sim.data import Period, load_export, load_police, parse_period

FIX = Path(__file__).parent / "fixtures"
RAW = FIX / "police_raw_47018.csv"  # `;`, raw keys, padded keys, NL/GM subtotals, months
LABELLED = FIX / "police_labelled_comma.csv"  # `,`, labelled, title line and footer
MONTHLY = FIX / "police_labelled_monthly.csv"  # `;`, labelled months, Codering column


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    return invoke_cli(list(args), capsys, monkeypatch)


@pytest.mark.parametrize("text, period", [
    ("2018JJ00", Period(2018)), ("2018MM01", Period(2018, 1)), ("2018MM12", Period(2018, 12)),
    ("2018", Period(2018)), ("2018*", Period(2018)), ("2023 januari", Period(2023, 1)),
    ("2023 december*", Period(2023, 12)), (" 2019JJ00 ", Period(2019)),
    ("2018KW01", None), ("2018MM13", None), ("2023 1e kwartaal", None), ("jan 2023", None),
])
def test_parse_period(text, period):
    assert parse_period(text) == period, f"{text!r} should parse as {period}"


def test_raw_keys_padding_subtotals_suppression_and_mixed_periods():
    data = load_police(RAW)
    assert data.form == "raw keys"
    assert data.gemeenten() == ["GM0362", "GM0363"], "padded keys must be stripped"
    ams = data.select("GM0362")
    by_wijk = ams.yearly_by_wijk()
    # 2018: the yearly row (28) only — the 2018MM01 row (5) must not be added to it;
    # 2019: no yearly row, all twelve months present -> their sum (30).
    assert by_wijk["WK036201"] == {2017: 31, 2018: 28, 2019: 30}
    # '.' and '' are missing, not zero; '0' is a real zero; 11 of 12 months -> missing.
    assert by_wijk["WK036202"] == {2017: 40, 2018: None, 2019: None}
    assert by_wijk["WK036203"] == {2017: None, 2018: 0}
    # Buurt rows stay buurt rows: never added to their wijk.
    assert {r.region for r in ams.rows if r.level == "buurt"} == {"BU03620101", "BU03620102"}
    assert sum(1 for r in ams.rows if r.level == "wijk" and r.region == "WK036201"
               and r.period.year == 2018) == 2, "yearly and monthly rows are both kept as read"
    # Gemeente subtotal rows give the totals; other crime codes (0.0.0, 1.1.2) are ignored.
    assert ams.yearly_totals() == {2017: 402, 2018: 400, 2019: None}
    assert "0.0.0" in data.crime_codes and "1.1.2" in data.crime_codes
    assert data.select("GM0363").yearly_by_wijk() == {"WK036301": {2018: 120}}
    warnings = " ".join(ams.warnings())
    assert "WK036202 2018" in warnings and "suppressed" in warnings
    assert "WK036202" in warnings and "2019" in warnings, "incomplete months must be reported"


def test_labelled_comma_form_matches_raw_form():
    lab = load_police(LABELLED).select("GM0362")
    raw = load_police(RAW).select("GM0362")
    assert lab.form == "labelled"
    for w in ("WK036201", "WK036202"):
        for y in (2017, 2018):
            assert lab.yearly_by_wijk()[w][y] == raw.yearly_by_wijk()[w][y], (
                f"{w} {y}: the labelled and raw forms of the same export must agree")
    assert lab.yearly_totals()[2017] == 402
    assert load_police(LABELLED).gemeenten() == ["GM0362", "GM0363"], "'Nederland' is dropped"


def test_labelled_months_with_code_column_never_mix_yearly_and_monthly():
    data = load_police(MONTHLY).select("GM0362")
    y = data.yearly_by_wijk()
    assert y["WK036201"][2023] == 40, "a yearly row wins over the months (36), never 40 + 36"
    assert y["WK036202"][2023] == 25, "without a yearly row, twelve months are summed"
    assert y["WK036212"][2023] is None, "one month is not a year"
    rec = [r for r in data.records() if r["wijk"] == "WK036212"]
    assert rec == [{"gemeente": "GM0362", "wijk": "WK036212", "period": "2023-01",
                    "woninginbraken": 0}], "CBS '-' is a true zero"
    assert data.yearly_totals()[2023] is None, "an empty gemeente cell is missing"


def test_records_json_shape_and_nulls():
    recs = load_police(RAW).select("GM0362").records()
    assert {"gemeente": "GM0362", "wijk": "WK036201", "period": "2018",
            "woninginbraken": 28} in recs
    assert {"gemeente": "GM0362", "wijk": "WK036202", "period": "2018",
            "woninginbraken": None} in recs
    buurt = load_police(RAW).select("GM0362").records("buurt")
    assert {"gemeente": "GM0362", "wijk": "WK036201", "buurt": "BU03620101", "period": "2018",
            "woninginbraken": 9} in buurt


# ---- bad files ---------------------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_count_column_lists_the_columns(tmp_path):
    p = write(tmp_path, "WijkenEnBuurten;SoortMisdrijf;Perioden;Aangiften_2\n"
                        "WK036201  ;1.1.1 ;2018JJ00;3\n")
    with pytest.raises(UserError) as exc:
        load_police(p)
    msg = str(exc.value)
    assert "missing column" in msg and "GeregistreerdeMisdrijven_1" in msg
    assert "'Aangiften_2'" in msg, f"the error must list the file's columns: {msg}"


def test_no_burglary_rows_for_gemeente_lists_what_is_there():
    with pytest.raises(UserError) as exc:
        load_police(RAW).select("GM0384")
    msg = str(exc.value)
    assert "GM0384" in msg and "GM0362, GM0363" in msg and "2017" in msg, msg


def test_no_burglary_rows_at_all_lists_crime_codes(tmp_path):
    p = write(tmp_path, "WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\n"
                        "WK036201  ,0.0.0 ,2018JJ00,900\nWK036201  ,1.4.1 ,2018JJ00,12\n")
    with pytest.raises(UserError) as exc:
        load_police(p)
    assert "0.0.0, 1.4.1" in str(exc.value), str(exc.value)


def test_unparseable_period_lists_bad_and_good_periods(tmp_path):
    p = write(tmp_path, "WijkenEnBuurten;SoortMisdrijf;Perioden;GeregistreerdeMisdrijven_1\n"
                        "WK036201  ;1.1.1 ;2018JJ00;3\nWK036201  ;1.1.1 ;2018KW02;1\n")
    with pytest.raises(UserError) as exc:
        load_police(p)
    msg = str(exc.value)
    assert "'2018KW02'" in msg and "line 3" in msg and "contain: 2018" in msg, msg


def test_labels_without_codes_are_refused(tmp_path):
    p = write(tmp_path, '"Wijken en buurten","Soort misdrijf","Perioden",'
                        '"Geregistreerde misdrijven (aantal)"\n'
                        '"Centrum","1.1.1 Diefstal/inbraak woning","2018","3"\n')
    with pytest.raises(UserError) as exc:
        load_police(p)
    assert "'Centrum'" in str(exc.value) and "Codering" in str(exc.value)


def test_count_that_is_not_a_number(tmp_path):
    p = write(tmp_path, "WijkenEnBuurten;SoortMisdrijf;Perioden;GeregistreerdeMisdrijven_1\n"
                        "WK036201  ;1.1.1 ;2018JJ00;3,5\n")
    with pytest.raises(UserError) as exc:
        load_police(p)
    assert "line 2" in str(exc.value) and "'3,5'" in str(exc.value)


# ---- CLI -----------------------------------------------------------------------------------------
def test_cli_data_show_json(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, "data", "show", str(RAW), "--json",
                             "--gemeente", "GM0362")
    assert code == 0, err
    recs = json.loads(out)
    assert {"gemeente": "GM0362", "wijk": "WK036202", "period": "2018",
            "woninginbraken": None} in recs
    assert all(r["gemeente"] == "GM0362" for r in recs)
    assert "suppressed" in err, "suppressed cells are warned about on stderr"


def test_cli_data_show_table(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "data", "show", str(MONTHLY))
    assert code == 0
    assert "WK036201" in out and "2023-01" in out and "GM0363" in out


def test_cli_bad_file_exits_2_without_traceback(monkeypatch, capsys, tmp_path):
    p = write(tmp_path, "Regio;Jaar;Aantal\nAmstelveen;2018;3\n")
    code, _, err = run_cli(monkeypatch, capsys, "data", "show", str(p))
    assert code == 2 and "neither a police export" in err and "Traceback" not in err, err
    code, _, err = run_cli(monkeypatch, capsys, "data", "show", str(RAW), "-g", "GM0384")
    assert code == 2 and "GM0362, GM0363" in err, err


def test_load_export_dispatches_on_header():
    assert type(load_export(RAW)).__name__ == "PoliceData"
    assert type(load_export(FIX / "kwb_raw_2023.csv")).__name__ == "KwbData"


# ---- hardening: number format, encoding, months vs year, JSON totals ---------------------------
HEAD = "WijkenEnBuurten;SoortMisdrijf;Perioden;GeregistreerdeMisdrijven_1\n"


@pytest.mark.parametrize("value, delimiter, expected", [
    ("2.000", ";", 2000), ("1.767", ";", 1767), ("1.234.567", ";", 1234567),
    ("1.767,0", ";", 1767), ("31,0", ";", 31), ("31.0", ";", 31), ("1767.000", ";", 1767),
    ("2,000", ",", 2000), ("1,767.0", ",", 1767), ("31.0", ",", 31), ("31,0", ",", 31),
    ("0.000", ",", 0), ("1 767", ";", 1767), ("-", ";", 0), (".", ";", None),
    ("2,000", ";", "ambiguous"), ("2.000", ",", "ambiguous"), ("1.767", ",", "ambiguous"),
    ("2.000", "\t", "ambiguous"), ("3,5", ";", "not a whole number"),
    ("1.767,5", ";", "not a whole number"),
])
def test_parse_count_number_format_follows_the_separator(value, delimiter, expected):
    from sim.data.table import parse_count

    if isinstance(expected, str):
        with pytest.raises(ValueError, match=expected):
            parse_count(value, delimiter)
    else:
        assert parse_count(value, delimiter) == expected, f"{value!r} in a {delimiter!r} file"


def test_dutch_thousands_in_semicolon_file_are_never_read_as_decimals(tmp_path):
    p = write(tmp_path, HEAD + "GM0362;1.1.1;2018JJ00;2.000\nWK036201;1.1.1;2018JJ00;1.767\n"
                               "WK036202;1.1.1;2018JJ00;31,0\nWK036203;1.1.1;2018JJ00;31.0\n")
    data = load_police(p)
    assert data.yearly_totals("GM0362") == {2018: 2000}, "'2.000' in a ';' file is 2000, not 2"
    assert {w: c[2018] for w, c in data.yearly_by_wijk("GM0362").items()} == {
        "WK036201": 1767, "WK036202": 31, "WK036203": 31}
    comma = write(tmp_path, 'WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\n'
                            'WK036201,1.1.1,2018JJ00,"2,000"\nWK036202,1.1.1,2018JJ00,2.000\n',
                  "comma.csv")
    with pytest.raises(UserError) as exc:
        load_police(comma)
    msg = str(exc.value)
    assert "line 3" in msg and "'2.000'" in msg and "ambiguous" in msg, msg
    assert str(comma) in msg and "GeregistreerdeMisdrijven_1" in msg, msg


def test_utf16_export_with_bom_is_read_like_utf8(tmp_path, monkeypatch, capsys):
    text = RAW.read_text(encoding="utf-8")
    for enc, bom in (("utf-16", ""), ("utf-16-be", "\ufeff"), ("utf-8", "\ufeff")):
        p = tmp_path / f"police_{enc}.csv"
        p.write_bytes((bom + text).encode(enc))
        assert load_police(p).records() == load_police(RAW).records(), enc
    code, out, err = run_cli(monkeypatch, capsys, "data", "show", str(p), "--json")
    assert code == 0 and "WK036201" in out, err


def test_nul_bytes_without_bom_are_refused_with_exit_2(tmp_path, monkeypatch, capsys):
    bomless = tmp_path / "utf16_no_bom.csv"
    bomless.write_bytes(RAW.read_text(encoding="utf-8").encode("utf-16-le"))
    code, _, err = run_cli(monkeypatch, capsys, "data", "show", str(bomless))
    assert code == 2 and "Traceback" not in err, err
    assert str(bomless) in err and "NUL byte" in err and "UTF-16 without a byte-order mark" in err
    assert "does not look like" not in err, "no self-contradicting 'not a police export'"
    binary = tmp_path / "binary.csv"
    binary.write_bytes(HEAD.encode() + b"\x00\x01\x02\xff" * 50)
    with pytest.raises(UserError, match="binary file"):
        load_police(binary)
    code, _, err = run_cli(monkeypatch, capsys, "data", "show", str(tmp_path))
    assert code == 2 and "is a folder" in err, err


def test_cp1252_export_is_read_and_undecodable_bytes_are_refused(tmp_path):
    p = tmp_path / "cp1252.csv"
    p.write_bytes(('"Wijken en buurten";"Soort misdrijf";"Perioden";'
                   '"Geregistreerde misdrijven (aantal)"\n'
                   '"Rijssen-Holten – Café (WK117701)";"1.1.1 Diefstal/inbraak woning";'
                   '"2018";"1.203"\n').encode("cp1252"))
    assert load_police(p).yearly_by_wijk("GM1177") == {"WK117701": {2018: 1203}}
    bad = tmp_path / "bad_bytes.csv"
    bad.write_bytes(HEAD.encode() + b"WK036201;1.1.1;2018JJ00;3\nWK03620\x81;1.1.1;2018JJ00;3\n")
    with pytest.raises(UserError) as exc:
        load_police(bad)
    msg = str(exc.value)
    assert "0x81" in msg and "line 3" in msg and "cp1252" in msg, msg


def test_yearly_row_disagreeing_with_its_twelve_months_is_warned(tmp_path, monkeypatch, capsys):
    data = load_police(MONTHLY).select("GM0362")
    assert data.yearly_by_wijk()["WK036201"][2023] == 40, "the yearly row is still used"
    mismatch = [w for w in data.warnings() if "monthly rows" in w]
    assert len(mismatch) == 1, data.warnings()
    assert "wijk WK036201 2023" in mismatch[0] and "40" in mismatch[0] and "36" in mismatch[0]
    assert "line 3" in mismatch[0], mismatch[0]
    months = "".join(f"GM0362;1.1.1;2020MM{m:02d};{1 if m > 1 else 2}\n" for m in range(1, 13))
    gm = write(tmp_path, HEAD + "GM0362;1.1.1;2020JJ00;10\n" + months
               + "WK036201;1.1.1;2020JJ00;12\n"
               + "".join(f"WK036201;1.1.1;2020MM{m:02d};1\n" for m in range(1, 13)))
    code, _, err = run_cli(monkeypatch, capsys, "data", "show", str(gm))
    assert code == 0, err
    assert "gemeente GM0362 2020" in err and "gives 10" in err and "sum to 13" in err, err
    assert "WK036201 2020" not in err, "months that add up to the yearly row are not warned"


def test_cli_json_holds_the_gemeente_totals_the_table_shows(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, "data", "show", str(RAW), "--json")
    assert code == 0, err
    recs = json.loads(out)
    totals = [r for r in recs if r["wijk"] is None]
    assert totals == [
        {"gemeente": "GM0362", "wijk": None, "period": "2017", "woninginbraken": 402},
        {"gemeente": "GM0362", "wijk": None, "period": "2018", "woninginbraken": 400},
        {"gemeente": "GM0362", "wijk": None, "period": "2019", "woninginbraken": None},
        {"gemeente": "GM0363", "wijk": None, "period": "2018", "woninginbraken": 7000},
    ]
    assert {"gemeente": "GM0362", "wijk": "WK036201", "period": "2018",
            "woninginbraken": 28} in recs, "wijk records keep their shape"
    assert all(set(r) == {"gemeente", "wijk", "period", "woninginbraken"} for r in recs)
    code, table, _ = run_cli(monkeypatch, capsys, "data", "show", str(RAW))
    assert code == 0
    table = " ".join(table.split())  # the console wraps long lines
    assert "GM0362 per year" in table and "2017: 402, 2018: 400, 2019: ." in table, table
    assert "2018: 7,000" in table, "every total in the table is in the JSON"
    code, out, _ = run_cli(monkeypatch, capsys, "data", "show", str(RAW), "--json", "--level",
                           "buurt", "-g", "GM0362")
    buurt_totals = [r for r in json.loads(out) if r["buurt"] is None]
    assert buurt_totals[0] == {"gemeente": "GM0362", "wijk": None, "buurt": None,
                               "period": "2017", "woninginbraken": 402}
