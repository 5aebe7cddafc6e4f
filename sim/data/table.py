"""Reading CBS and police CSV exports: encoding, `;` or `,`, header titles, counts.

Both the raw-key exports (``WijkenEnBuurten``, ``GeregistreerdeMisdrijven_1``) and the
labelled downloads (``Wijken en buurten``, ``Geregistreerde misdrijven (aantal)``) are read
through :func:`read_table`; columns are then found by :func:`normalize`-d title, never by
position or by the numeric suffix CBS renumbers every year.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.core.errors import UserError
from sim.core.textio import MAX_DATA_BYTES, decode_text, read_bytes

#: Cell values that mean "missing" (suppressed or unknown): CBS writes "." (unknown,
#: unreliable or confidential) and "x" (confidential); OData gives null.
MISSING = {"", ".", "x", "null", "none", "nan", "na", "n/a", "?"}
#: CBS writes "-" for "nihil": a true zero.
NIHIL = {"-"}

GM_RE = re.compile(r"\b(GM\d{4})\b")
WK_RE = re.compile(r"\b(WK\d{6})\b")
BU_RE = re.compile(r"\b(BU\d{8})\b")
NL_RE = re.compile(r"\b(NL0{1,2})\b")

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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


def read_export_text(path: str | Path, what: str = "data export") -> str:
    """The text of a data export: a regular file of at most ``MAX_DATA_BYTES``, decoded.

    Decoding, in order: a byte-order mark decides (UTF-8, UTF-16 LE/BE, as
    :func:`sim.core.textio.decode_text`; a UTF-16 export with its BOM simply works); a file with
    a NUL byte and no BOM is refused (binary, or UTF-16 without a BOM); then UTF-8; then
    Windows-1252 (cp1252), the legacy encoding of some CBS downloads. Bytes that are neither
    are a :class:`UserError` naming the byte and line — never a silent latin-1 guess.
    """
    p = Path(path)
    data = read_bytes(p, what=what, max_bytes=MAX_DATA_BYTES)
    if data.startswith(_BOMS) or b"\x00" in data:
        return decode_text(data, path=p, what=what)  # BOM-marked text, or refuses NUL bytes
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"is neither UTF-8 nor Windows-1252 (cp1252) text: byte 0x{data[exc.start]:02x} "
            f"at line {line} (byte {exc.start}) cannot be decoded. Save the {what} as UTF-8 "
            "CSV.", file=str(p),
        ) from None


def read_table(path: str | Path, is_header: Callable[[list[str]], bool], what: str) -> Table:
    """Read a `;`- or `,`-separated file whose header row satisfies ``is_header``.

    Title lines above the header (as in StatLine downloads) and one-cell footer lines
    ("Bron: CBS") are skipped. ``is_header`` gets the normalized titles of a candidate line.
    """
    path = Path(path)
    lines = read_export_text(path, re.sub(r"^an? ", "", what)).splitlines()
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


def has_header(text: str, is_header: Callable[[list[str]], bool]) -> bool:
    """Whether ``text`` has a header row that satisfies ``is_header`` (see :func:`read_table`).

    ``text`` is a file's content as :func:`read_export_text` gives it.
    """
    return _find_header(text.splitlines(), is_header) is not None


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


#: Number format implied by the field separator: (thousands separator, decimal separator).
#: `;` is the Dutch (and Excel-NL) format, `,` the English one; tab says nothing.
NUMBER_FORMATS = {";": (".", ","), ",": (",", ".")}


def parse_count(value: str, delimiter: str) -> int | None:
    """A whole count, ``None`` when missing ('.', empty, null); '-' is CBS's zero.

    Spaces (also non-breaking) are dropped. The field separator fixes the number format:
    a `;` file is Dutch (thousands ``.``, decimal ``,``), a `,` file English (thousands
    ``,``, decimal ``.``; such a value must be quoted), a tab file has no known format.

    * digits: the count (``1767``);
    * digit groups with the file's thousands separator, optionally with a zero fraction:
      the whole number (`;`: ``2.000`` = 2000, ``1.234.567``, ``1.767,0``; `,`:
      ``"2,000"`` = 2000);
    * a zero fraction that cannot be a thousands group: the whole number, with either
      separator (``31.0``, ``31,0``, ``31,00``, ``1767.000``: spreadsheet or pandas floats);
    * anything else is a ``ValueError``: a fraction (``3,5``), and a value that is a
      thousands group in the *other* format (``2,000`` in a `;` file, ``2.000`` in a `,`
      file, either in a tab file): read as a decimal it is 2, as a thousands group 2000,
      and a 1,000x factor is never guessed.

    Raises:
        ValueError: not a whole number, or ambiguous (the message says which).
    """
    v = value.strip().strip('"')
    if v.lower() in MISSING:
        return None
    if v in NIHIL:
        return 0
    v = v.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d+", v):
        return int(v)
    thousands, _decimal = NUMBER_FORMATS.get(delimiter, (None, None))
    for sep, other in ((".", ","), (",", ".")):
        head, has_frac, frac = v.partition(other)
        if not re.fullmatch(rf"[1-9]\d{{0,2}}(?:\{sep}\d{{3}})+", head):
            continue
        grouped = int(head.replace(sep, ""))
        if has_frac and not re.fullmatch(r"\d+", frac):
            break
        if sep == thousands:
            if frac.strip("0"):
                break
            return grouped
        where = {";": "a ';'-separated file (Dutch format: '.' groups thousands, ',' is the "
                      "decimal mark)",
                 ",": "a ','-separated file (English format: ',' groups thousands, '.' is the "
                      "decimal mark)"}.get(delimiter, "a file whose separator does not tell "
                                                      "its number format")
        raise ValueError(f"ambiguous: with {sep!r} grouping thousands it is {grouped}, but "
                         f"this is {where}; a 1,000x factor is never guessed")
    m = re.fullmatch(r"(\d+)[.,](\d+)", v)
    if m and not m.group(2).strip("0"):  # 31.0 / 31,0 from a spreadsheet or pandas
        return int(m.group(1))
    raise ValueError("not a whole number")


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
