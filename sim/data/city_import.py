"""A city folder from open data: CBS/Kadaster wijk outlines plus a CBS KWB export.

:func:`plan_import` reads the outlines of one gemeente (:func:`~sim.data.outlines.read_outlines`:
PDOK's *Wijk- en Buurtkaart* GeoPackage, layer ``wijken``, or any GeoJSON/GeoPackage with
the fields ``wijkcode``, ``wijknaam``, ``gemeentecode``), the households and inhabitants
per wijk from a *Kerncijfers wijken en buurten* export (:func:`~sim.data.kwb.load_kwb`) and
optionally a CBS 100 m population grid, checks that they describe the same wijken, and
returns a :class:`CityImport`. :meth:`CityImport.write` writes the city folder's files
(``city.toml``, ``wijken.csv``, ``wijken.gpkg`` and ``huishoudens_100m.gpkg``) into a
folder; :func:`install` moves them into place. The command line (``sim city import``)
writes into a staging folder, loads the city from it (so a folder that would not load is
never written) and then installs it.

Nothing is guessed: a wijk name comes from the outline file's ``wijknaam`` or the KWB's
name column, else it stays empty (the code is shown); the grouping into gebieden (one
per wijk) and the model settings are marked as estimates in the files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim.core.errors import UserError
from sim.core.textio import MAX_DATA_BYTES, read_text, read_toml
from sim.data.grid100 import HOUSEHOLD_FIELDS, read_household_grid
from sim.data.kwb import KwbData, load_kwb
from sim.data.outlines import RD_NEW, Outlines, read_outlines
from sim.data.wijktable import COLUMNS, Wijk

#: City names are folder names under calibration/ (the pattern ``city_folder`` accepts).
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: The files an import writes (a city folder may hold others: they are left alone).
FILES = ("city.toml", "wijken.csv", "wijken.gpkg", "huishoudens_100m.gpkg")
GRID_FILE = "huishoudens_100m.gpkg"
#: Default lognormal spread of cell attractiveness (as in calibration/amstelveen): estimate.
ATTRACTIVENESS_SIGMA = 0.3
#: Squares of the population grid kept around the gemeente's bounding box (m).
GRID_MARGIN_M = 200.0


@dataclass
class CityImport:
    """What ``sim city import`` writes: checked, not yet on disk."""

    slug: str
    title: str  # gemeente name for city.toml (CBS name, else the slug)
    title_source: str
    gemeente: str
    cell_size_m: int
    outlines: Outlines
    rows: list[Wijk]
    gebied_names: dict[int, str]
    gebieden_source: str
    gebieden_kept: bool
    totals: dict[str, Any]
    boundaries: Path
    kwb: Path
    grid: Path | None = None
    grid_layer_gdf: Any = None  # the population grid's squares around the gemeente (RD New)
    entries: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def layout_seed(self) -> int:
        """The city's seed: the gemeente number (GM0362 -> 362), as in calibration/."""
        return int(self.gemeente[2:])

    def write(self, folder: Path) -> list[Path]:
        """Write the city's files into ``folder`` (which must exist); the paths written."""
        import geopandas as gpd

        written = []
        toml_path = folder / "city.toml"
        toml_path.write_text(self.city_toml(), encoding="utf-8")
        written.append(toml_path)
        csv_path = folder / "wijken.csv"
        csv_path.write_text(self.wijken_csv(), encoding="utf-8", newline="")
        written.append(csv_path)
        gpkg = folder / "wijken.gpkg"
        names = {r.code: r.name or None for r in self.rows}
        gdf = gpd.GeoDataFrame(
            {"wijkcode": self.outlines.codes,
             "wijknaam": [names[c] for c in self.outlines.codes],
             "gemeentecode": [self.gemeente] * len(self.outlines.codes)},
            geometry=list(self.outlines.geometries), crs=RD_NEW)
        gdf.to_file(gpkg, layer="wijken", driver="GPKG", engine="pyogrio")
        written.append(gpkg)
        if self.grid_layer_gdf is not None:
            grid_path = folder / GRID_FILE
            self.grid_layer_gdf.to_file(grid_path, layer="huishoudens", driver="GPKG",
                                        engine="pyogrio")
            read_household_grid(grid_path)  # the loader reads it back exactly like this
            written.append(grid_path)
        return written

    def wijken_csv(self) -> str:
        """The wijk table (``wijken.csv``)."""
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in self.rows:
            w.writerow(r.row())
        return buf.getvalue()

    def city_toml(self) -> str:
        """``city.toml`` with a comment on every value saying where it comes from."""
        n = len(self.rows)
        files = ", ".join(p.name for p in (self.boundaries, self.kwb, self.grid) if p)
        spread = (f"by {GRID_FILE} (CBS vierkantstatistieken: households per 100 m square, "
                  f"the squares around the gemeente of {_comment(self.grid.name)})" if self.grid
                  else "uniformly over each wijk's cells (no 100 m population grid: add "
                  f"{GRID_FILE}, CBS vierkantstatistieken, or import with --grid)")
        lines = [
            f"# {_comment(self.title)} ({self.gemeente}): city-level facts used by Wijksim.",
            f"# Written by `sim city import` from {_comment(files)}.",
            '# Every value names its source; "estimate" marks a model choice or a guess to be',
            "# replaced by data. Edit freely; `sim city show` prints what the model sees.",
            f"name = {_str(self.title)}  # {_comment(self.title_source)}",
            f"gemeente_code = {_str(self.gemeente)}  # CBS code (the outline file)",
            f"cell_size_m = {self.cell_size_m}  # model choice",
            f"layout_seed = {self.layout_seed}  # the gemeente number: fixes the city's "
            "random fields; not a run seed",
            f"attractiveness_sigma = {ATTRACTIVENESS_SIGMA}  # estimate: lognormal spread of "
            "cell attractiveness",
            *_wrapped(f"The grid is wijken.gpkg ({n} CBS wijk outlines of "
                      f"{_comment(self.boundaries.name)}, in RD New) rasterised at "
                      f"cell_size_m; households are spread {spread}."),
            "",
            "# Totals of the gemeente, to check the wijk table against.",
            "[totals]",
        ]
        for key, (value, src) in self.totals.items():
            lines.append(f"{key} = {_value(value)}  # {_comment(src)}")
        lines += ["", *_wrapped(f"Enforcement areas (gebieden): {self.gebieden_source}"),
                  "[gebieden]"]
        lines += [f"{g} = {_str(name)}" for g, name in sorted(self.gebied_names.items())]
        if self.entries:
            lines += ["", "# Where travelling offenders enter (RD New metres, weighted): kept "
                      "from the previous city.toml."]
            for e in self.entries:
                lines += ["", "[[entry]]"]
                lines += [f"{k} = {_value(v)}" for k, v in e.items()
                          if isinstance(v, str | int | float)]
        return "\n".join(lines) + "\n"


