"""Police open data: registered crimes per wijk and buurt (CBS/Politie 47018NED, 47022NED).

Reads woninginbraken (``SoortMisdrijf`` 1.1.1, "Diefstal/inbraak woning", attempts
included) from either form of export:

* raw keys (OData/CSV): ``WijkenEnBuurten`` = ``"WK036201  "``, ``SoortMisdrijf`` =
  ``"1.1.1 "``, ``Perioden`` = ``2018JJ00`` (year) or ``2018MM01`` (month),
  ``GeregistreerdeMisdrijven_1``;
* the labelled download: ``Wijken en buurten``, ``Soort misdrijf`` = ``1.1.1
  Diefstal/inbraak woning``, ``Perioden`` = ``2018`` or ``2018 januari``, ``Geregistreerde
  misdrijven (aantal)``. Its region labels must carry the CBS code (``WK036201`` in the
  label, or a ``Codering`` column) because names such as "Centrum" recur in many gemeenten.

Rules: keys are stripped; gemeente and national rows are subtotals (kept apart as
totals, never added to wijk counts); yearly (``JJ00``) and monthly rows are never mixed —
a year's count is its yearly row, or the sum of all twelve months when there is no
yearly row (when both exist and the twelve months do not add up to the yearly row, that
is a warning); ``.``, empty and null are *missing*, not zero (CBS's ``-`` is zero).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from sim.core.errors import UserError
from sim.data.periods import Period, parse_period
from sim.data.table import (
    Table,
    find_code,
    gemeente_of,
    listing,
    normalize,
    parse_count,
    read_table,
    region_level,
)

BURGLARY_CODE = "1.1.1"  # Standaardclassificatie misdrijven: diefstal/inbraak woning
BURGLARY_TITLE = "diefstalinbraakwoning"
PERIOD_FORMS = ("2018JJ00 (year) and 2018MM01 (month) in raw keys; 2018 and "
                "'2018 januari' in labelled files")
REGION_ALIASES = ("wijkenenbuurten", "wijkenbuurten", "regios", "regio")
CODE_ALIASES = ("codering", "regiocode", "gwbcode10", "gwbcode", "wijkcode", "code")
COUNT_ALIASES = ("geregistreerdemisdrijven", "totaalgeregistreerdemisdrijven",
                 "geregistreerdemisdrijven*")


@dataclass(frozen=True)
class PoliceRow:
    """One burglary count of one wijk or buurt and one period (``None``: suppressed)."""

    gemeente: str
    region: str
    level: str  # "wijk" or "buurt"
    period: Period
    woninginbraken: int | None
    line: int

    @property
    def wijk(self) -> str:
        """The wijk code (a buurt's parent wijk)."""
        return self.region if self.level == "wijk" else "WK" + self.region[2:8]


@dataclass
class PoliceData:
    """Woninginbraken read from a police export (all gemeenten, or one after :meth:`select`)."""

    path: Path
    form: str  # "raw keys" or "labelled"
    rows: list[PoliceRow]  # wijk and buurt rows of code 1.1.1
    totals: dict[tuple[str, Period], int | None]  # gemeente subtotal rows of code 1.1.1
    crime_codes: list[str] = field(default_factory=list)  # all categories in the file
    subtotal_rows: int = 0  # gemeente / national rows kept apart from the wijk counts
    #: Total registered crime (code 0.0.0) per region and period, where the file has it.
    all_crime: dict[tuple[str, Period], int | None] = field(default_factory=dict)
    #: File line of each gemeente row (``totals``) and total-crime row (``all_crime``).
    lines: dict[tuple[str, str, Period], int] = field(default_factory=dict)

    # ---- selection ------------------------------------------------------------------------
    def gemeenten(self) -> list[str]:
        """Gemeente codes with burglary rows."""
        return sorted({r.gemeente for r in self.rows} | {g for g, _ in self.totals})

    def periods(self) -> list[str]:
        """Period keys present (sorted)."""
        return [p.key for p in sorted({r.period for r in self.rows} | {p for _, p in self.totals})]

    def select(self, gemeente: str) -> PoliceData:
        """Only one gemeente's rows; raises :class:`UserError` listing what the file holds."""
        code = gemeente.strip().upper()
        rows = [r for r in self.rows if r.gemeente == code]
        totals = {k: v for k, v in self.totals.items() if k[0] == code}
        all_crime = {k: v for k, v in self.all_crime.items() if gemeente_of(k[0]) == code}
        if not rows and not totals:
            raise UserError(
                f"no woninginbraak rows (code {BURGLARY_CODE}) for gemeente {code}. The file "
                f"has burglary rows for gemeenten: {listing(self.gemeenten())}; crime codes: "
                f"{listing(self.crime_codes)}; periods: {listing(self.periods())}.",
                file=str(self.path), field="WijkenEnBuurten",
            )
        return replace(self, rows=rows, totals=totals, all_crime=all_crime)

    # ---- what was read --------------------------------------------------------------------
    def suppressed(self) -> list[PoliceRow]:
        """Rows whose count is missing ('.', empty or null)."""
        return [r for r in self.rows if r.woninginbraken is None]

    def warnings(self) -> list[str]:
        """Suppressed cells, incomplete years and yearly rows that disagree with their months."""
        out = []
        sup = self.suppressed()
        if sup:
            cells = [f"{r.region} {r.period.key} (line {r.line})" for r in sup]
            out.append(f"{len(sup)} suppressed cell(s) read as missing, not zero: "
                       f"{listing(cells, 8)}")
        for g in self.gemeenten():
            for region, years in _incomplete(self.rows, g).items():
                out.append(f"{region}: months incomplete or suppressed in "
                           f"{', '.join(map(str, years))}; those years are missing")
        out.extend(self._month_mismatches())
        out.extend(self.inconsistencies())
        return out

    def inconsistencies(self) -> list[str]:
        """Counts that contradict the file itself (see :mod:`sim.data.police_checks`)."""
        from sim.data.police_checks import inconsistencies

        return inconsistencies(self)

    def _month_mismatches(self) -> list[str]:
        """A year with a yearly row and twelve monthly rows whose sum differs from it."""
        cells: dict[tuple[str, str, str], dict[Period, int | None]] = defaultdict(dict)
        lines: dict[tuple[str, Period], int] = {}
        for (g, p), v in self.totals.items():
            cells[(g, "gemeente", g)][p] = v
        for r in self.rows:
            cells[(r.gemeente, r.level, r.region)][r.period] = r.woninginbraken
            lines[(r.region, r.period)] = r.line
        out = []
        for (_, level, code), by_period in sorted(cells.items()):
            for year, yearly, months in _disagreements(by_period):
                line = lines.get((code, Period(year)))
                at = f" (line {line})" if line else ""
                out.append(f"{level} {code} {year}: the yearly row{at} gives {yearly} "
                           f"woninginbraken but its twelve monthly rows sum to {months}; the "
                           "yearly row is used (yearly and monthly rows are never mixed)")
        return out

    def records(self, level: str = "wijk", *, totals: bool = False) -> list[dict]:
        """JSON-able records, per gemeente: one per wijk (or buurt) and period, as read.

        With ``totals`` (as ``sim data show --json`` prints them, so the JSON holds all the
        table shows) each gemeente's yearly totals come first, as :meth:`yearly_totals`
        gives them (the gemeente row, else the sum of its wijken; ``None`` when missing),
        with ``"wijk": None`` (and ``"buurt": None``). Every record has the keys gemeente,
        wijk (, buurt), period, woninginbraken.
        """
        out = []
        for g in self.gemeenten():
            if totals:
                for year, v in self.yearly_totals(g).items():
                    rec: dict = {"gemeente": g, "wijk": None}
                    if level == "buurt":
                        rec["buurt"] = None
                    out.append({**rec, "period": str(year), "woninginbraken": v})
            for r in sorted(self.rows, key=lambda r: (r.region, r.period)):
                if r.level != level or r.gemeente != g:
                    continue
                rec = {"gemeente": r.gemeente, "wijk": r.wijk}
                if level == "buurt":
                    rec["buurt"] = r.region
                rec.update(period=r.period.key, woninginbraken=r.woninginbraken)
                out.append(rec)
        return out

    # ---- counts per year --------------------------------------------------------------------
    def yearly_by_wijk(self, gemeente: str | None = None) -> dict[str, dict[int, int | None]]:
        """Wijk -> year -> woninginbraken (``None`` when suppressed or months incomplete)."""
        g = gemeente or self._only_gemeente()
        by_region: dict[str, dict[Period, int | None]] = defaultdict(dict)
        for r in self.rows:
            if r.gemeente == g and r.level == "wijk":
                by_region[r.region][r.period] = r.woninginbraken
        return {w: _years(cells) for w, cells in sorted(by_region.items())}

    def yearly_totals(self, gemeente: str | None = None) -> dict[int, int | None]:
        """Year -> the gemeente's woninginbraken.

        The gemeente row when the export has one (it also counts burglaries that police
        could not place in a wijk), else the sum over its wijken (``None`` if any is missing).
        """
        g = gemeente or self._only_gemeente()
        own = _years({p: v for (gg, p), v in self.totals.items() if gg == g})
        wijken = self.yearly_by_wijk(g)
        years = sorted(set(own) | {y for c in wijken.values() for y in c})
        out: dict[int, int | None] = {}
        for y in years:
            if own.get(y) is not None:
                out[y] = own[y]
                continue
            vals = [c.get(y) for c in wijken.values()]
            out[y] = sum(vals) if vals and all(v is not None for v in vals) else None
        return out

    def _only_gemeente(self) -> str:
        gs = self.gemeenten()
        if len(gs) != 1:
            raise UserError(f"the file holds several gemeenten ({listing(gs)}); choose one.",
                            file=str(self.path))
        return gs[0]


def _years(cells: dict[Period, int | None]) -> dict[int, int | None]:
    """Yearly counts from yearly rows, else from a complete set of twelve months."""
    out: dict[int, int | None] = {}
    months: dict[int, dict[int, int | None]] = defaultdict(dict)
    for p, v in cells.items():
        if p.month == 0:
            out[p.year] = v
        else:
            months[p.year][p.month] = v
    for y, m in months.items():
        if y in out:  # a yearly row exists: never add months to it
            continue
        complete = len(m) == 12 and all(v is not None for v in m.values())
        out[y] = sum(m.values()) if complete else None
    return dict(sorted(out.items()))


def _disagreements(cells: dict[Period, int | None]) -> list[tuple[int, int, int]]:
    """(year, yearly count, sum of months) where the twelve months miss the yearly row.

    Only years with a yearly row and all twelve monthly rows, none suppressed.
    """
    months: dict[int, dict[int, int | None]] = defaultdict(dict)
    for p, v in cells.items():
        if p.month:
            months[p.year][p.month] = v
    out = []
    for y, m in sorted(months.items()):
        yearly = cells.get(Period(y))
        if yearly is None or len(m) != 12 or None in m.values():
            continue
        total = sum(v for v in m.values() if v is not None)
        if total != yearly:
            out.append((y, yearly, total))
    return out


def _incomplete(rows: list[PoliceRow], gemeente: str) -> dict[str, list[int]]:
    months: dict[tuple[str, int], dict[int, int | None]] = defaultdict(dict)
    yearly = set()
    for r in rows:
        if r.gemeente != gemeente or r.level != "wijk":
            continue
        if r.period.month == 0:
            yearly.add((r.region, r.period.year))
        else:
            months[(r.region, r.period.year)][r.period.month] = r.woninginbraken
    out: dict[str, list[int]] = defaultdict(list)
    for (region, y), m in sorted(months.items()):
        if (region, y) not in yearly and (len(m) < 12 or None in m.values()):
            out[region].append(y)
    return out


def _is_header(norm: list[str]) -> bool:
    return "soortmisdrijf" in norm and any(n in ("perioden", "periode") for n in norm)


def _crime_code(value: str) -> str:
    v = value.strip()
    m = re.match(r"(\d+(?:\.\d+)+)", v)
    return m.group(1) if m else v


def _is_burglary(value: str) -> bool:
    return _crime_code(value) == BURGLARY_CODE or normalize(value) == BURGLARY_TITLE


def _columns(t: Table) -> dict[str, int | None]:
    cols = {
        "region": t.column(*REGION_ALIASES),
        "crime": t.column("soortmisdrijf"),
        "period": t.column("perioden", "periode"),
        "count": t.column(*COUNT_ALIASES, exclude=("per1000", "relatief", "percentage")),
        "code": t.column(*CODE_ALIASES),
    }
    wanted = {"region": "WijkenEnBuurten / 'Wijken en buurten'",
              "crime": "SoortMisdrijf / 'Soort misdrijf'", "period": "Perioden",
              "count": "GeregistreerdeMisdrijven_1 / 'Geregistreerde misdrijven (aantal)'"}
    missing = [v for k, v in wanted.items() if cols[k] is None]
    if missing:
        raise UserError(
            f"missing column(s): {'; '.join(missing)}. The file has columns "
            f"{t.columns_text()}.", file=str(t.path), field=missing[0].split(" ")[0],
        )
    return cols


def load_police(path: str | Path) -> PoliceData:
    """Read a 47018NED / 47022NED export (raw keys or labelled, `;` or `,`).

    Raises:
        UserError: missing columns, unparseable periods or counts, conflicting duplicate
            rows, or region labels without CBS codes — naming the file, line and field.
    """
    t = read_table(path, _is_header, "a police export (47018NED / 47022NED)")
    c = _columns(t)
    rows: list[PoliceRow] = []
    totals: dict[tuple[str, Period], int | None] = {}
    seen: dict[tuple[str, Period], tuple[int | None, int]] = {}
    crimes: set[str] = set()
    bad_periods: list[str] = []
    uncoded: list[str] = []
    raw = subtotal = 0
    all_crime: dict[tuple[str, Period], int | None] = {}
    lines: dict[tuple[str, str, Period], int] = {}
    for line, cells in t.rows:
        crimes.add(_crime_code(cells[c["crime"]]))
        if _is_all_crime(cells[c["crime"]]):
            _read_all_crime(cells, c, t, line, all_crime, lines)
            continue
        if not _is_burglary(cells[c["crime"]]):
            continue
        region_text = cells[c["region"]]
        code = find_code(cells[c["code"]]) if c["code"] is not None else None
        code = code or find_code(region_text)
        level = region_level(code) if code else ""
        if not code:
            if normalize(region_text) in ("nederland", "totaal", "totaalnederland"):
                subtotal += 1
                continue
            uncoded.append(f"line {line}: {region_text!r}")
            continue
        period_text = cells[c["period"]]
        period = parse_period(period_text)
        if period is None:
            bad_periods.append(f"line {line}: {period_text!r}")
            continue
        raw += bool(re.search(r"(JJ|MM)\d\d", period_text))
        try:
            value = parse_count(cells[c["count"]], t.delimiter)
        except ValueError as exc:
            raise UserError(
                f"line {line}: count {cells[c['count']]!r} is {exc}; use plain digits "
                "(1767), '.' or empty for a suppressed cell.", file=str(t.path),
                field=t.header[c["count"]],
            ) from None
        key = (code, period)
        if key in seen and seen[key][0] != value:
            raise UserError(
                f"lines {seen[key][1]} and {line} give {code} {period.key} two different "
                f"counts ({seen[key][0]} and {value}).", file=str(t.path),
            )
        if key in seen:
            continue
        seen[key] = (value, line)
        if level in ("wijk", "buurt"):
            rows.append(PoliceRow(gemeente_of(code), code, level, period, value, line))
        else:
            subtotal += 1
            if level == "gemeente":
                totals[key] = value
                lines[("gemeente", code, period)] = line
    if uncoded:
        raise UserError(
            f"region labels without a CBS code ({listing(uncoded, 4)}). Wijk names recur "
            "across gemeenten, so the export must carry codes: download it with keys "
            "(WijkenEnBuurten = WK036201) or add a 'Codering' column.",
            file=str(t.path), field=t.header[c["region"]],
        )
    if bad_periods:
        good = sorted({p.key for p in (parse_period(cells[c["period"]]) for _, cells in t.rows)
                       if p is not None})
        raise UserError(
            f"unparseable period(s) {listing(bad_periods, 5)}. Allowed: {PERIOD_FORMS}. "
            f"Periods the file does contain: {listing(good)}.",
            file=str(t.path), field=t.header[c["period"]],
        )
    if not rows and not totals:
        raise UserError(
            f"no woninginbraak rows (code {BURGLARY_CODE} 'Diefstal/inbraak woning'). Crime "
            f"codes in the file: {listing(sorted(crimes))}.",
            file=str(t.path), field=t.header[c["crime"]],
        )
    return PoliceData(path=Path(path), form="raw keys" if raw else "labelled", rows=rows,
                      totals=totals, crime_codes=sorted(crimes), subtotal_rows=subtotal,
                      all_crime=all_crime, lines=lines)


#: Standaardclassificatie misdrijven: all registered crime ("Totaal misdrijven").
ALL_CRIME_CODE = "0.0.0"


def _is_all_crime(value: str) -> bool:
    return _crime_code(value) == ALL_CRIME_CODE or normalize(value) == "totaalmisdrijven"


def _read_all_crime(cells: list[str], c: dict[str, int | None], t: Table, line: int,
                    out: dict[tuple[str, Period], int | None],
                    lines: dict[tuple[str, str, Period], int]) -> None:
    """Keep a wijk's (or gemeente's) total registered crime, to cross-check its burglaries.

    Only a cross-check: a row that cannot be read is skipped, never an error.
    """
    code = find_code(cells[c["code"]]) if c["code"] is not None else None
    code = code or find_code(cells[c["region"]])
    period = parse_period(cells[c["period"]])
    if not code or period is None:
        return
    try:
        value = parse_count(cells[c["count"]], t.delimiter)
    except ValueError:
        return
    out.setdefault((code, period), value)
    lines.setdefault(("all", code, period), line)
