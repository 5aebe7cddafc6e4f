"""The report as a list of blocks, independent of how it is laid out (PDF or HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Block:
    """One element of the report: kind is title, h1, h2, p, bullets, warning, table or figure.

    A ``warning`` holds its sentences in ``items`` and its heading in ``text``; a figure's
    ``text`` is its caption and ``alt`` its message (the HTML alt text).
    """

    kind: str
    text: str = ""
    items: list[Any] = field(default_factory=list)  # bullets; table rows; kv pairs
    header: list[str] = field(default_factory=list)  # table header
    widths: list[float] = field(default_factory=list)  # relative column widths
    key: str = ""  # figure name
    small: bool = False  # footnote-sized paragraph
    alt: str = ""  # a figure's message: what it shows, in one sentence