def check_slug(name: str) -> str:
    """``name`` if it is a city name (a folder name under calibration/), else UserError."""
    if not SLUG.match(name or ""):
        raise UserError(f"'{str(name)[:60]}' is not a city name: 1 to 64 lowercase letters, "
                        "digits, '-' or '_', starting with a letter or digit (e.g. "
                        "amstelveen, den-haag).", field="NAME")
    return name


def check_target(out: Path, *, force: bool) -> None:
    """Refuse to write over a city folder (one holding wijken.csv) unless ``force``."""
    if out.exists() and not out.is_dir():
        raise UserError("exists and is not a folder; give a folder with --out.", file=str(out),
                        field="--out")
    if (out / "wijken.csv").exists() and not force:
        raise UserError("already holds a city (wijken.csv); add --force to write it again "
                        "(city.toml, wijken.csv, wijken.gpkg are replaced; your gebieden and "
                        "[[entry]] points are kept when the wijken are the same; other files "
                        "are left alone), or choose another --out.", file=str(out),
                        field="--force")


def plan_import(name: str, boundaries: str | Path, *, kwb: str | Path | None,
                layer: str | None = None, gemeente: str | None = None,
                grid: str | Path | None = None, cell_size_m: int = 100,
                previous: Path | None = None,
                households_total: tuple[int, str] | None = None) -> CityImport:
    """Read and cross-check the inputs of a city; nothing is written.

    ``previous``: an existing city folder being written again (``--force``): its gebieden
    (when it holds the same wijken) and ``[[entry]]`` points are kept.

    ``households_total``: (count, source) of the gemeente's households, for a KWB without
    households per wijk: the count is spread over the wijken by their KWB inhabitants
    (:func:`spread_by_inhabitants`), and every row says so.

    Raises:
        UserError: a bad name; no KWB export; outlines without CRS, without wijken of the
            gemeente, or of several gemeenten with none chosen; wijk codes of the KWB and
            the outlines that differ (both lists named); a KWB with several periods; a
            population grid without households inside the gemeente.
    """
    check_slug(name)
    boundaries = Path(boundaries)
    if kwb is None:
        raise UserError(
            "households per wijk are needed to run a city, and they come from CBS "
            "'Kerncijfers wijken en buurten' (StatLine, the table of the same year as the "
            "outlines): download it as CSV and give it with --kwb FILE. Check it first with "
            "`sim data show FILE --gemeente GMxxxx`.", field="--kwb")
    outlines = read_outlines(boundaries, layer=layer, gemeente=gemeente)
    warnings = list(outlines.warnings)
    data = load_kwb(kwb).select(outlines.gemeente)
    krows = data.wijken()
    spread: dict[str, int] = {}
    if households_total is not None:
        if any(r.households is not None for r in krows):
            raise UserError("gives households per wijk already; --households-total is only for "
                            "a KWB without them.", file=str(kwb), field="--households-total")
        spread = spread_by_inhabitants(households_total[0],
                                       {r.code: r.inhabitants or 0 for r in krows})
        krows = [replace(r, households=spread[r.code]) for r in krows]
        data = replace(data, rows=[r for r in data.rows if r.level != "wijk"] + krows)
    warnings += data.warnings()
    codes = [r.code for r in krows]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise UserError(f"holds wijk(en) {', '.join(repeated[:8])} more than once (several "
                        "periods?); download one KWB year, the year of the outlines.",
                        file=str(kwb), field="Perioden")
    only_kwb = sorted(set(codes) - set(outlines.codes))
    only_map = sorted(set(outlines.codes) - set(codes))
    if only_kwb or only_map:
        raise UserError(
            f"the KWB export and the outlines of {outlines.gemeente} do not hold the same "
            f"wijken (different years of the wijk indeling?). In the KWB but not in the "
            f"outlines: {_list(only_kwb)}. In the outlines but not in the KWB: "
            f"{_list(only_map)}. Use a KWB export of the year of the Wijk- en Buurtkaart.",
            file=str(kwb), field="Codering")
    by_code = {r.code: r for r in krows}
    kwb_src = f"CBS Kerncijfers wijken en buurten ({Path(kwb).name}, column "
    prev_gebied, prev_names, entries = _previous(previous, outlines.codes, warnings)
    rows = []
    for i, (code, own_name, area) in enumerate(zip(outlines.codes, outlines.names,
                                                   outlines.area_ha(), strict=True)):
        k = by_code[code]
        if own_name:
            name, name_src = own_name, f"name: wijknaam in {boundaries.name}"
        elif k.name:
            name, name_src = k.name, f"name: CBS KWB ({Path(kwb).name})"
        else:
            name, name_src = "", "name: none known (the code is shown)"
        counts = []
        for measure, value in (("inhabitants", k.inhabitants), ("households", k.households)):
            if measure == "households" and spread:
                counts.append(f"households: {households_total[0]:,} ({households_total[1]}) "
                              "spread over the wijken by their KWB inhabitants (largest "
                              "remainder)")
            elif value is None:
                warnings.append(f"{code}: {measure} suppressed in the KWB ('.'): written as 0; "
                                "fill in wijken.csv if known")
                counts.append(f"{measure}: 0, suppressed in the KWB; fill in if known")
            else:
                counts.append(f"{measure}: {kwb_src}'{data.columns[measure]}')")
        gebied = prev_gebied.get(code, i + 1)
        gebied_src = ("gebied: kept from the previous wijken.csv" if prev_gebied else
                      "gebied: estimate (one gebied per wijk; group wijken by editing it)")
        rows.append(Wijk(
            code=code, name=name, inhabitants=k.inhabitants or 0, households=k.households or 0,
            area_ha=max(round(area, 2), 0.01), gebied=gebied,
            source="; ".join([name_src, f"area_ha: own area of the outline in RD New "
                              f"({boundaries.name})", *counts, gebied_src])))
    if not any(r.households for r in rows):
        raise UserError(f"gives no households for any wijk of {outlines.gemeente} (all "
                        "suppressed or 0): nothing to simulate.", file=str(kwb),
                        field=data.columns.get("households"))
    if prev_gebied:
        gebied_names = {g: prev_names.get(g, f"gebied {g}") for g in sorted(
            {r.gebied for r in rows})}
        gebieden_source = ("kept from the previous city.toml and wijken.csv (the same "
                           "wijken); edit the gebied column of wijken.csv to regroup.")
    else:
        gebied_names = {r.gebied: r.name or r.code for r in rows}
        gebieden_source = ("estimate: one gebied per wijk, numbered in wijk-code order. Group "
                           "wijken into the real enforcement areas by editing the gebied "
                           "column of wijken.csv and the names here.")
    title, title_src = _gemeente_name(data, boundaries, layer, outlines.gemeente, name)
    totals = _totals(data, outlines, rows, warnings)
    if households_total is not None:
        totals["households"] = households_total
    imp = CityImport(slug=name, title=title, title_source=title_src,
                     gemeente=outlines.gemeente, cell_size_m=int(cell_size_m),
                     outlines=outlines, rows=rows, gebied_names=gebied_names,
                     gebieden_source=gebieden_source, gebieden_kept=bool(prev_gebied),
                     totals=totals, boundaries=boundaries,
                     kwb=Path(kwb), entries=entries, warnings=warnings)
    if grid is not None:
        imp.grid = Path(grid)
        imp.grid_layer_gdf = _grid_squares(Path(grid), outlines, warnings)
    return imp


