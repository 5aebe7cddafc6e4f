"""CBS Kerncijfers wijken en buurten (KWB): inhabitants, households and dwellings per wijk.

Every KWB year is a new table whose columns carry a new numeric suffix
(``AantalInwoners_5`` one year, ``AantalInwoners_6`` the next), so columns are found by
their title: raw keys (``Codering_3``, ``SoortRegio_2``, ``HuishoudensTotaal_28``), the
labelled download (``Codering``, ``Soort regio``, ``Aantal inwoners (aantal)``,
``Huishoudens totaal (aantal)``, ``Woningvoorraad (aantal)``) and the older kwb-YYYY.csv
files (``gwb_code_10``, ``recs``, ``a_inw``, ``a_hh``, ``a_woning``) all work.

One row per region (and period, when the file has a ``Perioden`` column): two rows of one
region with different counts are refused (:class:`UserError` naming both lines, the code
and the column); an exact repeat (same counts) is read once, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from sim.core.errors import UserError
from sim.data.table import (
    Table,
    find_code,
    gemeente_of,
    listing,
    parse_count,
    read_table,
    region_level,
)

CODE_ALIASES = ("codering", "gwbcode10", "gwbcode", "regiocode", "wijkenenbuurten", "wijkcode")
NAME_ALIASES = ("wijkenenbuurten", "regionaam", "gwbnaam", "regio", "wijkenbuurtnaam",
                "wijknaam")
INHABITANTS = ("aantalinwoners", "ainw", "inwoners", "inhabitants")
HOUSEHOLDS = ("huishoudenstotaal", "ahh", "aantalhuishoudens", "particulierehuishoudens",
              "households")
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
    #: Exact repeats that were read once: (code, first line, repeated line).
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

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
        """Suppressed cells and exactly repeated rows, one message each."""
        out = []
        sup = [f"{r.code} {m}" for r in self.rows for m in ("inhabitants", "households",
               "dwellings") if getattr(r, m) is None and m in self.columns]
        if sup:
            out.append(f"{len(sup)} suppressed cell(s) read as missing: {listing(sup, 8)}")
        codes = {r.code for r in self.rows}
        dups = [f"{c} (lines {a} and {b})" for c, a, b in self.duplicates if c in codes]
        if dups:
            out.append(f"{len(dups)} region row(s) repeated with identical counts, read once: "
                       f"{listing(dups, 8)}")
        return out

    def records(self, level: str = "wijk", *, totals: bool = False) -> list[dict]:
        """JSON-able records, per gemeente: its wijken (or buurten) by code.

        With ``totals`` (as ``sim data show --json`` prints them) the gemeente's own row
        comes first, with ``"wijk": None`` (or ``"buurt": None``). Every record has the
        keys gemeente, wijk (or buurt), name, inhabitants, households, dwellings.
        """
        out = []
        for g in self.gemeenten():
            for r in sorted(self.rows, key=lambda r: (r.level != "gemeente", r.code)):
                if r.gemeente != g or (r.level != level and
                                       (r.level != "gemeente" or not totals)):
                    continue
                out.append({"gemeente": r.gemeente,
                            level: r.code if r.level == level else None, "name": r.name,
                            "inhabitants": r.inhabitants, "households": r.households,
                            "dwellings": r.dwellings})
        return out


def _is_header(norm: list[str]) -> bool:
    has_code = any(n in CODE_ALIASES for n in norm)
    return has_code and any(n in INHABITANTS + HOUSEHOLDS for n in norm)


def _columns(t: Table) -> dict[str, int | None]:
    cols = {
        "code": t.column(*CODE_ALIASES),
        "name": t.column(*NAME_ALIASES),
        "level": t.column("soortregio", "recs"),
        "period": t.column("perioden", "periode", "jaar"),
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
            not a whole number, two rows of one region with different counts, or no
            region with a CBS code.
    """
    t = read_table(path, _is_header, "a CBS Kerncijfers wijken en buurten export")
    c = _columns(t)
    rows = []
    seen: dict[tuple[str, str], KwbRow] = {}
    duplicates: list[tuple[str, int, int]] = []
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
            except ValueError as exc:
                raise UserError(
                    f"line {line} ({code}): {cells[c[m]]!r} is {exc}; use plain digits (1767), "
                    "or '.' / empty for a suppressed cell.", file=str(t.path),
                    field=t.header[c[m]],
                ) from None
        name_col = c["name"] if c["name"] not in (None, c["code"]) else None
        name = cells[name_col].strip() if name_col is not None else ""
        name = "" if name.strip().upper() == code else name
        row = KwbRow(gemeente_of(code), code, region_level(code), name, line=line, **values)
        period = cells[c["period"]].strip() if c["period"] is not None else ""
        first = seen.get((code, period))
        if first is None:
            seen[(code, period)] = row
            rows.append(row)
            continue
        for m in ("inhabitants", "households", "dwellings"):
            if c[m] is not None and getattr(first, m) != values[m]:
                when = f" for period {period!r}" if period else ""
                raise UserError(
                    f"lines {first.line} and {line} are both {row.level} {code}{when} but give "
                    f"different {m} ({_fmt(getattr(first, m))} and {_fmt(values[m])}). The "
                    "export must hold one row per region; remove the wrong one (or download "
                    "a single KWB year).", file=str(t.path), field=t.header[c[m]],
                )
        duplicates.append((code, first.line, line))
    if not rows:
        raise UserError(
            f"no rows with a CBS region code (GM0362, WK036201, BU03620101) in column "
            f"'{t.header[c['code']]}'.", file=str(t.path), field=t.header[c["code"]],
        )
    used = {m: t.header[c[m]] for m in ("inhabitants", "households", "dwellings")
            if c[m] is not None}
    return KwbData(path=Path(path), rows=rows, columns=used, duplicates=duplicates)


def _fmt(v: int | None) -> str:
    return "missing" if v is None else str(v)
