"""Lay the report's blocks out on A4 pages with matplotlib's PDF backend.

Text pages are A4 portrait: a cursor moves down the page, paragraphs are wrapped with
real font metrics, tables repeat their header on a new page. Each figure gets an A4
landscape page of its own, so it is as large as it can be.

No page holds a heading alone: a heading keeps the text after it up to the first rows of a
table, and only a short table (at most :data:`KEEP_WHOLE` of a page) is moved whole to the
next page; a longer one starts where it is and continues, its header repeated.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle

from sim.report.document import Block
from sim.report.text import label, tr

PT = 1 / 72  # inch per point
PORTRAIT, LANDSCAPE = (8.27, 11.69), (11.69, 8.27)
MARGIN = 0.8  # inch
BLUE = "#0072B2"
TABLE_SIZE, TABLE_PAD = 8.8, 0.06  # table font size (pt) and cell padding (inch)
_RENDERER = RendererAgg(10, 10, 72)  # measures text in points
KEEP_WHOLE = 0.4  # a table up to this share of a page's text height is kept on one page
KEEP_ROWS = 3  # a longer table keeps its header and this many rows with what is before it
RED = "#B2182B"


@lru_cache(maxsize=20_000)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of a line of text in inches."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    w, _, _ = _RENDERER.get_text_width_height_descent(text, prop, ismath=False)
    return w * PT


def wrap(text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to a width in inches; explicit newlines are kept."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, size, bold) > width_in:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def figure_rgba(fig: Any, dpi: int) -> np.ndarray:
    """A figure rendered to an (h, w, 4) uint8 array (no PNG round trip)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=dpi)
    data = np.frombuffer(buf.getvalue(), dtype=np.uint8)
    n = data.size // 4
    width_in, height_in = fig.get_size_inches()
    for w in (int(round(width_in * dpi)), int(width_in * dpi), int(width_in * dpi) + 1):
        if n % w == 0 and abs(n // w - height_in * dpi) <= 1:
            return data.reshape(n // w, w, 4)
    raise ValueError("cannot infer the size of the rendered figure")  # pragma: no cover


class PdfWriter:
    """A cursor over A4 pages of a PdfPages file."""

    def __init__(self, pdf: PdfPages, footer: str, lang: str):
        self.pdf, self.footer, self.lang = pdf, footer, lang
        self.fig = None
        self.page = 0
        self.y = 0.0  # inches from the top of the page
        self._width_cache: dict[int, list[float]] = {}

    # ---- pages -----------------------------------------------------------------------------
    def new_page(self, size: tuple[float, float] = PORTRAIT) -> None:
        """Finish the current page and start a new one."""
        self.finish_page()
        self.fig = plt.figure(figsize=size)
        self.w, self.h = size
        self.page += 1
        self.y = MARGIN

    def finish_page(self) -> None:
        """Print the footer and save the page."""
        if self.fig is None:
            return
        self.text(MARGIN, self.h - 0.45, self.footer, 8.5, color="#777777")
        self.fig.text(1 - MARGIN / self.w, 0.45 / self.h, tr(self.lang, "page", n=self.page),
                      fontsize=8.5, color="#777777", ha="right", va="top")
        self.pdf.savefig(self.fig)
        plt.close(self.fig)
        self.fig = None

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` inches still fit."""
        if self.fig is None or self.y + height > self.h - MARGIN:
            self.new_page()

    # ---- primitives ------------------------------------------------------------------------
    def text(self, x: float, y: float, s: str, size: float, **kw: Any) -> None:
        """Place text with its top-left at (x, y) inches from the page's top-left."""
        self.fig.text(x / self.w, 1 - y / self.h, s, fontsize=size, va="top", ha="left", **kw)

    def lines(self, lines: list[str], size: float, x: float = MARGIN, lead: float = 1.4,
              **kw: Any) -> None:
        """Write lines one under the other, breaking pages where needed."""
        step = size * lead * PT
        for line in lines:
            self.ensure(step)
            self.text(x, self.y, line, size, **kw)
            self.y += step

    @property
    def width(self) -> float:
        """Usable text width in inches."""
        return self.w - 2 * MARGIN

    # ---- blocks ----------------------------------------------------------------------------
    def title(self, b: Block) -> None:
        """Title and subtitle on the first page."""
        self.ensure(1.5)
        self.lines(wrap(b.text, self.width, 20, True), 20, fontweight="bold", lead=1.25)
        self.y += 0.05
        self.lines(wrap(b.items[0], self.width, 10.5), 10.5, color="#555555")
        self.fig.add_artist(Rectangle((MARGIN / self.w, 1 - (self.y + 0.1) / self.h),
                                      self.width / self.w, 0.03 / self.h, color=BLUE))
        self.y += 0.3

    def heading(self, b: Block, size: float, keep: float = 0.8) -> None:
        """A section (h1) or sub-section (h2) heading, kept with ``keep`` inches after it."""
        self.ensure(size * PT * 2 + 0.3 + keep)
        self.y += 0.18 if size > 13 else 0.08
        colour = BLUE if size > 13 else "#1a1a1a"
        self.lines(wrap(b.text, self.width, size, True), size, fontweight="bold", color=colour)
        self.y += 0.04

    def paragraph(self, b: Block) -> None:
        """Wrapped text."""
        size = 8.5 if b.small else 10.5
        self.lines(wrap(b.text, self.width, size), size, color="#333333" if b.small else None)
        self.y += 0.04 if b.small else 0.1

    def paragraph_height(self, b: Block) -> float:
        """Height of a paragraph on a portrait page, in inches."""
        size = 8.5 if b.small else 10.5
        n = len(wrap(b.text, PORTRAIT[0] - 2 * MARGIN, size))
        return n * size * 1.4 * PT + (0.04 if b.small else 0.1)

    def bullets(self, b: Block) -> None:
        """A bulleted list; a short list (up to a third of a page) stays on one page."""
        total = self.bullets_height(b)
        if total < (PORTRAIT[1] - 2 * MARGIN) / 3:
            self.ensure(total)
        for item in b.items:
            lines = wrap(item, self.width - 0.25, 10.5)
            self.ensure(10.5 * 1.4 * PT)
            self.text(MARGIN + 0.05, self.y, "•", 10.5, color=BLUE)
            self.lines(lines, 10.5, x=MARGIN + 0.25)
            self.y += 0.06
        self.y += 0.06

    def bullets_height(self, b: Block) -> float:
        """Height of a bulleted list on a portrait page, in inches."""
        return sum(len(wrap(item, self.width - 0.25, 10.5)) * 10.5 * 1.4 * PT + 0.06
                   for item in b.items) + 0.06

    def _widths(self, b: Block) -> list[float]:
        """Column widths (inch): as asked, but wide enough for each column's longest word."""
        key = id(b)
        if key in self._width_cache:
            return self._width_cache[key]
        full = PORTRAIT[0] - 2 * MARGIN  # tables are always on portrait pages
        total = sum(b.widths)
        widths = [full * w / total for w in b.widths]
        rows = ([b.header] if b.header else []) + b.items
        need = [max(text_width(word, TABLE_SIZE, True) for row in rows
                    for word in str(row[j]).replace("\n", " ").split(" ")) + 2 * TABLE_PAD
                for j in range(len(widths))]
        short = [j for j in range(len(widths)) if widths[j] < need[j]]
        if short and sum(need) <= full:
            extra = sum(need[j] - widths[j] for j in short)
            rest = [j for j in range(len(widths)) if j not in short]
            room = sum(widths[j] - need[j] for j in rest)
            for j in short:
                widths[j] = need[j]
            for j in rest:  # take the space from the others, in proportion to their slack
                widths[j] -= extra * (widths[j] - need[j]) / room
        self._width_cache[key] = widths
        return widths

    def _cells(self, b: Block, row: list[str], header: bool) -> list[list[tuple[str, bool]]]:
        """Wrapped lines per cell; the part after a newline (an interval) is secondary."""
        out = []
        for j, (c, w) in enumerate(zip(row, self._widths(b), strict=True)):
            lines = []
            for k, seg in enumerate(str(c).split("\n")):
                bold = header or (j == 0 and k == 0)
                lines += [(t, k == 0) for t in wrap(seg, w - 2 * TABLE_PAD, TABLE_SIZE, bold)]
            out.append(lines)
        return out

    def _row_height(self, cells: list[list]) -> float:
        return max(len(c) for c in cells) * TABLE_SIZE * 1.3 * PT + 2 * TABLE_PAD

    def table_height(self, b: Block, rows: int | None = None) -> float:
        """Height of the whole table (or of its header and first ``rows`` rows) in inches."""
        items = b.items if rows is None else b.items[:rows]
        parts = ([(b.header, True)] if b.header else []) + [(r, False) for r in items]
        return sum(self._row_height(self._cells(b, r, h)) for r, h in parts) + 0.2

    def kept_whole(self, b: Block) -> bool:
        """Whether the table moves whole to a new page when it does not fit (short ones)."""
        return self.table_height(b) <= KEEP_WHOLE * (PORTRAIT[1] - 2 * MARGIN)

    def keep_height(self, b: Block) -> float:
        """Height that must fit for the table to start here (all of it, or its start)."""
        return self.table_height(b) if self.kept_whole(b) else self.table_height(b, KEEP_ROWS)

    def warning(self, b: Block) -> None:
        """A framed box of warnings (red bar on the left), kept on one page."""
        size = 10
        lines = [wrap(item, self.width - 0.45, size) for item in b.items]
        height = (len(b.items) + 1) * 0.08 + 0.35 + sum(len(x) for x in lines) * size * 1.4 * PT
        self.ensure(height + 0.1)
        top = self.y
        self.fig.add_artist(Rectangle((MARGIN / self.w, 1 - (top + height) / self.h),
                                      self.width / self.w, height / self.h, color="#fbeaea",
                                      zorder=0))
        self.fig.add_artist(Rectangle((MARGIN / self.w, 1 - (top + height) / self.h),
                                      0.06 / self.w, height / self.h, color=RED))
        self.y += 0.08
        self.text(MARGIN + 0.2, self.y, b.text, 11, fontweight="bold", color=RED)
        self.y += 0.27
        for chunk in lines:
            self.lines(chunk, size, x=MARGIN + 0.2)
            self.y += 0.08
        self.y = top + height + 0.15

    def table(self, b: Block) -> None:
        """A table; cells wrap, the header repeats after a page break."""
        step = TABLE_SIZE * 1.3 * PT
        widths = self._widths(b)
        xs = [MARGIN + sum(widths[:i]) for i in range(len(widths))]

        def draw(row: list[str], header: bool, need: float = 0.0) -> None:
            wrapped = self._cells(b, row, header)
            height = self._row_height(wrapped)
            if self.fig is None or self.y + max(height, need) > self.h - MARGIN:
                self.new_page()
                if b.header and not header:
                    draw(b.header, True)
            if header:
                self.fig.add_artist(Rectangle((MARGIN / self.w, 1 - (self.y + height) / self.h),
                                              self.width / self.w, height / self.h,
                                              color="#e8eff6", zorder=0))
            for j, (x, lines) in enumerate(zip(xs, wrapped, strict=True)):
                for i, (line, main) in enumerate(lines):
                    bold = header or (j == 0 and main)
                    self.text(x + TABLE_PAD, self.y + TABLE_PAD + i * step, line,
                              TABLE_SIZE if main else TABLE_SIZE - 0.8,
                              fontweight="bold" if bold else "normal",
                              color="#1a1a1a" if main else "#555555")
            self.y += height
            self.fig.add_artist(Rectangle((MARGIN / self.w, 1 - self.y / self.h),
                                          self.width / self.w, 0.008 / self.h, color="#bbbbbb"))

        self.y += 0.05
        self.ensure(self.keep_height(b))  # a short table stays together, a long one starts
        if b.header:
            draw(b.header, True)
        heights = [self._row_height(self._cells(b, r, False)) for r in b.items]
        for k, row in enumerate(b.items):
            # no widow: the last two rows go to a new page together, never the last alone
            need = heights[k] + heights[k + 1] if k == len(b.items) - 2 and k > 0 else 0.0
            draw(row, False, need)
        self.y += 0.15

    def inline_figure(self, b: Block, fig: Any, max_h: float = 2.7) -> None:
        """A small figure in the text flow (page 1's history figure), caption underneath."""
        caption = wrap(b.text, self.width, 9)
        png = figure_rgba(fig, dpi=170)
        ih, iw = png.shape[:2]
        scale = min(self.width / iw, max_h / ih)
        w, h = iw * scale, ih * scale
        self.ensure(h + len(caption) * 9 * 1.4 * PT + 0.2)
        ax = self.fig.add_axes((MARGIN / self.w, 1 - (self.y + h) / self.h, w / self.w,
                                h / self.h))
        ax.imshow(png, interpolation="none")
        ax.set_axis_off()
        self.y += h + 0.08
        self.lines(caption, 9, color="#444444")
        self.y += 0.1

    def figure(self, b: Block, fig: Any, heading: Block | None = None) -> None:
        """A figure on a page of its own, caption underneath (and a heading above).

        Landscape for wide figures, portrait for tall ones (e.g. maps of many scenarios).
        """
        width_in, height_in = fig.get_size_inches()
        self.new_page(LANDSCAPE if height_in < 0.9 * width_in else PORTRAIT)
        if heading is not None:
            self.y = MARGIN - 0.35
            self.lines([heading.text], 13, fontweight="bold", color=BLUE)
            self.y = MARGIN
        caption = wrap(b.text, self.width, 11)
        cap_h = len(caption) * 11 * 1.4 * PT
        png = figure_rgba(fig, dpi=170)
        box_w, box_h = self.width, self.h - 2 * MARGIN - cap_h - 0.15
        ih, iw = png.shape[:2]
        scale = min(box_w / iw, box_h / ih)
        w, h = iw * scale, ih * scale
        left = (self.w - w) / 2
        ax = self.fig.add_axes((left / self.w, 1 - (MARGIN + h) / self.h, w / self.w, h / self.h))
        ax.imshow(png, interpolation="none")  # embedded as is, no resampling
        ax.set_axis_off()
        self.y = MARGIN + h + 0.15
        self.lines(caption, 11)
        self.finish_page()


def _keep(w: PdfWriter, doc: list[Block], i: int) -> float:
    """Height to keep with heading ``i``: the paragraphs up to a table, and the table."""
    height = 0.0
    for k, b in enumerate(doc[i + 1:], i + 1):
        if b.kind == "p":
            height += w.paragraph_height(b)
        elif b.kind == "bullets":  # a short list stays with its heading
            height += w.bullets_height(b)
            return height if height < (PORTRAIT[1] - 2 * MARGIN) / 3 else 0.8
        elif b.kind == "table":
            height += w.keep_height(b) + 0.05
            # the table's footnotes stay with it (a page of one footnote line is no page)
            for note in doc[k + 1:]:
                if note.kind != "p" or not note.small:
                    break
                height += w.paragraph_height(note)
            return height if height < PORTRAIT[1] - 3 * MARGIN else 0.8
        else:
            break
    return 0.8


def render_pdf(doc: list[Block], figures: dict[str, Any], path: Path, lang: str,
               comp: dict[str, Any]) -> None:
    """Write the blocks as a PDF."""
    hashes = ", ".join(f"{k} {v['hash']}" for k, v in comp["provenance"]["scenarios"].items())
    meta = {"Title": doc[0].text, "Author": "Wijksim", "Subject": hashes,
            "Creator": f"Wijksim {comp['provenance']['package_version']}"}
    # TrueType fonts: the text stays selectable and searchable
    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(path, metadata=meta) as pdf:
        w = PdfWriter(pdf, tr(lang, "footer", ref=label(comp["reference"], lang)), lang)
        for i, b in enumerate(doc):
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if b.kind == "h1" and nxt is not None and nxt.kind == "figure":
                continue  # printed at the top of the first figure page
            if b.kind == "title":
                w.title(b)
            elif b.kind in ("h1", "h2"):
                w.heading(b, 15 if b.kind == "h1" else 11.5, _keep(w, doc, i))
            elif b.kind == "p":
                w.paragraph(b)
            elif b.kind == "bullets":
                w.bullets(b)
            elif b.kind == "warning":
                w.warning(b)
            elif b.kind == "table":
                w.table(b)
            elif b.kind == "figure" and b.small:
                w.inline_figure(b, figures[b.key])
            elif b.kind == "figure":
                before = doc[i - 1] if doc[i - 1].kind == "h1" else None
                w.figure(b, figures[b.key], before)
        w.finish_page()
