"""Loaders for official open-data exports: police crime counts and CBS wijk key figures."""

from __future__ import annotations

from pathlib import Path

from sim.core.errors import UserError
from sim.data import kwb, police
from sim.data.kwb import KwbData, KwbRow, load_kwb
from sim.data.periods import Period, parse_period
from sim.data.police import PoliceData, PoliceRow, load_police
from sim.data.table import has_header, read_export_text


def load_export(path: str | Path) -> PoliceData | KwbData:
    """Read a police export or a KWB export, whichever the file's header shows."""
    p = Path(path)
    text = read_export_text(p, "data export")  # regular file, bounded size, decodable
    if has_header(text, police._is_header):
        return load_police(p)
    if has_header(text, kwb._is_header):
        return load_kwb(p)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    raise UserError(
        "neither a police export (columns WijkenEnBuurten, SoortMisdrijf, Perioden, "
        "GeregistreerdeMisdrijven_1 or their labelled titles) nor a CBS Kerncijfers wijken en "
        "buurten export (Codering with Aantal inwoners / Huishoudens totaal). The first line "
        f"is: {first[:200]!r}.",
        file=str(p),
    )


__all__ = ["KwbData", "KwbRow", "Period", "PoliceData", "PoliceRow", "load_export", "load_kwb",
           "load_police", "parse_period"]
