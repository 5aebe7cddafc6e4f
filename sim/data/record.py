"""The police record the model is judged on: registered woninginbraak per gemeente per year.

Reads the project's copy of CBS/Politie 47018NED (code 1.1.1, attempts included,
``data/police/``) and the national sum over all gemeenten (``data/drivers/01``). Only the
years 2012-2023 are in the files; later years are provisional in the source and are never
fitted (:data:`LAST_FIT_YEAR`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.core.errors import UserError
from sim.core.paths import DATA
from sim.core.textio import MAX_DATA_BYTES, read_text

POLICE_FILE = DATA / "police" / "woninginbraak_47018NED_gemeenten_2012-2023.csv"
NATIONAL_FILE = DATA / "drivers" / "01_national_woninginbraak.csv"
NATIONAL_SERIES = "NL_47018NED_sum_1.1.1"
#: Never fit a year after this one (later years are provisional in the source).
LAST_FIT_YEAR = 2023
#: The other gemeenten of the record: the police unit Amsterdam-Amstelland's five besides
#: Amstelveen (Amsterdam, Aalsmeer, Diemen, Ouder-Amstel, Uithoorn) and Amersfoort.
OTHERS = ("GM0363", "GM0358", "GM0384", "GM0437", "GM0451", "GM0307")


@dataclass(frozen=True)
class Record:
    """Yearly counts per gemeente (and the national sum), with names and the source."""

    counts: dict[str, dict[int, int]]  # gemeente code -> year -> count
    names: dict[str, str]
    national: dict[int, int]
    source: str

    def series(self, code: str) -> dict[int, int]:
        """One gemeente's counts by year; UserError naming what the record holds."""
        if code not in self.counts:
            raise UserError(f"the police record holds no gemeente {code}; it holds "
                            f"{', '.join(sorted(self.counts))}.", file=str(POLICE_FILE),
                            field="gemeentecode")
        return self.counts[code]


def _rows(path: Path) -> list[dict[str, str]]:
    text = read_text(path, what="police record (CSV)", max_bytes=MAX_DATA_BYTES)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def load_record(police: Path = POLICE_FILE, national: Path = NATIONAL_FILE) -> Record:
    """Read the police series and the national sum."""
    counts: dict[str, dict[int, int]] = {}
    names: dict[str, str] = {}
    source = ""
    for i, r in enumerate(_rows(police), start=2):
        try:
            code, year = r["gemeentecode"].strip(), int(r["year"])
            value = int(r["woninginbraak_1_1_1_registered"])
        except (KeyError, ValueError, AttributeError):
            raise UserError(f"line {i}: needs gemeentecode, year and a whole "
                            "woninginbraak_1_1_1_registered.", file=str(police)) from None
        counts.setdefault(code, {})[year] = value
        names[code] = r.get("gemeentenaam", code)
        source = source or r.get("source", "")
    nat: dict[int, int] = {}
    for r in _rows(national):
        if r.get("series") == NATIONAL_SERIES and int(r["year"]) <= LAST_FIT_YEAR:
            nat[int(r["year"])] = int(float(r["value"]))
    return Record(counts, names, nat, source or "CBS/Politie 47018NED")


def local_shock_sd(record: Record, exclude: str, window: tuple[int, int] = (2012, LAST_FIT_YEAR),
                   ) -> tuple[float, dict[str, float]]:
    """How far a gemeente's yearly count wanders from the national trend, beyond chance.

    For each gemeente of the record except ``exclude`` (the one being judged): the log
    count minus the log national count, less its own mean over ``window``; its variance
    less the Poisson part (1/count on the log scale, which the model's replications
    already hold). The pooled value is the root mean square over those gemeenten. It
    measures the local shocks no national driver carries (gangs, new methods, campaigns),
    without using the judged gemeente's own record. Returns (pooled sd, sd per gemeente).
    """
    a, b = window
    per: dict[str, float] = {}
    for code in sorted(record.counts):
        series = record.counts[code]
        years = [y for y in range(a, b + 1) if y in series and y in record.national
                 and series[y] > 0]
        if code == exclude or len(years) < 3:
            continue
        c = np.array([series[y] for y in years], dtype=float)
        d = np.log(c) - np.log([record.national[y] for y in years])
        var = float(d.var(ddof=1)) - float(np.mean(1.0 / c))
        per[code] = float(np.sqrt(max(var, 0.0)))
    if not per:
        raise UserError(f"the police record holds no other gemeente with years {a}-{b} to "
                        "measure local shocks on.", file=str(POLICE_FILE))
    pooled = float(np.sqrt(np.mean([v * v for v in per.values()])))
    return pooled, per
