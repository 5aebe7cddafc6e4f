"""Issue 19, item 10, and issue 22, item 8 (terminal): messages a user can read.

NaN and infinity are named; a usage error is one line; unknown options suggest the long
option meant; the frame of an error follows ``--lang``; no library warning reaches stderr.
"""

from __future__ import annotations

import warnings

import pytest
from conftest import invoke_cli


def _one_line(code: int, err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("value, word", [("nan", "not a number (NaN)"),
                                         ("inf", "infinite"), ("-inf", "infinite")])
def test_nan_and_infinity_are_named(value, word, capsys, monkeypatch):
    code, _, err = invoke_cli(["run", "baseline", "--years", value], capsys, monkeypatch)
    line = _one_line(code, err)
    assert word in line and "--years" in line, line
    assert "less than or equal" not in line


@pytest.mark.parametrize("args", [["run", "baseline", "--bogus"], ["run"],
                                  ["compare", "baseline", "--workers", "x"], ["nonsense"]])
def test_usage_errors_take_one_line(args, capsys, monkeypatch):
    line = _one_line(*invoke_cli(args, capsys, monkeypatch)[::2])
    assert "--help" in line


def test_near_miss_suggests_the_long_option(capsys, monkeypatch):
    line = _one_line(*invoke_cli(["run", "baseline", "--reps", "3"], capsys,
                                 monkeypatch)[::2])
    assert "Did you mean --replications?" in line, line


def test_errors_follow_lang(capsys, monkeypatch):
    line = _one_line(*invoke_cli(["run", "baseline", "--lang", "nl", "--reps", "3"], capsys,
                                 monkeypatch)[::2])
    assert line.startswith("fout: onbekende optie: --reps. Bedoelde u --replications?"), line
    assert "Zie 'sim run --help' voor hulp." in line
    line = _one_line(*invoke_cli(["run", "nope", "--lang", "nl"], capsys, monkeypatch)[::2])
    assert line.startswith("fout:"), line


def test_no_library_warning_reaches_stderr(capsys, monkeypatch):
    import sim.cli.run as run_cli

    def noisy(lang):  # noqa: ANN001, ANN202 — what matplotlib does in `sim report`
        warnings.warn("Glyph 8722 missing from current font.", UserWarning, stacklevel=1)
        return "en"

    monkeypatch.setattr(run_cli, "resolve_lang", noisy)
    code, out, err = invoke_cli(["scenarios"], capsys, monkeypatch)
    assert code == 0, err
    assert "Warning" not in err and "Glyph" not in err, err
