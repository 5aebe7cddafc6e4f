"""Reading CBS and police CSV exports: encoding, `;` or `,`, header titles, counts.

Both the raw-key exports (``WijkenEnBuurten``, ``GeregistreerdeMisdrijven_1``) and the
labelled downloads (``Wijken en buurten``, ``Geregistreerde misdrijven (aantal)``) are read
through :func:`read_table`; columns are then found by :func:`normalize`-d title, never by
position or by the numeric suffix CBS renumbers every year.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.errors import UserError

#: Cell values that mean "missing" (suppressed or unknown): CBS writes "." (unknown,
#: unreliable or confidential) and "x" (confidential); OData gives null.
MISSING = {"", ".", "x", "null", "none", "nan", "na", "n/a", "?"}
#: CBS writes "-" for "nihil": a true zero.
NIHIL = {"-"}

GM_RE = re.compile(r"\b(GM\d{4})\b")
WK_RE = re.compile(r"\b(WK\d{6})\b")
BU_RE = re.compile(r"\b(BU\d{8})\b")
NL_RE = re.compile(r"\b(NL0{1,2})\b")


def normalize(title: str) -> str:
    """A column title reduced for matching: no suffix ``_12``, no unit ``(aantal)``, a-z0-9."""
    t = title.strip().strip('"').lower()
    t = re.sub(r"_\d+$", "", t)
    t = re.sub(r"\([^)]*\)", "", t)
    return re.sub(r"[^a-z0-9]", "", t)


@dataclass
class Table:
    """A parsed CSV file: header titles and data rows with their line numbers."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str

    def column(self, *aliases: str, exclude: Iterable[str] = ()) -> int | None:
        """Index of the first column whose normalized title equals an alias (in alias order).

        An alias ending in ``*`` matches as a prefix. Titles containing any ``exclude``
        fragment are skipped.
        """
        norm = [normalize(h) for h in self.header]
        for alias in aliases:
            for i, n in enumerate(norm):
                if any(x in n for x in exclude):
                    continue
                if n == alias or (alias.endswith("*") and n.startswith(alias[:-1])):
                    return i
        return None

    def columns_text(self) -> str:
        """The file's column titles, for error messages."""
        return ", ".join(f"'{h}'" for h in self.header) or "(none)"


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_table(path: str | Path, is_header: Callable[[list[str]], bool], what: str) -> Table:
    """Read a `;`- or `,`-separated file whose header row satisfies ``is_header``.

    Title lines above the header (as in StatLine downloads) and one-cell footer lines
    ("Bron: CBS") are skipped. ``is_header`` gets the normalized titles of a candidate line.
    """
    path = Path(path)
    lines = _decode(path).splitlines()
    found = _find_header(lines, is_header)
    if found is not None:
        return _rows(path, lines, *found)
    first = next((ln for ln in lines if ln.strip()), "")
    raise UserError(
        f"this does not look like {what}: no header row with the required columns in the "
        f"first lines. The first line is: {first[:200]!r}.",
        file=str(path),
    )


def _find_header(lines: list[str], is_header: Callable[[list[str]], bool]
                 ) -> tuple[int, list[str], str] | None:
    for lineno, line in enumerate(lines[:30]):
        for delim in (";", ",", "\t"):
            cells = next(csv.reader([line], delimiter=delim), [])
            if len(cells) >= 2 and is_header([normalize(c) for c in cells]):
                return lineno, cells, delim
    return None


def has_header(path: str | Path, is_header: Callable[[list[str]], bool]) -> bool:
    """Whether the file has a header row that satisfies ``is_header`` (see :func:`read_table`)."""
    return _find_header(_decode(Path(path)).splitlines(), is_header) is not None


def _rows(path: Path, lines: list[str], lineno: int, header: list[str], delim: str) -> Table:
    rows = []
    body = "\n".join(lines[lineno + 1 :])
    for i, cells in enumerate(csv.reader(io.StringIO(body), delimiter=delim), start=lineno + 2):
        if len(cells) <= 1:  # blank lines, footers such as "Bron: CBS"
            continue
        if len(cells) != len(header):
            raise UserError(
                f"line {i} has {len(cells)} fields but the header has {len(header)} "
                f"({', '.join(h.strip() for h in header)}); is the separator '{delim}' "
                "used inside an unquoted value?",
                file=str(path),
            )
        rows.append((i, [c.strip() for c in cells]))
    return Table(path=path, header=[h.strip() for h in header], rows=rows, delimiter=delim)


def parse_count(value: str, delimiter: str) -> int | None:
    """A whole count, ``None`` when missing ('.', empty, null); '-' is CBS's zero.

    Raises:
        ValueError: the value is not a whole number.
    """
    v = value.strip().strip('"')
    if v.lower() in MISSING:
        return None
    if v in NIHIL:
        return 0
    v = v.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d+", v):
        return int(v)
    if re.fullmatch(r"\d+[.,]0+", v):  # 31.0 from a spreadsheet or pandas
        return int(v.split(".")[0].split(",")[0])
    if delimiter == ";" and re.fullmatch(r"\d{1,3}(\.\d{3})+", v):  # Dutch 1.382
        return int(v.replace(".", ""))
    raise ValueError(v)


def region_level(code: str) -> str:
    """'gemeente', 'wijk', 'buurt', 'land' or '' for a CBS region code."""
    return {"GM": "gemeente", "WK": "wijk", "BU": "buurt", "NL": "land"}.get(code[:2], "")


def gemeente_of(code: str) -> str:
    """The gemeente code (GM0362) of a gemeente, wijk or buurt code."""
    return "GM" + code[2:6] if region_level(code) in ("gemeente", "wijk", "buurt") else ""


def find_code(text: str) -> str | None:
    """The CBS region code inside a key or label (``'WK036201  '``, ``'Stadshart (WK036201)'``)."""
    t = text.strip()
    for rx in (BU_RE, WK_RE, GM_RE, NL_RE):
        m = rx.search(t)
        if m:
            return m.group(1)
    return None


def listing(items: Iterable[str], limit: int = 12) -> str:
    """A short comma-separated listing (``a, b, c, … (20 in all)``)."""
    items = list(items)
    if not items:
        return "none"
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … ({len(items)} in all)"
