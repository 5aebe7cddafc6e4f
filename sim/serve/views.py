"""The live page's pictures: the map and the monthly chart, as matplotlib figures.

Figures are made with matplotlib's object interface (no pyplot), so the page can draw them
from the thread that steps the model. Colours: the Okabe-Ito palette of the report
(``sim.report.figures``) for guardians and runs; wijken shaded by their rate.
"""

from __future__ import annotations

import html
import math

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from sim.model.model import BOA, TEAM, WIJKAGENT
from sim.model.scenario import HOURS_PER_FTE_YEAR
from sim.report.figures import PALETTE, REFERENCE_COLOUR
from sim.report.text import eur, num
from sim.report.text import label as scenario_name
from sim.serve.live import FADE_HOURS, HOURS_PER_STEP, PairedRun, Totals
from sim.serve.text import month_label, t

#: Wijk colours: woninginbraken per year per 1,000 households, 0 to this (and above).
RATE_MAX = 30.0
RATE_CMAP = LinearSegmentedColormap.from_list("wijksim_rate", ["#ffffff", "#d9d9d9",
                                                                 "#969696", "#525252"])
BURGLARY_COLOUR = "#D55E00"
VISIT_COLOURS = {BOA: "#0072B2", WIJKAGENT: "#CC79A7", TEAM: "#009E73"}
SCENARIO_COLOUR = PALETTE[0]
DPI = 80


def _outline_path(rings: list) -> MplPath | None:
    """One compound path of a wijk's rings (holes drawn by the even-odd rule)."""
    verts, codes = [], []
    for ring in rings:
        pts = np.asarray(ring, dtype=float)
        if len(pts) < 3:
            continue
        verts.extend(pts.tolist() + [pts[0].tolist()])
        codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(pts) - 1) + [MplPath.CLOSEPOLY])
    return MplPath(verts, codes) if verts else None


def label_points(pair: PairedRun) -> np.ndarray | None:
    """A point inside each wijk for its number on the map (None without outlines)."""
    city = pair.city
    if not city.outlines:
        return None
    from shapely.geometry import Polygon

    out = []
    for rings in city.outlines:
        polys = [Polygon(r) for r in rings if len(r) >= 3]
        largest = max(polys, key=lambda g: g.area) if polys else None
        pt = largest.buffer(0).representative_point() if largest is not None else None
        out.append((pt.x, pt.y) if pt is not None else (np.nan, np.nan))
    return np.array(out, dtype=float)


