"""The wijk table of a city folder (``wijken.csv``): one record per CBS wijk.

Read by :func:`sim.model.city.read_wijk_table` and written by ``sim city import``
(:mod:`sim.data.city_import`): both use :class:`Wijk` and :data:`COLUMNS`.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

#: The columns of ``wijken.csv``, in order.
COLUMNS = ("code", "name", "inhabitants", "households", "area_ha", "gebied", "source")


@dataclass(frozen=True)
class Wijk:
    """One CBS wijk: its code, CBS name ("" when none is known) and what the model needs."""

    code: str
    name: str
    inhabitants: int
    households: int
    area_ha: float
    gebied: int
    source: str  # where each value comes from, or "estimate"

    def row(self) -> list[object]:
        """The values in :data:`COLUMNS` order, area with two decimals."""
        values = list(astuple(self))
        values[COLUMNS.index("area_ha")] = f"{self.area_ha:.2f}"
        return values
