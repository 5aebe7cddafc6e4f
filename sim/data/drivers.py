"""A city's exogenous drivers over time (``drivers.toml`` in its folder).

A driver is a dated series with a rule for the time between its points:

* ``log-linear``: a constant rate of change between points (interpolation of the log);
* ``linear``: a straight line between points;
* ``step``: each value holds from its date until the next point.

Before the first point the first value holds, after the last the last value holds (the
drivers are "held at their last known values" for runs past the record). Dates are
``YYYY-MM-DD`` or ``YYYY``; a date becomes a fractional year (day of year / 365, as the
model's 365-day years). Programmes are dated periods with a staffing.

The file format (every point and programme names its ``source``)::

    [offending]          # rule, points = [{date, value, source}]
    [occupancy]          # rule, points
    [hardening]          # reference_year, source
    [[programme]]        # name, start, end, fte, source
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.errors import UserError
from sim.core.textio import read_toml

DRIVERS_FILE = "drivers.toml"
RULES = ("log-linear", "linear", "step")
SERIES = ("offending", "occupancy")


def year_fraction(date: str | int | float, *, file: str = "", where: str = "") -> float:
    """``'2019-03-01'`` -> 2019 + 59/365; ``2019`` -> 2019.0 (1 January)."""
    if isinstance(date, int | float) and not isinstance(date, bool):
        return float(date)
    try:
        d = dt.date.fromisoformat(str(date).strip())
    except ValueError:
        try:
            return float(int(str(date).strip()))
        except ValueError:
            raise UserError(f"{date!r} is not a date; use YYYY-MM-DD or YYYY.", file=file,
                            field=where) from None
    return d.year + min(d.timetuple().tm_yday - 1, 364) / 365.0


@dataclass(frozen=True)
class Series:
    """One dated driver series: times (fractional years), values, the rule between them."""

    name: str
    times: np.ndarray
    values: np.ndarray
    rule: str
    sources: tuple[str, ...]
    what: str = ""

    def at(self, t: float | np.ndarray) -> np.ndarray:
        """The value at fractional year(s) ``t`` (held outside the points)."""
        t = np.asarray(t, dtype=float)
        if self.rule == "step":
            i = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, None)
            return self.values[i]
        if self.rule == "log-linear":
            return np.exp(np.interp(t, self.times, np.log(self.values)))
        return np.interp(t, self.times, self.values)

    def record(self) -> dict[str, Any]:
        """JSON-able: the points, the rule and the sources."""
        return {"name": self.name, "what": self.what, "rule": self.rule,
                "points": [{"year": round(float(a), 4), "value": float(b), "source": s}
                           for a, b, s in zip(self.times, self.values, self.sources,
                                              strict=True)]}


@dataclass(frozen=True)
class Programme:
    """A programme that actually ran: the interventieteam works from ``start`` to ``end``."""

    name: str
    start: float  # fractional years
    end: float  # inclusive: the programme runs through this day
    fte: float
    source: str


@dataclass(frozen=True)
class Drivers:
    """All drivers of one city."""

    path: Path
    series: dict[str, Series]
    hardening_reference_year: int = 2012
    hardening_source: str = "estimate"
    programmes: tuple[Programme, ...] = field(default_factory=tuple)

    def record(self) -> dict[str, Any]:
        """JSON-able summary of the drivers (for provenance and ``sim history --json``)."""
        return {"file": self.path.name,
                "series": {k: s.record() for k, s in self.series.items()},
                "hardening": {"reference_year": self.hardening_reference_year,
                              "source": self.hardening_source},
                "programmes": [{"name": p.name, "start": round(p.start, 4),
                                "end": round(p.end, 4), "fte": p.fte, "source": p.source}
                               for p in self.programmes]}


def _series(name: str, raw: Any, file: str) -> Series:
    if not isinstance(raw, dict):
        raise UserError("must be a table with rule and points.", file=file, field=name)
    rule = str(raw.get("rule", "linear"))
    if rule not in RULES:
        raise UserError(f"rule {rule!r} is not known; allowed: {', '.join(RULES)}.", file=file,
                        field=f"{name}.rule")
    pts = raw.get("points")
    if not isinstance(pts, list) or not pts:
        raise UserError("needs at least one point {date, value, source}.", file=file,
                        field=f"{name}.points")
    times, values, sources = [], [], []
    for i, p in enumerate(pts):
        where = f"{name}.points[{i}]"
        if not isinstance(p, dict) or "date" not in p or "value" not in p:
            raise UserError("each point needs date, value and source.", file=file, field=where)
        v = p["value"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v) or v < 0:
            raise UserError(f"value {v!r} must be a number of 0 or more.", file=file,
                            field=where)
        if rule == "log-linear" and v <= 0:
            raise UserError("a log-linear series needs values above 0.", file=file, field=where)
        src = str(p.get("source", "")).strip()
        if not src:
            raise UserError("names no source (or 'estimate' with a range).", file=file,
                            field=where)
        times.append(year_fraction(p["date"], file=file, where=where))
        values.append(float(v))
        sources.append(src)
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise UserError("points must be in date order, one per date.", file=file,
                        field=f"{name}.points")
    return Series(name, np.array(times), np.array(values), rule, tuple(sources),
                  str(raw.get("what", "")))


def load_drivers(folder: str | Path) -> Drivers | None:
    """The drivers of a city folder, or None when it has no ``drivers.toml``.

    Raises:
        UserError: a bad rule, date, value or programme, or a point without a source.
    """
    path = Path(folder) / DRIVERS_FILE
    if not path.is_file():
        return None
    raw = read_toml(path, what="drivers file")
    file = str(path)
    series = {k: _series(k, raw[k], file) for k in SERIES if k in raw}
    hard = raw.get("hardening", {})
    ref = hard.get("reference_year", 2012) if isinstance(hard, dict) else 2012
    if isinstance(ref, bool) or not isinstance(ref, int) or not 1990 <= ref <= 2100:
        raise UserError("reference_year must be a year (1990-2100).", file=file,
                        field="hardening.reference_year")
    progs = []
    for i, p in enumerate(raw.get("programme", []) or []):
        where = f"programme[{i}]"
        if not isinstance(p, dict) or not {"start", "end", "fte"} <= set(p):
            raise UserError("needs name, start, end, fte and source.", file=file, field=where)
        fte = p["fte"]
        if isinstance(fte, bool) or not isinstance(fte, int | float) or not 0 <= fte <= 1000:
            raise UserError(f"fte {fte!r} must be 0 to 1000.", file=file, field=where)
        start = year_fraction(p["start"], file=file, where=where)
        end = year_fraction(p["end"], file=file, where=where)
        if end < start:
            raise UserError("ends before it starts.", file=file, field=where)
        progs.append(Programme(str(p.get("name", where)), start, end, float(fte),
                               str(p.get("source", "estimate"))))
    return Drivers(path, series, int(ref), str(hard.get("source", "estimate"))
                   if isinstance(hard, dict) else "estimate", tuple(progs))
