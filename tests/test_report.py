"""sim report: both languages and formats from a tiny comparison, every section present."""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from sim.analysis.compare.comparison import plan_comparison, run_comparison
from sim.core.errors import UserError
from sim.report.build import SECTION_KEYS, build_document, build_report, load_comparison
from sim.report.figures import GREY, STYLE, _outline_path, _rings, fig_maps
from sim.report.overlap import overlaps
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


def _map_comparison(folder: Path) -> dict:
    """The fixture's comparison with hand-set intervals for three wijken of the first option.

    Wijk 0: the interval lies below zero (coloured, blue); wijk 1: it includes zero (grey)
    although its mean is larger; wijk 2: it lies above zero (coloured, red).
    """
    comp = copy.deepcopy(load_comparison(folder))
    m = comp["figures"]["map"]
    assert m["layout"] == "polygons" and m["outlines"], "the fixture city has real outlines"
    option = next(r for r in comp["rows"] if not r["reference"])
    ch = option["per_wijk_change_per_1000_households"]
    for i, (mean, lo, hi) in enumerate([(-5.0, -8.0, -2.0), (-9.0, -20.0, 1.0), (4.0, 1.0, 7.0)]):
        ch["mean"][i], ch["lo"][i], ch["hi"][i] = mean, lo, hi
    return comp


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_fig3_maps_real_outlines_colour_only_demonstrable_changes(folder, lang):
    comp = _map_comparison(folder)
    codes = [w["code"] for w in comp["figures"]["wijken"]]
    rows = [r for r in comp["rows"] if r["reference"]] + [r for r in comp["rows"]
                                                           if not r["reference"]]
    with plt.rc_context(STYLE):
        fig = fig_maps(comp, lang)
    try:
        maps = [ax for ax in fig.axes if ax.get_label().startswith("map:")]
        assert [ax.get_label() for ax in maps] == [f"map:{r['scenario']}" for r in rows], \
            "one map per scenario, the reference first"
        assert sum(ax.get_label() == "<colorbar>" for ax in fig.axes) == 2, \
            "a colour bar for the rates and one shared by the changes"
        for ax in maps:
            patches = [p for p in ax.patches if isinstance(p, PathPatch)]
            assert sorted(p.get_gid() for p in patches) == sorted(codes), \
                f"{ax.get_label()}: every wijk drawn once, as its real outline"
            assert ax.get_aspect() == 1.0, "RD New metres: equal aspect"
            assert not ax.get_xticks().size and not ax.get_yticks().size
        grey = to_rgba(GREY)
        colour = {p.get_gid(): p.get_facecolor() for p in maps[1].patches
                  if isinstance(p, PathPatch)}
        down, wide, up = (colour[c] for c in codes[:3])
        assert wide == grey, "interval includes 0: grey, however large the mean"
        assert down != grey and down[2] > down[0], "interval below 0: coloured, blue"
        assert up != grey and up[0] > up[2], "interval above 0: coloured, red"
        ref_colours = [p.get_facecolor() for p in maps[0].patches if isinstance(p, PathPatch)]
        assert grey not in ref_colours, "the reference map shows rates, never 'no difference'"
        texts = [" ".join(t.get_text().split()) for ax in fig.axes for t in ax.texts]
        assert any(STRINGS[lang]["f3p_grey"] in t for t in texts), "the key says what grey means"
        squares = [t for ax in fig.axes for t in ax.texts if "\u25a0" in t.get_text()]
        assert squares and to_rgba(squares[0].get_color()) == grey, "with a grey square"
        for ax in maps:
            bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
            assert len(bars) == 1 and bars[0].txt_label.get_text().endswith("km"), "scale bar"
            assert "N" in [t.get_text() for t in ax.texts], "a north mark"
        fig.canvas.draw()  # lays out and renders without errors
    finally:
        plt.close(fig)


def test_fig3_maps_fill_rings_even_odd():
    """A hole stays empty and an island in it is filled, whatever the rings' direction."""
    square = [[0, 0], [10, 0], [10, 10], [0, 10]]
    hole = [[3, 3], [7, 3], [7, 7], [3, 7]]  # same direction as the exterior
    island = [[4.5, 4.5], [5.5, 4.5], [5.5, 5.5], [4.5, 5.5]]
    path = _outline_path(_rings([square, hole, island]))
    fig = Figure(figsize=(2, 2), dpi=50)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_patch(PathPatch(path, facecolor="black", edgecolor="none"))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_axis_off()
    FigureCanvasAgg(fig).draw()
    img = np.asarray(fig.canvas.buffer_rgba())[::-1, :, 0]  # row 0 at y = 0

    def at(x: float, y: float) -> int:
        return int(img[int(y / 10 * img.shape[0]), int(x / 10 * img.shape[1])])

    assert at(1.5, 1.5) == 0, "inside the exterior: filled"
    assert at(3.8, 3.8) == 255, "inside the hole: empty"
    assert at(5, 5) == 0, "the island in the hole: filled"


def test_fig3_maps_fall_back_to_the_grid_without_outlines(folder):
    comp = load_comparison(folder)
    n = len(comp["rows"])
    for change, lang in (({"outlines": None}, "nl"), ({"layout": "schematic"}, "en"),
                         ({"outlines": [[]] * 3}, "nl")):
        c = copy.deepcopy(comp)
        c["figures"]["map"].update(change)
        with plt.rc_context(STYLE):
            fig = fig_maps(c, lang)
        try:
            assert not any(isinstance(p, PathPatch) for ax in fig.axes for p in ax.patches), \
                f"{change}: no outlines drawn"
            images = sum(len(ax.images) for ax in fig.axes)
            # density per scenario, the key, and per option its difference on a grey underlay
            # (wijken without a demonstrable difference show the grey)
            assert images == n + 1 + 2 * (n - 1), f"{change}: {images} images"
            assert not overlaps(fig), f"{change}: labels overlap: {overlaps(fig)}"
            key = next(ax for ax in fig.axes if ax.get_label() == "map:key")
            assert len([t for t in key.texts if t.get_gid() == "wijk-label"]) == len(
                comp["figures"]["wijken"]), "every wijk numbered on the key map"
        finally:
            plt.close(fig)
