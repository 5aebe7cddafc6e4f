"""Is a police export consistent with itself? Cross-checks of its own rows.

Two checks, both on rows the file itself holds:

* the wijken's woninginbraken of a year (or month) summed must not exceed the gemeente
  row of that period (the gemeente row may be larger: it also counts burglaries police
  could not place in a wijk);
* a wijk's woninginbraken must not exceed its total registered crime (code 0.0.0,
  "Totaal misdrijven") of the same period, where the file has that row.

A typo such as "2.000" for 200 (read as two thousand) breaks both. ``sim data show``
warns; ``sim calibrate`` refuses such data unless ``--accept-inconsistent`` is given.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any


def inconsistencies(data: Any) -> list[str]:
    """One sentence per contradiction of a :class:`~sim.data.police.PoliceData`.

    Each names the rows: codes, periods and file lines.
    """
    out = []
    sums: dict[tuple[str, object], list] = defaultdict(list)
    for r in data.rows:
        if r.level == "wijk":
            sums[(r.gemeente, r.period)].append(r)
    for (g, period), rows in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        own = data.totals.get((g, period))
        if own is None or any(r.woninginbraken is None for r in rows):
            continue
        total = sum(r.woninginbraken for r in rows)
        if total > own:
            line = data.lines.get(("gemeente", g, period))
            top = sorted(rows, key=lambda r: -r.woninginbraken)[:3]
            largest = ", ".join(f"{r.region} {r.woninginbraken:,} (line {r.line})" for r in top)
            out.append(f"inconsistent: the wijken of {g} sum to {total:,} woninginbraken in "
                       f"{period.key} but the gemeente row{_at(line)} gives {own:,}; largest "
                       f"wijken: {largest}")
    for r in sorted(data.rows, key=lambda r: (r.region, r.period)):
        crime = data.all_crime.get((r.region, r.period))
        if crime is None or r.woninginbraken is None or r.woninginbraken <= crime:
            continue
        line = data.lines.get(("all", r.region, r.period))
        out.append(f"inconsistent: {r.level} {r.region} {r.period.key} has "
                   f"{r.woninginbraken:,} woninginbraken (line {r.line}), more than its total "
                   f"registered crime {crime:,}{_at(line, ' (line {})')}")
    return out


def _at(line: int | None, form: str = " (line {})") -> str:
    return form.format(line) if line else ""
