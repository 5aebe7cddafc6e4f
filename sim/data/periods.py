"""Periods of CBS/police tables: raw keys (2018JJ00, 2018MM01) and labels (2018, 2018 januari)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    name: i + 1
    for names in (
        "januari februari maart april mei juni juli augustus september oktober november "
        "december",
        "january february march april may june july august september october november december",
        "jan feb mrt apr mei jun jul aug sep okt nov dec",
    )
    for i, name in enumerate(names.split())
}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year (``month`` 0) or one month of it (1..12)."""

    year: int
    month: int = 0

    @property
    def key(self) -> str:
        """``"2018"`` or ``"2018-01"``."""
        return str(self.year) if self.month == 0 else f"{self.year}-{self.month:02d}"


def parse_period(text: str) -> Period | None:
    """Parse a raw or labelled period; ``None`` when it is neither (quarters included)."""
    t = text.strip().rstrip("*").strip().lower()
    if m := re.fullmatch(r"(\d{4})jj00", t):
        return Period(int(m.group(1)))
    if m := re.fullmatch(r"(\d{4})mm(\d{2})", t):
        month = int(m.group(2))
        return Period(int(m.group(1)), month) if 1 <= month <= 12 else None
    if m := re.fullmatch(r"(\d{4})", t):
        return Period(int(m.group(1)))
    if (m := re.fullmatch(r"(\d{4})\s+([a-z]+)\.?", t)) and m.group(2) in MONTHS:
        return Period(int(m.group(1)), MONTHS[m.group(2)])
    return None
