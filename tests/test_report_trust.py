"""Issue 15: a report and terminal output a council member can trust at a glance.

One small comparison (3 replications of 0.2 years) with an option that demonstrably
prevents burglaries ("minder": a tenth of the offenders' outings), one that cannot
("kopie": the reference at a cost) and the interventieteam (a programme that ends after the
horizon). Checked: intervals within their quantity's range; a cost per prevented burglary
only for a demonstrable effect; the warnings; the PDF rendered page by page (no page that
holds only a heading); figures whose legends, title and source line do not overlap and
whose title states a message (also the HTML alt text); a Dutch report in Dutch, with a
glossary, rounded money and sources cited by name.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from sim.analysis.compare.checks import comparison_checks
from sim.analysis.compare.comparison import plan_comparison, run_comparison
from sim.model.scenario import load_scenario
from sim.report.build import build_document, build_report, load_comparison
from sim.report.figures import NAMES, STYLE, make_figures
from sim.report.messages import figure_messages
from sim.report.overlap import overlaps, place_labels
from sim.report.text import ASSUMPTIONS, STRINGS, eur, round_money

ROOT = Path(__file__).resolve().parent.parent
YEARS, REPS, SEED = 0.2, 3, 5


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("trust")
    base = load_scenario("baseline")
    (tmp / "kopie.toml").write_text(
        'extends = "baseline"\nname = "kopie"\n'
        "[extra_cost]\neur_per_year = 299947\nwhat = 'test: dezelfde inzet'\n")
    (tmp / "minder.toml").write_text(
        'extends = "baseline"\nname = "minder"\n'
        f"[offenders]\noutings_per_offender_day = {base.offenders.outings_per_offender_day / 10}\n"
        "[extra_cost]\neur_per_year = 200000\nwhat = 'test'\n")
    plan = plan_comparison(["baseline", str(tmp / "kopie.toml"), str(tmp / "minder.toml"),
                            "interventieteam"], YEARS, REPS, SEED)
    out = tmp / "cmp"
    run_comparison(plan, out, command="sim compare baseline kopie minder interventieteam")
    return out


@pytest.fixture(scope="module")
def comp(folder) -> dict:
    return load_comparison(folder)


def rows(comp: dict) -> dict:
    return {r["scenario"]: r for r in comp["rows"]}


# ---- intervals and claims --------------------------------------------------------------------
def test_intervals_stay_within_their_quantitys_range(comp):
    ref_mean = rows(comp)["baseline"]["woninginbraken_per_year"]
    for r in comp["rows"]:
        name = r["scenario"]
        lo, hi = r["spread_cv_interval"]
        assert 0 <= lo <= r["spread_cv"] <= hi, f"{name}: a CV interval never below 0"
        assert r["woninginbraken_interval"][0] >= 0 and r["arrests_interval"][0] >= 0
        assert r["wdq_interval"] == [None, None], (
            f"{name}: a ratio's bootstrap interval from {REPS} replications is not shown")
        if not r["reference"]:
            assert r["interval"][0] >= -100, f"{name}: a change never below -100%"
            assert r["prevented_interval"][1] <= ref_mean + 1e-9, (
                f"{name}: never more prevented than the reference has")
        for b in r["persistence"]["by_year"]:
            assert b["interval"][0] is None or b["interval"][0] >= -100


def test_cost_per_prevented_only_for_a_demonstrable_effect(comp):
    r = rows(comp)
    kopie, minder = r["kopie"], r["minder"]
    assert kopie["prevented_interval"][0] <= 0 <= kopie["prevented_interval"][1]
    assert kopie["effect"] == "none" and kopie["cost_per_prevented_eur"] is None
    assert kopie["cost_per_prevented_interval"] == [None, None]
    assert minder["prevented_interval"][0] > 0, "a tenth of the outings: clearly fewer"
    assert minder["effect"] == "fewer"
    assert minder["cost_per_prevented_eur"] == pytest.approx(
        200_000 / minder["prevented_per_year"])
    for lang in ("nl", "en"):
        doc = build_document(comp, lang)
        table = next(b for b in doc if b.kind == "table")
        cells = {row[0]: row for row in table.items}
        assert cells["kopie"][-1] == STRINGS[lang]["no_effect"]
        assert cells["minder"][-1].startswith("€"), "a demonstrable effect has its cost"
        text = " ".join(b.text + " ".join(map(str, b.items)) for b in doc)
        assert "duidelijk effect" not in text and "clear effect" not in text
        best = STRINGS[lang]["sum_best"].split("{")[0]
        para = next(b.text for b in doc if b.kind == "p" and b.text.startswith(best))
        assert "minder" in para and "kopie" not in para, "the headline names only 'minder'"


def test_no_option_demonstrable_says_so(comp):
    c = copy.deepcopy(comp)
    c["rows"] = [r for r in c["rows"] if r["scenario"] in ("baseline", "kopie")]
    c["provenance"]["scenarios"] = {k: v for k, v in c["provenance"]["scenarios"].items()
                                    if k in ("baseline", "kopie")}
    text = " ".join(b.text for b in build_document(c, "nl"))
    assert "geen aantoonbaar effect" in text
    assert "Laagste kosten" not in text and "laagste kosten" not in text
    assert figure_messages(c, "nl")["fig4_cost_vs_prevented"].startswith("Geen optie")


def test_warnings_below_ten_replications_and_short_horizon(comp):
    checks = comparison_checks(comp)
    assert checks["too_few_replications"] and checks["replications"] == REPS
    need = checks["needed_replications"]
    assert isinstance(need, int) and need >= 2
    late = {(i["scenario"], i["part"]) for i in checks["programmes_past_horizon"]}
    assert ("interventieteam", "interventieteam") in late, "2024-2027 past a 2024 horizon"
    for lang in ("nl", "en"):
        doc = build_document(comp, lang)
        warn = next(b for b in doc if b.kind == "warning")
        assert doc.index(warn) == 1, "the warnings come right after the title"
        assert str(need) in warn.items[0] and str(REPS) in warn.items[0]
        assert any("2027" in w for w in warn.items)
        para = [b.text for b in doc if b.kind == "p" and "2027" in b.text]
        assert any(STRINGS[lang]["past_horizon"].split("(")[0] in p for p in para), (
            "a team whose end lies past the horizon is structural within the calculation")
    structural = copy.deepcopy(comp)
    rows(structural)["interventieteam"]["programme"] = [2024, 2100]
    text = "\n".join(b.text for b in build_document(structural, "nl"))
    assert STRINGS["nl"]["structural"] in text


def test_enough_replications_no_warning(comp):
    c = copy.deepcopy(comp)
    c["provenance"]["replications"] = 10
    c["provenance"]["years"] = 6.0  # 2024-2029: every programme (to 2027) ends inside
    assert not any(b.kind == "warning" for b in build_document(c, "nl"))


# ---- the PDF, page by page ----------------------------------------------------------------
def _pages(path: Path) -> list[tuple[float, list[str]]]:
    """Per page: the height (inches) of the rows that carry ink, footer left out, and the
    page's lines of text without the footer."""
    pdfium = pytest.importorskip("pypdfium2")
    scale = 0.5
    pdf = pdfium.PdfDocument(str(path))
    out = []
    for i in range(len(pdf)):
        page = pdf[i]
        img = np.asarray(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
        body = img[: int(img.shape[0] - 0.7 * 72 * scale)]
        inked = np.count_nonzero((body < 200).any(axis=1)) / (72 * scale)
        text = page.get_textpage().get_text_range()
        lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
        out.append((inked, lines[:-1]))  # the last line is the footer and page number
    pdf.close()
    return out


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_has_no_page_with_only_a_heading(folder, comp, lang, tmp_path):
    path = build_report(folder, "pdf", lang, tmp_path / f"r-{lang}.pdf")
    pages = _pages(path)
    assert len(pages) >= 9, f"{len(pages)} pages: text pages and one page per figure"
    headings = {b.text for b in build_document(comp, lang) if b.kind in ("h1", "h2")}
    for n, (inked, lines) in enumerate(pages, 1):
        content = [ln for ln in lines if ln not in headings]
        assert content, f"{lang}: page {n} holds nothing but a heading: {lines}"
        # a heading with the paragraph that introduces a table, the table moved on, is
        # about 0.6 inch of ink: only the last page (the end of a table) may be that short
        assert inked > (0.3 if n == len(pages) else 1.2), (
            f"{lang}: page {n} is (almost) empty: {inked:.2f} inch of ink, {lines}")


# ---- figures --------------------------------------------------------------------------------
def _boxes(fig) -> dict:
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    texts = {t.get_gid(): t for t in fig.texts if t.get_gid()}
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    return {"title": texts["title"].get_window_extent(r),
            "subtitle": texts["subtitle"].get_window_extent(r),
            "source": texts["source"].get_window_extent(r),
            "legends": [leg.get_window_extent(r) for leg in legends],
            "axes": [ax.get_tightbbox(r) for ax in fig.axes if ax.get_visible()],
            "figure": fig.bbox}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_legends_title_and_source_line_do_not_overlap(comp, lang):
    with plt.rc_context(STYLE):
        figs = make_figures(comp, lang)
    try:
        messages = figure_messages(comp, lang)
        for name in NAMES:
            fig = figs[name]
            b = _boxes(fig)
            title = next(t for t in fig.texts if t.get_gid() == "title")
            assert title.get_text().replace("\n", " ") == messages[name], name
            assert b["legends"] or name in ("fig3_maps", "fig4_cost_vs_prevented"), name
            for i, leg in enumerate(b["legends"]):
                for part in ("source", "title", "subtitle"):
                    assert not leg.overlaps(b[part]), f"{lang} {name}: legend {i} over {part}"
            for ax in b["axes"]:
                assert not ax.overlaps(b["source"]), f"{lang} {name}: a plot over the source"
                assert not ax.overlaps(b["title"]), f"{lang} {name}: a plot over the title"
            for part in ("title", "subtitle", "source"):
                box = b[part]
                assert box.x0 >= -1 and box.x1 <= b["figure"].x1 + 1, f"{name}: {part} cut"
    finally:
        for f in figs.values():
            plt.close(f)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_text_in_any_figure_covers_another(comp, lang):
    """Every text: titles, ticks, legends, and the labels inside the axes (issue 22.4).

    The cost figure's amounts once hid each other ("€ 10.000 per voorkomen inbraak komen
    inbraak"); the map's wijk labels once ran together ("1402 03").
    """
    with plt.rc_context(STYLE):
        figs = make_figures(comp, lang)
    try:
        for name, fig in figs.items():
            assert not overlaps(fig), f"{lang} {name}: texts overlap: {overlaps(fig)}"
        maps = [ax for ax in figs["fig3_maps"].axes if ax.get_label().startswith("map:")]
        for ax in maps:
            labels = [t.get_text() for t in ax.texts if t.get_gid() == "wijk-label"]
            assert len(labels) == len(comp["figures"]["wijken"]), "every wijk labelled"
        iso = [t.get_text() for t in figs["fig4_cost_vs_prevented"].axes[0].texts
               if t.get_gid() == "iso"]
        assert len(iso) == len(set(iso)) and iso, iso
    finally:
        for f in figs.values():
            plt.close(f)


def test_crowded_labels_move_aside_with_a_leader_line():
    """Labels whose points nearly coincide: each moves to a free spot, with a line back."""
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    points = [(5, 5), (5.1, 5), (5, 5.1), (4.9, 4.9), (2, 2)]
    texts = place_labels(ax, points, ["01", "02", "03", "04", "05"], 12)
    try:
        assert not overlaps(fig)
        moved = [t for t in texts if tuple(t.xyann) != (0, 0)]
        assert len(moved) == 3 and all(t.arrow_patch is not None for t in moved)
        assert tuple(texts[-1].xyann) == (0, 0), "a label with room stays on its point"
    finally:
        plt.close(fig)


def test_cost_lines_are_all_labelled_and_fig1_shows_observed_years(comp):
    with plt.rc_context(STYLE):
        figs = make_figures(comp, "nl")
    try:
        ax = figs["fig4_cost_vs_prevented"].axes[0]
        lines = [ln for ln in ax.lines if ln.get_gid() == "iso"]
        labels = [t for t in ax.texts if t.get_gid() == "iso"]
        assert lines and len(lines) == len(labels), "every cost-per-prevented line labelled"
        assert all(t.get_text().startswith("€\u00a0") for t in labels)
        ax1 = figs["fig1_over_time"].axes[0]
        observed = comp["figures"]["observed"]["years"]
        marks = [ln for ln in ax1.lines if ln.get_label() == STRINGS["nl"]["f1_observed"]]
        assert len(marks) == 1 and len(marks[0].get_xdata()) == len(observed), (
            "the observed years as points")
        legend = [t.get_text() for t in ax1.get_legend().get_texts()]
        assert STRINGS["nl"]["f1_observed"] in legend and "huidige inzet" in legend
        assert len(ax1.containers) == len(comp["rows"]), "one series per scenario, no bands"
        assert not ax1.collections or all(type(c).__name__ != "FillBetweenPolyCollection"
                                          for c in ax1.collections)
    finally:
        for f in figs.values():
            plt.close(f)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_alt_text_states_each_figures_message(folder, comp, lang, tmp_path):
    text = build_report(folder, "html", lang, tmp_path / "r.html").read_text(encoding="utf-8")
    alts = [html.unescape(a) for a in re.findall(r'<img alt="([^"]*)"', text)]
    messages = figure_messages(comp, lang)
    assert alts == [messages[n] for n in NAMES]
    for alt, name in zip(alts, NAMES, strict=True):
        assert len(alt.split()) >= 5 and name not in alt, f"{name}: a sentence, not a key"
    assert "<div class='warn'" in text


# ---- Dutch throughout -----------------------------------------------------------------------
BANNED = ("baseline", "pool", "Hoofdseed", "Uitstapjes", "seed", "reference", "clear effect",
          "duidelijk effect", "near repeat", "near-repeat", "prior", "gefit", "run", "runs",
          "fingerprint", "fingerprints", "hash", "hashes", "spread",
          "outings", "displacement", "estimate", "calibrated", "fitted")
#: Words for researchers that belong in appendix A only, each explained there.
APPENDIX_ONLY = ("WDQ", "CV", "variatiecoëfficiënt", "verplaatsingsquotiënt")


def _words(blocks) -> str:
    words = []
    for b in blocks:
        words += [b.text, b.alt, *b.header]
        for item in b.items:
            words += item if isinstance(item, list) else [item]
    return "\n".join(map(str, words))


def test_dutch_report_has_no_english_words(comp):
    """A word list (issue 22.5); the provenance's values quote commands and file names."""
    doc = build_document(comp, "nl")
    heads = [i for i, b in enumerate(doc) if b.kind == "h1"]
    appendix = next(i for i in heads if doc[i].text == STRINGS["nl"]["h_measures"])
    prov = next(i for i in heads if doc[i].text == STRINGS["nl"]["h_provenance"])
    labels = [row[0] for row in doc[prov + 1].items]
    # file names and commands are quoted as they are
    text = re.sub(r"\S*[/.]\S*(toml|csv|json)\b|\bsim \w+ [\w-]+", "",
                  _words(doc[:prov]) + "\n".join(labels))
    for word in BANNED:
        assert not re.search(rf"\b{re.escape(word)}\b", text, re.I), f"English: {word!r}"
    main = _words(doc[:appendix])
    for word in APPENDIX_ONLY:
        assert not re.search(rf"\b{re.escape(word)}\b", main, re.I), f"{word} in the main text"
    assert re.search(r"\bWDQ\b", _words(doc[appendix:prov])), "appendix A explains the WDQ"
    with plt.rc_context(STYLE):
        figs = make_figures(comp, "nl", in_report=True)
    try:
        hashes = [v["hash"] for v in comp["provenance"]["scenarios"].values()]
        for name, fig in figs.items():
            shown = "\n".join(t.get_text() for t in fig.findobj(plt.Text))
            hits = [w for w in BANNED if re.search(rf"\b{re.escape(w)}\b", shown, re.I)]
            assert not hits, f"{name}: {hits}"
            assert not any(h in shown for h in hashes), f"{name}: hashes belong in appendix B"
    finally:
        for f in figs.values():
            plt.close(f)
    listed = _words(doc[prov:])
    assert all(listed.count(h) == 1 for h in hashes), "each hash listed once, in appendix B"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_glossary_and_rounded_money(comp, lang):
    doc = build_document(comp, lang)
    heads = [b.text for b in doc if b.kind == "h1"]
    i = heads.index(STRINGS[lang]["h_glossary"])
    assert heads[i + 1:] == [STRINGS[lang]["h_measures"], STRINGS[lang]["h_provenance"]], (
        "the glossary, then the appendices")
    k = next(j for j, b in enumerate(doc) if b.text == STRINGS[lang]["h_glossary"])
    assert doc[k + 1].kind == "table" and len(doc[k + 1].items) >= 10
    assert eur(299_947, "nl") == "€\u00a0300.000" and eur(299_947, "en") == "€300,000"
    assert round_money(47_512) == 47_500 and round_money(449_920) == 450_000
    text = "\n".join(b.text for b in doc)
    assert "299.947" not in text and "299,947" not in text
    assert eur(300_000, lang) in text, "kopie's €299,947 a year, shown rounded"


def test_sources_are_cited_by_their_names_in_sources_md():
    keys = re.findall(r"^### \*\*(.+?)\*\*", (ROOT / "docs" / "sources.md").read_text(
        encoding="utf-8"), re.M)
    months = ("January|February|March|April|May|June|July|August|September|October|"
              "November|December")
    cite = re.compile(rf"\b(?!(?:{months}) )([A-Z][A-Za-z]+(?: et al\.| e\.a\.| & "
                      r"(?:[Vv]an )?[A-Z][A-Za-z]+)? (?:19|20)\d\d)\b")
    for a in ASSUMPTIONS:
        for src in a["src"]:
            assert not re.search(r"\bS[0-9]\b", src), src
            for c in cite.findall(src):
                c = c.replace(" e.a.", " et al.").replace("Van Ours", "van Ours")
                assert any(c in k or k in c for k in keys), f"{c!r} not in docs/sources.md"
