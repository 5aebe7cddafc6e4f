"""Bad input gives one clear paragraph naming file and field, exit code 2, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import invoke_cli

from sim.core.paths import CALIBRATION


def run_cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    return invoke_cli(args, capsys, monkeypatch)


def write(tmp_path: Path, text: str, name: str = "s.toml") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def check_error(code: int, err: str, *needles: str) -> None:
    flat = " ".join(err.split())
    assert code == 2, f"exit code should be 2, got {code}: {err}"
    assert "Traceback" not in err, f"no traceback for bad input: {err}"
    for n in needles:
        assert n in flat, f"error should mention {n!r}: {flat}"


def test_unknown_scenario_lists_known(capsys, monkeypatch):
    code, _, err = run_cli(["run", "basline"], capsys, monkeypatch)
    check_error(code, err, "unknown scenario 'basline'", "Did you mean 'baseline'",
                "interventieteam", "wijkregisseur")


def test_malformed_toml_gives_line_and_column(tmp_path, capsys, monkeypatch):
    f = write(tmp_path, 'name = "x"\n[boa\nfte = 3\n')
    code, _, err = run_cli(["validate", f], capsys, monkeypatch)
    check_error(code, err, "malformed TOML", "line 2", "s.toml")


def test_unknown_field_suggests_nearest(tmp_path, capsys, monkeypatch):
    f = write(tmp_path, 'extends = "baseline"\nname = "x"\n[boa]\nburglary_patrol_shares = 0.2\n')
    code, _, err = run_cli(["validate", f], capsys, monkeypatch)
    check_error(code, err, "boa.burglary_patrol_shares", "unknown field",
                "Did you mean 'burglary_patrol_share'", "s.toml")


def test_unknown_section_suggests_nearest(tmp_path, capsys, monkeypatch):
    f = write(tmp_path, 'name = "x"\n[interventie_team]\nfte = 4\n')
    code, _, err = run_cli(["validate", f], capsys, monkeypatch)
    check_error(code, err, "interventie_team", "Did you mean 'interventieteam'")


@pytest.mark.parametrize(
    "body,needles",
    [
        ("[boa]\nfte = -2\n", ["boa.fte", "greater than or equal to 0", "-2"]),
        ("[wijkagenten]\navailability = 1.3\n", ["wijkagenten.availability", "1.3"]),
        ("[offenders]\nlocal_share = -0.1\n", ["offenders.local_share"]),
        ("[interventieteam]\nfirst_year = 2027\nlast_year = 2024\n", ["first_year"]),
        ("[boa]\nduty_start_hour = 20\nduty_end_hour = 8\n", ["boa.duty_start_hour"]),
        ('[offenders]\nactivity_by_hour = [1, 2]\n', ["offenders.activity_by_hour", "24"]),
    ],
)
def test_out_of_range_values(tmp_path, capsys, monkeypatch, body, needles):
    f = write(tmp_path, 'extends = "baseline"\nname = "x"\n' + body)
    code, _, err = run_cli(["validate", f], capsys, monkeypatch)
    check_error(code, err, "s.toml", *needles)


def test_extends_unknown_and_cycles(tmp_path, capsys, monkeypatch):
    f = write(tmp_path, 'extends = "nope"\nname = "x"\n')
    code, _, err = run_cli(["validate", f], capsys, monkeypatch)
    check_error(code, err, "extends", "unknown scenario 'nope'")
    write(tmp_path, 'extends = "b.toml"\nname = "a"\n', "a.toml")
    write(tmp_path, 'extends = "a.toml"\nname = "b"\n', "b.toml")
    code, _, err = run_cli(["validate", str(tmp_path / "a.toml")], capsys, monkeypatch)
    check_error(code, err, "cycle")


def test_valid_file_says_ok(tmp_path, capsys, monkeypatch):
    f = write(tmp_path, 'extends = "baseline"\nname = "x"\n[boa]\nfte = 40\n')
    code, out, _ = run_cli(["validate", f], capsys, monkeypatch)
    assert code == 0 and out.strip() == "ok"


def _city_copy(tmp_path: Path, monkeypatch, name: str) -> Path:
    """A copy of Amstelveen's data as city ``name`` under a temporary calibration/ folder."""
    import sim.model.city

    root = tmp_path / "calibration"
    dest = root / name
    dest.mkdir(parents=True)
    for fname in ("wijken.csv", "city.toml"):
        shutil.copy(CALIBRATION / "amstelveen" / fname, dest / fname)
    monkeypatch.setattr(sim.model.city, "CALIBRATION", root)
    return dest


def test_zero_area_wijk(tmp_path, capsys, monkeypatch):
    city = _city_copy(tmp_path, monkeypatch, "stad-zero-area")
    lines = (city / "wijken.csv").read_text().splitlines(keepends=True)
    head = lines[0].strip().split(",")
    row = lines[1].split(",")
    assert row[0] == "WK036201", "the first wijk row is WK036201"
    row[head.index("area_ha")] = "0"  # the columns before 'source' hold no commas
    lines[1] = ",".join(row)
    (city / "wijken.csv").write_text("".join(lines))
    f = write(tmp_path, 'name = "x"\ncity = "stad-zero-area"\n')
    code, _, err = run_cli(["run", f, "--years", "0.01", "--out", str(tmp_path / "o")],
                          capsys, monkeypatch)
    check_error(code, err, "wijken.csv", "area_ha", "WK036201")


def test_layout_codes_must_match_wijk_table(tmp_path, capsys, monkeypatch):
    city = _city_copy(tmp_path, monkeypatch, "stad-bad-layout")
    (city / "layout.csv").write_text("WK036201,WK036299\nWK036202,.\n")
    f = write(tmp_path, 'name = "x"\ncity = "stad-bad-layout"\n')
    code, _, err = run_cli(["run", f, "--years", "0.01", "--out", str(tmp_path / "o")],
                          capsys, monkeypatch)
    check_error(code, err, "layout.csv", "WK036299", "no cell in the raster", "WK036203")
