"""Meeting mode: a finished ``sim compare`` folder, shown as it is (nothing is computed).

The key table is the report's (``sim.report.build``), in Dutch or English; the figures are
the folder's own PNGs when they are in the page's language, else drawn once from
``comparison.json`` in that language (no simulation either way).
"""

from __future__ import annotations

import functools
import html
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.core.errors import UserError
from sim.report.build import build_document, load_comparison
from sim.report.document import Block
from sim.report.text import tr
from sim.serve.live import Message

#: pyplot is not thread-safe: figures are drawn one at a time.
_DRAW_LOCK = threading.Lock()


@dataclass
class Meeting:
    """A comparison folder, read and checked."""

    folder: Path
    comp: dict[str, Any]

    def span(self) -> tuple[int, int]:
        """First and last calendar year of the comparison."""
        p = self.comp["provenance"]
        return p["start_year"], p["start_year"] + int(-(-p["years"] // 1)) - 1

    def table_blocks(self, lang: str) -> list[Block]:
        """The report's key-table section: intro, the two tables and their notes."""
        doc = build_document(self.comp, lang)
        start = next(i for i, b in enumerate(doc)
                     if b.kind == "h1" and b.text == tr(lang, "h_table"))
        end = next((i for i, b in enumerate(doc) if i > start and b.kind == "h1"), len(doc))
        return doc[start + 1:end]

    def table_html(self, lang: str) -> str:
        """The key-table section as HTML (tables with class ``wijksim-key-table``)."""
        return blocks_html(self.table_blocks(lang))

    def figures(self, lang: str) -> list[tuple[str, bytes]]:
        """(name, PNG) of the figures in ``lang``: the folder's own, or drawn in ``lang``."""
        return _figures(str(self.folder.resolve()), lang)


def load_meeting(folder: str | Path) -> Meeting:
    """Read and check a comparison folder (UserError naming what is wrong)."""
    folder = Path(folder)
    return Meeting(folder, load_comparison(folder))


def try_meeting(folder: str | Path) -> Meeting | Message:
    """:func:`load_meeting`, with any problem as an error Message (never raises)."""
    try:
        return load_meeting(folder)
    except UserError as exc:
        return Message("error", str(exc))
    except Exception as exc:  # noqa: BLE001 — the page says so; the server keeps running
        return Message("error", f"{folder}: cannot be read ({type(exc).__name__}: {exc}).")


def _cell(text: str) -> str:
    return "<br>".join(html.escape(line) for line in str(text).split("\n"))


def blocks_html(blocks: list[Block]) -> str:
    """Paragraphs, subheadings and tables of the report as plain HTML."""
    out = []
    for b in blocks:
        if b.kind == "table":
            head = "".join(f"<th>{_cell(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>"
                           for row in b.items)
            out.append(f'<table class="wijksim-key-table"><thead><tr>{head}</tr></thead>'
                       f"<tbody>{rows}</tbody></table>")
        elif b.kind in ("h1", "h2"):
            out.append(f"<h3>{_cell(b.text)}</h3>")
        elif b.kind == "p":
            cls = ' class="wijksim-small"' if b.small else ""
            out.append(f"<p{cls}>{_cell(b.text)}</p>")
    return "\n".join(out)


def stored_language(folder: Path) -> str | None:
    """The language of the folder's figures: SVG keeps text as text, so count the words."""
    hits = {"nl": 0, "en": 0}
    for svg in sorted((folder / "figures").glob("*.svg")):
        try:
            text = svg.read_text(encoding="utf-8", errors="replace").lower()
        except OSError:
            continue
        hits["nl"] += text.count("jaar") + text.count("woninginbraken per")
        hits["en"] += text.count("year") + text.count("burglaries")
    if hits["nl"] == hits["en"]:
        return None
    return max(hits, key=lambda k: hits[k])


def stored_figures(folder: Path) -> list[Path]:
    """The folder's own figure PNGs, in the order of their names (fig1_..., fig2_...)."""
    return sorted((folder / "figures").glob("fig*.png"))


@functools.lru_cache(maxsize=8)
def _figures(folder: str, lang: str) -> list[tuple[str, bytes]]:
    path = Path(folder)
    stored = stored_figures(path)
    if stored and stored_language(path) in (lang, None):
        return [(p.stem, p.read_bytes()) for p in stored]
    from matplotlib import pyplot as plt

    from sim.report.figures import STYLE, make_figures

    comp = load_comparison(path)
    out = []
    with _DRAW_LOCK, plt.rc_context(STYLE):
        figs = make_figures(comp, lang)
        try:
            for name, fig in figs.items():
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=80)
                out.append((name, buf.getvalue()))
        finally:
            for f in figs.values():
                plt.close(f)
    return out
