"""Issue 22, item 8: tables fit an 80-column terminal without cutting text.

``sim describe`` wraps each source between words (no 3-letter slices, no 1,452 lines);
``sim scenarios`` shows every description whole, wrapped within its cell.
"""

from __future__ import annotations

import importlib
import re

import pytest
from conftest import invoke_cli

from sim.model.parameters import parameter_rows
from sim.model.scenario import known_scenarios, load_scenario


@pytest.fixture
def narrow(monkeypatch):
    console = importlib.import_module("sim.cli.app").console
    monkeypatch.setattr(console, "width", 80)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’.,:;()€–-]+", text)


def test_describe_at_80_columns_keeps_every_source_whole(narrow, capsys, monkeypatch):
    code, out, err = invoke_cli(["describe"], capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = parameter_rows()
    assert len(lines) < 8 * len(rows), f"{len(lines)} lines for {len(rows)} parameters"
    flat = " ".join(out.split())
    for r in rows:
        assert r.path in flat
        source = " ".join(r.source.split())
        assert source in flat, f"source of {r.path} cut: {source[:60]}"


def test_scenarios_at_80_columns_show_whole_descriptions(narrow, capsys, monkeypatch):
    code, out, err = invoke_cli(["scenarios", "--lang", "en"], capsys, monkeypatch)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out, "a description was cut"
    cells = " ".join(line.split("│")[2] for line in out.splitlines() if line.count("│") == 4)
    text = " ".join(cells.split())
    for name in known_scenarios():
        sc = load_scenario(name)
        desc = " ".join((sc.description_en or sc.description).split())
        assert all(w in text for w in _words(desc)), f"{name}: description cut"
