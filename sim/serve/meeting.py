"""Meeting mode: a finished ``sim compare`` folder, shown as it is (nothing is computed).

The page opens on the report's "In het kort", its uncertainty section and, when the folder
has one, the history figure (observed against simulated); then the key table and the
figures. Text and tables are the report's (``sim.report.build``), in Dutch or English; the
figures are the folder's own PNGs when they are in the page's language, else drawn once
from ``comparison.json`` in that language (no simulation either way). Only the folder given
on the command line is read; the command line itself is not shown.
"""

from __future__ import annotations

import functools
import html
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solara

from sim.core.errors import UserError
from sim.report.build import build_document, load_comparison
from sim.report.document import Block
from sim.report.text import tr
from sim.serve.live import Message
from sim.serve.text import t

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

    def section(self, lang: str, heading: str) -> list[Block]:
        """The blocks of the report's section ``heading`` (a ``tr`` key), without its heading."""
        doc = build_document(self.comp, lang)
        title = tr(lang, heading)
        start = next((i for i, b in enumerate(doc) if b.kind in ("h1", "h2")
                      and b.text == title), None)
        if start is None:
            return []
        end = next((i for i, b in enumerate(doc) if i > start and b.kind == "h1"), len(doc))
        return doc[start + 1:end]

    def section_html(self, lang: str, heading: str) -> str:
        """A report section as HTML (tables with class ``wijksim-key-table``)."""
        return blocks_html(self.section(lang, heading))

    def table_html(self, lang: str) -> str:
        """The key-table section as HTML."""
        return self.section_html(lang, "h_table")

    def history_figure(self) -> Path | None:
        """The folder's history figure (observed against simulated), if it has one.

        Where ``sim report`` finds a history result: ``figures/``, the folder itself, or its
        ``history/`` subfolder (``sim history --out FOLDER/history``); the Dutch one first.
        """
        for where in (self.folder / "figures", self.folder, self.folder / "history"):
            found = sorted(where.glob("*histor*.png"), key=lambda p: ("_nl" not in p.name, p.name))
            if found:
                return found[0]
        return None

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
        elif b.kind == "bullets":
            out.append("<ul>" + "".join(f"<li>{_cell(str(x))}</li>" for x in b.items)
                       + "</ul>")
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
    """The folder's own report figure PNGs, in the order of their names (fig1_, fig2_, ...)."""
    return [p for p in sorted((folder / "figures").glob("fig*.png")) if "histor" not in p.name]


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


def _img(data: bytes, cls: str) -> None:
    """A PNG as an image in the page (no file path reaches the browser)."""
    with solara.Div(classes=["wijksim-figure", cls]):
        solara.Image(data, width="100%")


@solara.component
def MeetingPage(folder: str, language: str):
    """A finished comparison: summary, uncertainty and history first; then table and figures."""
    meeting = solara.use_memo(lambda: try_meeting(folder), [])

    def figures() -> list[tuple[str, bytes]]:  # drawn only for another language: a thread
        return meeting.figures(language) if isinstance(meeting, Meeting) else []

    drawn = solara.use_thread(figures, dependencies=[language])
    if isinstance(meeting, Message):
        solara.Error(f"{t(language, 'meeting_error')}: {meeting.say(language)}",
                     classes=["wijksim-error"])
        return
    first, last = meeting.span()
    reps = meeting.comp["provenance"]["replications"]
    with solara.Column(classes=["wijksim-meeting"], style="max-width: 1200px"):
        solara.Text(t(language, "meeting_intro", reps=reps, first=first, last=last),
                    classes=["wijksim-intro"])
        for key, cls in (("h_summary", "wijksim-summary"),
                         ("h_uncertainty", "wijksim-uncertainty")):
            solara.HTML(tag="h2", unsafe_innerHTML=html.escape(tr(language, key)))
            solara.HTML(tag="div", unsafe_innerHTML=meeting.section_html(language, key),
                        classes=[cls])
        history = meeting.history_figure()
        if history is not None:
            solara.HTML(tag="h2", unsafe_innerHTML=html.escape(t(language, "meeting_history")))
            _img(history.read_bytes(), "wijksim-history")
        solara.HTML(tag="h2", unsafe_innerHTML=html.escape(tr(language, "h_table")))
        solara.HTML(tag="div", unsafe_innerHTML=meeting.table_html(language),
                    classes=["wijksim-table"])
        solara.HTML(tag="h2", unsafe_innerHTML=html.escape(tr(language, "h_figures")))
        if drawn.state == solara.ResultState.FINISHED:
            for name, data in drawn.value or []:
                _img(data, f"wijksim-{name}")
        elif drawn.state == solara.ResultState.ERROR:
            solara.Error(t(language, "meeting_error"), classes=["wijksim-error"])
        else:
            solara.ProgressLinear(True)
