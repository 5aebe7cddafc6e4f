"""``sim city import`` (a city folder from CBS open data) and ``sim city show``."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.app import app, console, err_console, out_console, print_json
from sim.core.errors import UserError
from sim.core.paths import CALIBRATION
from sim.data.city_import import (
    check_slug,
    check_target,
    install,
    keep_existing_grid,
    plan_import,
    stale_files,
)
from sim.data.outlines import RD_NEW
from sim.model.city import City, load_city

city_app = typer.Typer(
    name="city", help="Make a city folder from CBS open data, and show what a city holds.",
    no_args_is_help=True,
)
app.add_typer(city_app, name="city")

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@city_app.command("import")
def import_city(
    name: str = typer.Argument(..., help="City name: the folder calibration/NAME (lowercase "
                               "letters, digits, '-', '_')."),
    boundaries: Path = typer.Option(..., "--boundaries", help="Wijk outlines: PDOK's Wijk- en "
                                    "Buurtkaart GeoPackage, or any GeoJSON/GeoPackage with "
                                    "fields wijkcode, wijknaam, gemeentecode."),
    kwb: Path = typer.Option(None, "--kwb", help="CBS Kerncijfers wijken en buurten export "
                             "(CSV) of the same year: households and inhabitants per wijk. "
                             "Required."),
    layer: str = typer.Option(None, "--layer", help="Layer of the GeoPackage (default: "
                              "'wijken', or the only layer)."),
    gemeente: str = typer.Option(None, "--gemeente", "-g", help="Gemeente code (GM0362); "
                                 "needed when the file holds several gemeenten."),
    grid: Path = typer.Option(None, "--grid", help="CBS vierkantstatistieken 100 m GeoPackage "
                              "(households per square): written as huishoudens_100m.gpkg, "
                              "only the squares around the gemeente."),
    cell_size: int = typer.Option(100, "--cell-size", min=10, max=1000,
                                  help="Grid cell edge in metres."),
    out: Path = typer.Option(None, "--out", help="City folder (default calibration/NAME/)."),
    force: bool = typer.Option(False, "--force", help="Write over a folder that already holds "
                               "a city."),
    households_total: int = typer.Option(None, "--households-total", min=1, max=10_000_000,
                                         help="The gemeente's households, for a KWB file "
                                         "without households per wijk: spread over the wijken "
                                         "by their KWB inhabitants."),
    households_source: str = typer.Option("", "--households-source", help="Where "
                                          "--households-total comes from (written beside it)."),
) -> None:
    """Write a city folder from wijk outlines and a CBS KWB export; check that it loads.

    Writes city.toml, wijken.csv (a source per row), wijken.gpkg and, with --grid, the grid.

    Only this gemeente's wijken are written (outlines in RD New, EPSG:28992).

    --kwb is required: a city cannot run without households per wijk, never guessed.

    Counts the KWB suppresses ('.') are written as 0, with a warning: fill them in if known.

    Names: the outline file's wijknaam, else the KWB's; else empty (the code is shown).

    area_ha is each outline's own area. Invalid outlines are repaired, with a warning.

    Gebieden: one per wijk, 1..n in wijk-code order (an estimate: edit wijken.csv to group).

    --force writes again over a city folder, keeping its gebieden and entry points.

    --households-total N (with --households-source): a KWB without households per wijk.

    Nothing is written unless the new city loads.
    """
    check_slug(name)
    out = out if out is not None else CALIBRATION / name
    check_target(out, force=force)
    previous = out if (out / "wijken.csv").is_file() else None
    imp = plan_import(name, boundaries, kwb=kwb, layer=layer, gemeente=gemeente, grid=grid,
                      cell_size_m=cell_size, previous=previous,
                      households_total=None if households_total is None else (
                          households_total, households_source.strip() or "given with "
                          "--households-total, no source stated"))
    _warn(imp.warnings)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.import-", dir=out.parent))
    try:
        written = imp.write(staging)
        if out.is_dir():
            note = keep_existing_grid(out, staging, imp)
            _warn([note] if note else [])
        try:
            load_city(staging)
        except UserError as exc:
            raise UserError(f"the imported city does not load, so nothing was written: "
                            f"{exc.message}", file=str(out / Path(exc.file or "").name)
                            if exc.file else str(out), field=exc.field) from None
        install(staging, out, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _warn(stale_files(out))
    city = load_city(Path(out))
    _print_city(city, console)
    console.print(f"wrote {escape(str(out))}: city.toml, wijken.csv, wijken.gpkg"
                  + (", huishoudens_100m.gpkg" if imp.grid else "")
                  + (". Gebieden kept from the folder's previous wijken.csv." if imp.gebieden_kept
                     else ". Gebieden: one per wijk (an estimate): group wijken by editing the "
                     "gebied column of wijken.csv and [gebieden] in city.toml."),
                  highlight=False)


@city_app.command("show")
def show(
    city: str = typer.Argument(..., help="City name (a folder under calibration/) or a city "
                               "folder (a path)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print what the model sees of a city: layout, cell size and the wijken.

    Per wijk: CBS name, gebied, households, inhabitants, area and grid cells.

    --json: {"name", "gemeente", "layout", "cell_size_m", "crs", "wijken": [...]}.

    layout: "polygons", "raster" or "schematic"; crs: "EPSG:28992" for polygons, else null.

    Each wijk: "code", "name", "households", "inhabitants", "area_ha", "cells", "gebied".

    name is the CBS name (null when unknown); area_ha the outline's own area, if any.
    """
    c = load_city(_resolve(city))
    if as_json:
        print_json(city_record(c))
        return
    _print_city(c, out_console(as_json))