def map_figure(pair: PairedRun, lang: str) -> Figure:
    """The live map: wijken by rate and number, last week's patrol visits, burglaries fading.

    Drawn 12 inches wide at 80 dpi (960 pixels) with 15-point legends, so that at half the
    width of a 1920-pixel projector the legend text is about 17 pixels high.
    """
    state = pair.map_state()
    fig = Figure(figsize=(12, 10.5), dpi=DPI)
    ax = fig.add_axes((0.01, 0.13, 0.84, 0.81))
    ax.set_axis_off()
    ax.set_aspect("equal")
    norm = Normalize(0, RATE_MAX)
    cmap = ScalarMappable(norm=norm, cmap=RATE_CMAP)
    city = pair.city
    if city.outlines:
        for i, rings in enumerate(city.outlines):
            path = _outline_path(rings)
            if path is None:
                continue
            rate = state.rate_per_1000[i]
            face = "#eeeeee" if not np.isfinite(rate) else cmap.to_rgba(min(rate, RATE_MAX))
            ax.add_patch(PathPatch(path, facecolor=face, edgecolor="#555555", lw=1.0,
                                   fill=True, zorder=1))
        ax.autoscale_view()
    else:  # a raster or schematic city: colour its cells by their wijk's rate
        grid = city.wijk_of_cell
        rates = np.append(state.rate_per_1000, np.nan)[np.where(grid >= 0, grid, -1)]
        ax.imshow(np.ma.masked_invalid(rates), cmap=RATE_CMAP, norm=norm,
                  extent=(0, grid.shape[1], -grid.shape[0], 0), zorder=1)
    for kind, cells in state.visit_cells.items():
        if cells.size:
            xy = pair.cell_xy(cells)
            ax.scatter(xy[:, 0], xy[:, 1], s=7, marker="s", color=VISIT_COLOURS[kind],
                       alpha=0.45, lw=0, zorder=2)
    if state.event_cells.size:
        xy = pair.cell_xy(state.event_cells)
        alpha = np.clip(1.0 - state.event_age / FADE_HOURS, 0.15, 1.0)
        base = np.array(to_rgba(BURGLARY_COLOUR))
        edge = np.tile(base, (len(alpha), 1))
        edge[:, 3] = alpha
        face = edge.copy()
        face[~state.event_completed, 3] = 0.0  # failed attempts: a ring only
        ax.scatter(xy[:, 0], xy[:, 1], s=110, c=face, edgecolors=edge, linewidths=2.2,
                   zorder=4)
        if state.event_arrested.any():
            a = state.event_arrested
            ax.scatter(xy[a, 0], xy[a, 1], s=260, facecolors="none",
                       edgecolors=[(0, 0, 0, x) for x in alpha[a]], linewidths=1.6, zorder=5)
    points = label_points(pair)
    if points is not None:
        for i, (x, y) in enumerate(points):
            if np.isfinite(x):
                ax.text(x, y, str(i + 1), ha="center", va="center", fontsize=13,
                        fontweight="bold", zorder=6,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.8})
    year, month, day = pair.date()
    ax.set_title(t(lang, "map_title", date=f"{day} {month_label(lang, month)} {year}"),
                 loc="left", fontsize=20, fontweight="bold")
    cax = fig.add_axes((0.87, 0.22, 0.025, 0.62))
    bar = fig.colorbar(cmap, cax=cax, extend="max")
    bar.set_label(t(lang, "map_rate"), fontsize=15)
    bar.ax.tick_params(labelsize=14)
    handles = [
        Line2D([], [], marker="o", ls="", color=BURGLARY_COLOUR, ms=9,
               label=t(lang, "legend_burglary")),
        Line2D([], [], marker="o", ls="", mfc="none", mec=BURGLARY_COLOUR, mew=2, ms=9,
               label=t(lang, "legend_attempt")),
        Line2D([], [], marker="o", ls="", mfc="none", mec="black", ms=12,
               label=t(lang, "legend_arrest")),
        *(Line2D([], [], marker="s", ls="", color=VISIT_COLOURS[k], ms=6, alpha=0.7,
                 label=t(lang, key))
          for k, key in ((BOA, "legend_boa"), (WIJKAGENT, "legend_wijkagent"),
                         (TEAM, "legend_team"))),
    ]
    fig.legend(handles=handles, loc="lower left", ncols=3, frameon=False, fontsize=15,
               bbox_to_anchor=(0.0, 0.0), markerscale=1.3)
    return fig


def wijken_html(pair: PairedRun, lang: str) -> str:
    """The map's key: each wijk's number, name (its code where none is known) and rate."""
    rate = pair.map_state().rate_per_1000
    items = "".join(
        f'<li data-code="{html.escape(w.code)}">{html.escape(pair.city.label(i))}: '
        f"{html.escape(num(rate[i], lang, 1) if np.isfinite(rate[i]) else '–')}</li>"
        for i, w in enumerate(pair.city.wijken))
    return (f'<div class="wijksim-small">{html.escape(t(lang, "wijken_title"))}</div>'
            f'<ol class="wijksim-wijken">{items}</ol>')


def monthly_figure(pair: PairedRun, lang: str) -> Figure:
    """Woninginbraken per month so far: the scenario against the reference."""
    data = pair.monthly()
    fig = Figure(figsize=(7.6, 3.8), dpi=DPI)
    ax = fig.add_axes((0.1, 0.2, 0.87, 0.62))
    x = np.arange(len(data["months"]))

    def series(values: list) -> np.ndarray:  # the month under way is left out until done
        return np.array([np.nan if v is None or part else v
                         for v, part in zip(values, data["partial"], strict=True)], dtype=float)

    ax.plot(x, series(data["reference"]), color=REFERENCE_COLOUR, lw=2.2, marker="o", ms=3,
            label=t(lang, "reference_run", ref=scenario_name(pair.reference.name, lang)))
    ax.plot(x, series(data["scenario"]), color=SCENARIO_COLOUR, lw=2.2, ls="--", marker="s",
            ms=3, label=scenario_label(pair, lang))
    ticks = [i for i, m in enumerate(data["months"]) if m.endswith(("-01", "-07"))]
    ax.set_xticks(ticks, [f"{month_label(lang, int(data['months'][i][5:]))} "
                          f"{data['months'][i][:4]}" for i in ticks], fontsize=10)
    ax.set_xlim(-0.5, max(len(x) - 0.5, 0.5))
    top = np.nanmax(np.concatenate([series(data["reference"]), series(data["scenario"]),
                                    [1.0]]))
    ax.set_ylim(0, top * 1.15 + 1)
    ax.set_ylabel(t(lang, "chart_y"), fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=10)
    fig.suptitle(t(lang, "chart_title"), x=0.01, ha="left", fontsize=13, fontweight="bold")
    return fig


