"""Issue 19, item 9: a police export that contradicts itself is named, and not fitted.

A wijk count typed "2.000" (read as two thousand) makes the wijken sum past the gemeente
row and exceed that wijk's total registered crime; ``sim data show`` warns, naming the
rows; ``sim calibrate`` refuses unless ``--accept-inconsistent``.
"""

from __future__ import annotations

from pathlib import Path

from conftest import invoke_cli

from sim.data import load_police

HEADER = '"ID";"WijkenEnBuurten";"SoortMisdrijf";"Perioden";"GeregistreerdeMisdrijven_1"\n'


def _export(tmp_path: Path, wijk01: str) -> Path:
    rows = [("GM0362", "1.1.1", "438"), ("WK036201", "1.1.1", wijk01),
            ("WK036201", "0.0.0", "207"), ("WK036202", "1.1.1", "215"),
            ("WK036202", "0.0.0", "1900")]
    text = HEADER + "".join(f'{i};"{code:<10}";"{crime} ";"2018JJ00";"{n}"\n'
                            for i, (code, crime, n) in enumerate(rows))
    p = tmp_path / "politie.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_consistent_export_has_no_inconsistency(tmp_path):
    assert load_police(_export(tmp_path, "200")).inconsistencies() == []


def test_both_cross_checks_name_the_rows(tmp_path):
    bad = load_police(_export(tmp_path, "2.000")).inconsistencies()
    text = " | ".join(bad)
    assert len(bad) == 2, text
    assert "sum to 2,215" in text and "gemeente row (line 2) gives 438" in text, text
    assert "WK036201 2018 has 2,000 woninginbraken (line 3)" in text, text
    assert "total registered crime 207 (line 4)" in text, text


def test_data_show_warns(tmp_path, capsys, monkeypatch):
    code, out, err = invoke_cli(["data", "show", str(_export(tmp_path, "2.000"))], capsys,
                                monkeypatch)
    assert code == 0, err
    assert "warning: inconsistent: the wijken of GM0362 sum to 2,215" in " ".join(err.split())


def test_calibrate_refuses_unless_accepted(tmp_path, capsys, monkeypatch):
    police = _export(tmp_path, "2.000")
    code, _, err = invoke_cli(["calibrate", "amstelveen", "--police", str(police)], capsys,
                              monkeypatch)
    flat = " ".join(err.split())
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "contradicts itself" in flat and "WK036201" in flat and "line 3" in flat, flat
    assert "--accept-inconsistent" in flat

    import sim.analysis.calibration.run as run

    reached = []

    def stop(t, data):  # noqa: ANN001, ANN202 — the fit would start here: stop, cheaply
        reached.append(data.path)
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "apply_police", stop)
    code, _, err = invoke_cli(["calibrate", "amstelveen", "--police", str(police),
                               "--accept-inconsistent"], capsys, monkeypatch)
    assert reached == [police], err
    assert code == 130
