"""CBS Kerncijfers wijken en buurten (KWB): inhabitants, households and dwellings per wijk.

Every KWB year is a new table whose columns carry a new numeric suffix
(``AantalInwoners_5`` one year, ``AantalInwoners_6`` the next), so columns are found by
their title: raw keys (``Codering_3``, ``SoortRegio_2``, ``HuishoudensTotaal_28``), the
labelled download (``Codering``, ``Soort regio``, ``Aantal inwoners (aantal)``,
``Huishoudens totaal (aantal)``, ``Woningvoorraad (aantal)``) and the older kwb-YYYY.csv
files (``gwb_code_10``, ``recs``, ``a_inw``, ``a_hh``, ``a_woning``) all work.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sim.data.table import (
    Table,
    find_code,
    gemeente_of,
    listing,
    parse_count,
    read_table,
    region_level,
)
from sim.errors import UserError

CODE_ALIASES = ("codering", "gwbcode10", "gwbcode", "regiocode", "wijkenenbuurten")
NAME_ALIASES = ("wijkenenbuurten", "regionaam", "gwbnaam", "regio", "wijkenbuurtnaam")
INHABITANTS = ("aantalinwoners", "ainw", "inwoners")
HOUSEHOLDS = ("huishoudenstotaal", "ahh", "aantalhuishoudens", "particulierehuishoudens")
DWELLINGS = ("woningvoorraad", "awoning", "aantalwoningen")


@dataclass(frozen=True)
class KwbRow:
    """One region of a KWB export (counts ``None`` when suppressed)."""

    gemeente: str
    code: str
    level: str  # "gemeente", "wijk" or "buurt"
    name: str
    inhabitants: int | None
    households: int | None
    dwellings: int | None
    line: int


@dataclass
class KwbData:
    """The regions read from a KWB export."""

    path: Path
    rows: list[KwbRow]
    columns: dict[str, str]  # measure -> the file's column title it was read from

    def gemeenten(self) -> list[str]:
        """Gemeente codes present."""
        return sorted({r.gemeente for r in self.rows})

    def select(self, gemeente: str) -> KwbData:
        """Only one gemeente's rows; raises :class:`UserError` listing what the file holds."""
        code = gemeente.strip().upper()
        rows = [r for r in self.rows if r.gemeente == code]
        if not any(r.level == "wijk" for r in rows):
            raise UserError(
                f"no wijk rows for gemeente {code}. The file has wijk rows for gemeenten: "
                f"{listing(sorted({r.gemeente for r in self.rows if r.level == 'wijk'}))}.",
                file=str(self.path), field="Codering",
            )
        return replace(self, rows=rows)

    def wijken(self) -> list[KwbRow]:
        """Wijk rows, by code."""
        return sorted((r for r in self.rows if r.level == "wijk"), key=lambda r: r.code)

    def warnings(self) -> list[str]:
        """Suppressed cells, one message."""
        sup = [f"{r.code} {m}" for r in self.rows for m in ("inhabitants", "households",
               "dwellings") if getattr(r, m) is None and m in self.columns]
        return [f"{len(sup)} suppressed cell(s) read as missing: {listing(sup, 8)}"] if sup else []

    def records(self, level: str = "wijk") -> list[dict]:
        """JSON-able records: gemeente, wijk, name, inhabitants, households, dwellings."""
        return [
            {"gemeente": r.gemeente, level: r.code, "name": r.name, "inhabitants": r.inhabitants,
             "households": r.households, "dwellings": r.dwellings}
            for r in sorted(self.rows, key=lambda r: r.code) if r.level == level
        ]


def _is_header(norm: list[str]) -> bool:
    has_code = any(n in CODE_ALIASES for n in norm)
    return has_code and any(n in INHABITANTS + HOUSEHOLDS for n in norm)


def _columns(t: Table) -> dict[str, int | None]:
    cols = {
        "code": t.column(*CODE_ALIASES),
        "name": t.column(*NAME_ALIASES),
        "level": t.column("soortregio", "recs"),
        "inhabitants": t.column(*INHABITANTS),
        "households": t.column(*HOUSEHOLDS),
        "dwellings": t.column(*DWELLINGS),
    }
    if cols["inhabitants"] is None or cols["households"] is None:
        raise UserError(
            "missing column(s): "
            + "; ".join(f"{k} ({' / '.join(a)})" for k, a in
                        (("inhabitants", INHABITANTS), ("households", HOUSEHOLDS))
                        if cols[k] is None)
            + f". The file has columns {t.columns_text()}.",
            file=str(t.path), field="households" if cols["households"] is None else "inhabitants",
        )
    return cols


def load_kwb(path: str | Path) -> KwbData:
    """Read a KWB export (raw keys or labelled, `;` or `,`).

    Raises:
        UserError: no code column, missing inhabitant/household columns, a count that is
            not a whole number, or no region with a CBS code.
    """
    t = read_table(path, _is_header, "a CBS Kerncijfers wijken en buurten export")
    c = _columns(t)
    rows = []
    for line, cells in t.rows:
        code = find_code(cells[c["code"]]) or (
            find_code(cells[c["name"]]) if c["name"] is not None else None)
        if not code or region_level(code) not in ("gemeente", "wijk", "buurt"):
            continue  # Nederland and other non-region rows
        values = {}
        for m in ("inhabitants", "households", "dwellings"):
            if c[m] is None:
                values[m] = None
                continue
            try:
                values[m] = parse_count(cells[c[m]], t.delimiter)
            except ValueError:
                raise UserError(
                    f"line {line} ({code}): {cells[c[m]]!r} is not a whole number; use digits, "
                    "or '.' / empty for a suppressed cell.", file=str(t.path),
                    field=t.header[c[m]],
                ) from None
        name_col = c["name"] if c["name"] not in (None, c["code"]) else None
        name = cells[name_col].strip() if name_col is not None else ""
        name = "" if name.strip().upper() == code else name
        rows.append(KwbRow(gemeente_of(code), code, region_level(code), name, line=line,
                           **values))
    if not rows:
        raise UserError(
            f"no rows with a CBS region code (GM0362, WK036201, BU03620101) in column "
            f"'{t.header[c['code']]}'.", file=str(t.path), field=t.header[c["code"]],
        )
    used = {m: t.header[c[m]] for m in ("inhabitants", "households", "dwellings")
            if c[m] is not None}
    return KwbData(path=Path(path), rows=rows, columns=used)