def scenario_label(pair: PairedRun, lang: str) -> str:
    """The scenario's name, marked when the sliders changed it."""
    name = scenario_name(pair.scenario.name, lang)
    return t(lang, "modified", name=name) if pair.modified else name


def status_text(pair: PairedRun, lang: str) -> str:
    """Where the run is: the date and week, or that the horizon is done."""
    weeks = math.ceil((pair.end_tick - pair.start_tick) / HOURS_PER_STEP)
    first = pair.scenario.start_year
    last = first + math.ceil(pair.scenario.years) - 1
    if pair.done:
        return t(lang, "status_done", first=first, last=last)
    year, month, day = pair.date()
    week = pair.hours_done // HOURS_PER_STEP
    return t(lang, "status", date=f"{day} {month_label(lang, month)} {year}", week=week,
             weeks=weeks)


def prevented_text(tot: Totals, lang: str) -> str:
    """Prevented so far, by the report's rule: a number only once its interval excludes zero."""
    if tot.prevented_interval is None:
        return t(lang, "not_yet")
    lo, hi = tot.prevented_interval
    interval = t(lang, "interval", lo=num(lo, lang), hi=num(hi, lang))
    if tot.proven:
        return f"{num(tot.prevented, lang)} ({interval})"
    return f"{t(lang, 'more' if tot.proven_more else 'not_yet')} ({interval})"


def totals_html(pair: PairedRun, lang: str, seed: int) -> str:
    """The running totals as an HTML table; each value cell has ``data-key`` (for tests)."""
    tot = pair.totals()
    ref = scenario_name(pair.reference.name, lang)
    label = scenario_label(pair, lang)
    name = html.escape(label)
    rows = [
        ("woninginbraken", t(lang, "row_burglaries"), num(tot.woninginbraken, lang),
         num(tot.reference_woninginbraken, lang)),
        ("prevented", t(lang, "row_prevented"), prevented_text(tot, lang), "–"),
        ("arrests", t(lang, "row_arrests"), num(tot.arrests, lang),
         num(tot.reference_arrests, lang)),
        ("cost", t(lang, "row_cost"), eur(tot.cost_eur, lang), eur(0.0, lang)),
        ("cost_per_prevented", t(lang, "row_cpp"),
         eur(tot.cost_per_prevented_eur, lang) if tot.proven else
         ("–" if tot.proven_more else t(lang, "not_yet")), "–"),
    ]
    body = "".join(
        f'<tr><th scope="row">{html.escape(label)}</th>'
        f'<td class="wijksim-total" data-key="{key}">{html.escape(value)}</td>'
        f'<td data-key="reference_{key}">{html.escape(reference)}</td></tr>'
        for key, label, value, reference in rows)
    title = t(lang, "totals_title", scenario=label, ref=ref, seed=seed)
    sc = pair.scenario
    team = sc.interventieteam
    settings = t(lang, "settings",
                 boa=num(sc.boa.fte * HOURS_PER_FTE_YEAR * sc.boa.burglary_patrol_share, lang),
                 team=num(team.fte, lang, 0 if float(team.fte).is_integer() else 1),
                 team_years=f"{team.first_year}–{team.last_year}",
                 reg=sc.wijkregisseur.per_gebied,
                 wa=num(sc.wijkagenten.fte, lang, 0 if float(sc.wijkagenten.fte).is_integer()
                        else 1))
    days = tot.days
    return (f'<div class="wijksim-status" data-days="{days}" data-hours="{pair.hours_done}">'
            f"{html.escape(status_text(pair, lang))}</div>"
            f'<h4>{html.escape(title)}</h4>'
            f'<table class="wijksim-totals"><thead><tr><th></th><th>{name}</th>'
            f"<th>{html.escape(t(lang, 'col_reference', ref=ref))}</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
            f'<p class="wijksim-settings">{html.escape(settings)}</p>'
            f'<p class="wijksim-small">{html.escape(t(lang, "totals_note"))}</p>')
