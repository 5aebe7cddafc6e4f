"""sim report: both languages and formats from a tiny comparison, every section present."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.analysis.compare import plan_comparison, run_comparison
from sim.core.errors import UserError
from sim.report.build import SECTION_KEYS, build_document, build_report, load_comparison
from sim.report.text import STRINGS, num


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "cmp"
    plan = plan_comparison(["baseline", "interventieteam", "gefaseerd"], 0.1, 2, 3)
    run_comparison(plan, out, command="sim compare baseline interventieteam gefaseerd")
    return out


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_document_has_every_section_in_order(folder, lang):
    doc = build_document(load_comparison(folder), lang)
    headings = [b.text for b in doc if b.kind == "h1"]
    wanted = [STRINGS[lang][k] for k in SECTION_KEYS]
    found = [h for h in headings if h in wanted]
    assert found == wanted, f"{lang}: sections {found}, expected {wanted}"
    figures = [b.key for b in doc if b.kind == "figure"]
    assert len(figures) == 5, "the five figures of the issue"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_is_self_contained_and_complete(folder, lang):
    path = build_report(folder, "html", lang)
    assert path == folder / f"report-{lang}.html"
    text = path.read_text(encoding="utf-8")
    for key in SECTION_KEYS:
        assert html.escape(STRINGS[lang][key]) in text, f"{lang}: {STRINGS[lang][key]!r} missing"
    assert text.count("data:image/png;base64,") == 5, "figures embedded, not linked"
    assert not re.search(r"""src=['"](?!data:)""", text), "no external files"
    comp = json.loads((folder / "comparison.json").read_text())
    for name, s in comp["provenance"]["scenarios"].items():
        assert s["hash"] in text, f"provenance: hash of {name}"
    ref = comp["rows"][0]
    assert num(ref["woninginbraken_per_year"], lang) in text, "the key table's numbers"
    other = "en" if lang == "nl" else "nl"
    assert STRINGS[other]["h_question"] not in text, "one language only"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_builds_with_every_section(folder, lang, tmp_path):
    path = build_report(folder, "pdf", lang, tmp_path / f"r-{lang}.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 7, f"{pages} pages: text pages plus one page per figure"
    if shutil.which("pdftotext"):  # text check where poppler is installed
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        for key in SECTION_KEYS:
            assert STRINGS[lang][key] in text, f"{lang}: {STRINGS[lang][key]!r} not in the PDF"


def test_report_refuses_bad_input(folder, tmp_path):
    with pytest.raises(UserError, match="--format"):
        build_report(folder, "docx")
    with pytest.raises(UserError, match="--lang"):
        build_report(folder, "pdf", "de")
    with pytest.raises(UserError, match="comparison.json"):
        build_report(tmp_path, "pdf")