def _warn(lines: list[str]) -> None:
    for w in lines:
        err_console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False, soft_wrap=True)


def _resolve(city: str) -> str | Path:
    """A slug is a folder under calibration/; a path (or an existing folder) is a folder."""
    if "/" in city or "\\" in city:
        return Path(city)
    if SLUG.match(city) and (CALIBRATION / city / "wijken.csv").is_file():
        return city
    if Path(city).is_dir():
        return Path(city)
    return city  # load_city names the known cities


def city_record(c: City) -> dict:
    """The city as ``sim city show --json`` prints it."""
    cells = np.bincount(c.wijk_of_cell[c.wijk_of_cell >= 0].ravel(), minlength=c.n_wijken)
    areas = c.outline_area_ha or [w.area_ha for w in c.wijken]
    return {
        "name": c.name,
        "gemeente": c.code,
        "layout": c.layout,
        "cell_size_m": int(c.cell_size_m) if float(c.cell_size_m).is_integer()
        else c.cell_size_m,
        "crs": RD_NEW if c.layout == "polygons" else None,
        "wijken": [{"code": w.code, "name": w.name or None, "households": w.households,
                    "inhabitants": w.inhabitants, "area_ha": round(float(areas[i]), 2),
                    "cells": int(cells[i]), "gebied": w.gebied}
                   for i, w in enumerate(c.wijken)],
    }


def _print_city(c: City, con) -> None:  # noqa: ANN001
    rec = city_record(c)
    crs = f", {rec['crs']}" if rec["crs"] else ""
    t = Table(title=f"{escape(c.name)} ({c.code or 'no gemeente code'}): {c.layout} layout, "
                    f"{c.cell_size_m:g} m cells{crs}, grid {c.shape[0]} x {c.shape[1]}, "
                    f"{len(c.gebieden)} gebieden")
    for col in ("code", "name", "gebied", "households", "inhabitants", "area ha", "cells"):
        t.add_column(col, justify="left" if col in ("code", "name") else "right")
    for w in rec["wijken"]:
        t.add_row(w["code"], escape(w["name"] or ""), str(w["gebied"]), f"{w['households']:,}",
                  f"{w['inhabitants']:,}", f"{w['area_ha']:,.1f}", f"{w['cells']:,}")
    t.add_section()
    t.add_row("total", f"{len(rec['wijken'])} wijken", "",
              f"{sum(w['households'] for w in rec['wijken']):,}",
              f"{sum(w['inhabitants'] for w in rec['wijken']):,}",
              f"{sum(w['area_ha'] for w in rec['wijken']):,.1f}",
              f"{sum(w['cells'] for w in rec['wijken']):,}")
    con.print(t)