def spread_by_inhabitants(total: int, inhabitants: dict[str, int]) -> dict[str, int]:
    """``total`` households split over the wijken in proportion to their inhabitants.

    Whole numbers by the largest-remainder rule (ties by code), adding up to ``total``.
    """
    people = sum(inhabitants.values())
    if total <= 0 or people <= 0:
        raise UserError("households can only be spread by inhabitants when both are positive.",
                        field="--households-total")
    exact = {c: total * n / people for c, n in inhabitants.items()}
    out = {c: int(v) for c, v in exact.items()}
    for c in sorted(exact, key=lambda c: (-(exact[c] - out[c]), c))[:total - sum(out.values())]:
        out[c] += 1
    return out


def install(staging: Path, out: Path, written: list[Path]) -> list[Path]:
    """Move the files written into ``staging`` into ``out`` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for p in written:
        target = out / p.name
        os.replace(p, target)
        done.append(target)
    return done


def keep_existing_grid(out: Path, staging: Path, imp: CityImport) -> str | None:
    """Keep a population grid already in ``out`` when none is given; a warning, or None.

    The loader would use it, so it is copied to ``staging`` for the check.
    """
    old = out / GRID_FILE
    if imp.grid is not None or not old.is_file():
        return None
    shutil.copyfile(old, staging / GRID_FILE)
    return (f"kept the existing {GRID_FILE} in {out}: households are spread by it; delete it "
            "to spread them uniformly over each wijk")


def stale_files(out: Path) -> list[str]:
    """Warnings for files of an earlier city that the new outlines make unused."""
    notes = []
    if (out / "wijken.geojson").exists():
        notes.append(f"{out / 'wijken.geojson'} is no longer used (wijken.gpkg comes first); "
                     "delete it to avoid confusion")
    if (out / "layout.csv").exists():
        notes.append(f"{out / 'layout.csv'} is no longer used (the outlines give the grid)")
    return notes


# ---- helpers ----------------------------------------------------------------------------

def _comment(text: str) -> str:
    return " ".join(str(text).split())  # one line, whatever a file name holds


def _wrapped(text: str) -> list[str]:
    """Comment lines of at most 90 characters."""
    return ["# " + line for line in textwrap.wrap(_comment(text), 88)]


def _str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string: diacritics kept


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, int | float):
        return repr(v)
    raise TypeError(f"cannot write {type(v).__name__} to city.toml")


def _list(codes: list[str], limit: int = 20) -> str:
    if not codes:
        return "none"
    more = f", … ({len(codes)} in all)" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def _totals(data: KwbData, outlines: Outlines, rows: list[Wijk],
            warnings: list[str]) -> dict[str, tuple[Any, str]]:
    """[totals] of city.toml: the KWB's gemeente row and the outlines' own area."""
    out: dict[str, tuple[Any, str]] = {}
    own = next((r for r in data.rows if r.level == "gemeente"
                and r.code == outlines.gemeente), None)
    src = f"CBS KWB ({data.path.name}), gemeente row"
    for measure in ("inhabitants", "households"):
        value = getattr(own, measure) if own is not None else None
        if value is None:
            continue
        out[measure] = (value, src)
        wijken = sum(getattr(r, measure) for r in rows)
        if value and abs(wijken - value) > max(0.01 * value, 10):
            warnings.append(f"the wijken add up to {wijken:,} {measure}, the gemeente row of "
                            f"the KWB gives {value:,}")
    area = round(sum(outlines.area_ha()) / 100, 2)
    out["area_km2"] = (area, f"sum of the wijk outlines' own areas ({outlines.path.name})")
    return out


def _gemeente_name(data: KwbData, boundaries: Path, layer: str | None, gemeente: str,
                   slug: str) -> tuple[str, str]:
    """The gemeente's name and where it comes from.

    The KWB's gemeente row, else the outline file's ``gemeentenaam``, else the city's
    folder name (said so).
    """
    own = next((r for r in data.rows if r.level == "gemeente" and r.code == gemeente), None)
    if own is not None and own.name:
        name = re.sub(r"\s*\(.*\)\s*$", "", own.name) or own.name  # "X (gemeente total)"
        return name, f"CBS: gemeente name in {data.path.name}"
    name = _outline_gemeentenaam(boundaries, layer, gemeente)
    if name:
        return name, f"CBS: gemeentenaam in {boundaries.name}"
    return slug, "the folder name (no gemeente name in the files): edit it"


def _outline_gemeentenaam(path: Path, layer: str | None, gemeente: str) -> str | None:
    try:
        import pyogrio

        if layer is None and path.suffix.lower() == ".gpkg":
            layers = [str(r[0]) for r in pyogrio.list_layers(path)]
            layer = "wijken" if "wijken" in layers else layers[0]
        info = pyogrio.read_info(path, layer=layer)
        cols = {str(c).lower(): str(c) for c in info["fields"]}
        if "gemeentenaam" not in cols or "gemeentecode" not in cols:
            return None
        df = pyogrio.read_dataframe(path, layer=layer, read_geometry=False,
                                    columns=[cols["gemeentecode"], cols["gemeentenaam"]])
        codes = df[cols["gemeentecode"]].astype(str).str.strip().str.upper()
        names = {str(v).strip() for v in df.loc[codes == gemeente, cols["gemeentenaam"]]
                 if v is not None and str(v).strip() and str(v) != "nan"}
        return names.pop() if len(names) == 1 else None
    except Exception:  # noqa: BLE001 — only a nicety: the outlines were read already
        return None


def _previous(folder: Path | None, codes: list[str], warnings: list[str]
              ) -> tuple[dict[str, int], dict[int, str], list[dict[str, Any]]]:
    """Edits to keep from a city folder written again.

    Gebied per wijk and the gebied names (when the wijken are the same), entry points.
    """
    if folder is None or not (folder / "wijken.csv").is_file():
        return {}, {}, []
    meta: dict[str, Any] = {}
    if (folder / "city.toml").is_file():
        try:
            meta = read_toml(folder / "city.toml", what="city file")
        except UserError as exc:
            warnings.append(f"the previous city.toml is not read ({exc}); its gebied names and "
                            "entry points are not kept")
    entries = [e for e in meta.get("entry", []) if isinstance(e, dict)] if isinstance(
        meta.get("entry"), list) else []
    gebied: dict[str, int] = {}
    try:
        text = read_text(folder / "wijken.csv", what="wijk table (CSV)",
                         max_bytes=MAX_DATA_BYTES)
        for row in csv.DictReader(io.StringIO(text, newline="")):
            gebied[str(row.get("code", "")).strip()] = int(str(row.get("gebied", "")).strip())
    except (UserError, ValueError, TypeError):
        gebied = {}
    names: dict[int, str] = {}
    raw = meta.get("gebieden", {})
    if isinstance(raw, dict):
        names = {int(k): str(v) for k, v in raw.items() if str(k).isdigit()}
    if set(gebied) != set(codes) or not all(1 <= g <= 99 for g in gebied.values()):
        if gebied:
            warnings.append("the wijken differ from the previous wijken.csv: gebieden are "
                            "reset to one per wijk")
        return {}, {}, entries
    return gebied, names, entries


def _grid_squares(path: Path, outlines: Outlines, warnings: list[str]) -> Any:
    """The squares of a CBS 100 m grid around the gemeente, in RD New, ready to write.

    Only the squares whose centre lies within the gemeente's bounding box (plus a margin)
    are read, so the national file can be given as it is.
    """
    import geopandas as gpd
    import numpy as np
    import pyogrio
    import shapely

    if not path.is_file():
        raise UserError("not found (or not a regular file).", file=str(path), field="--grid")
    try:
        info = pyogrio.read_info(path)
    except Exception as exc:  # noqa: BLE001 — GDAL's errors are many; say which file
        raise UserError(f"cannot read the population grid: {str(exc)[:200]}. Give the CBS "
                        "vierkantstatistieken 100 m GeoPackage.", file=str(path),
                        field="--grid") from None
    if not info.get("crs"):
        raise UserError("has no coordinate reference system (CRS).", file=str(path),
                        field="crs")
    cols = {str(c).lower(): str(c) for c in info["fields"]}
    hh_field = next((cols[f] for f in HOUSEHOLD_FIELDS if f in cols), None)
    if hh_field is None:
        raise UserError(f"no households field; looked for {', '.join(HOUSEHOLD_FIELDS)}. The "
                        f"file has: {', '.join(cols.values()) or 'none'}.", file=str(path),
                        field="households")
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(outlines.geometries, dtype=object))
    m = GRID_MARGIN_M
    window = gpd.GeoSeries([shapely.box(xmin - m, ymin - m, xmax + m, ymax + m)],
                           crs=RD_NEW).to_crs(info["crs"]).total_bounds
    try:
        gdf = gpd.read_file(path, bbox=tuple(float(v) for v in window), engine="pyogrio")
    except Exception as exc:  # noqa: BLE001
        raise UserError(f"cannot read the population grid: {str(exc)[:200]}.",
                        file=str(path), field="--grid") from None
    gdf = gdf.to_crs(RD_NEW)
    centres = shapely.centroid(gdf.geometry.values)
    x, y = shapely.get_x(centres), shapely.get_y(centres)
    inside_box = (x >= xmin - m) & (x <= xmax + m) & (y >= ymin - m) & (y <= ymax + m)
    gdf = gdf[inside_box].reset_index(drop=True)
    hh = np.clip(np.nan_to_num(np.asarray(gdf[hh_field], dtype=float)), 0, None)
    city = shapely.union_all(np.array(outlines.geometries, dtype=object))
    in_city = shapely.contains_xy(city, x[inside_box], y[inside_box])
    if hh[in_city].sum() <= 0:
        raise UserError(f"has no households inside the wijken of {outlines.gemeente}: is it "
                        "the grid of this part of the country (and its CRS right)?",
                        file=str(path), field="--grid")
    share = hh[in_city].sum() / hh.sum()
    if share < 0.5:
        warnings.append(f"only {share:.0%} of the population grid's households around the "
                        f"gemeente lie inside its wijken ({path.name})")
    return gdf[[hh_field, "geometry"]]
