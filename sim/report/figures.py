"""The five comparison figures, drawn from a comparison (``comparison.json``).

Made to be projected in a council room: large fonts, labelled axes with units, the
Okabe-Ito colour-blind-safe palette (plus line styles and markers, so print in grey works),
and a source line with the scenario hashes. Each figure's title states its message
(``sim/report/messages.py``), with a grey line under it saying what is plotted; the title,
the plot (legends included) and the source line get bands of their own, so nothing is
drawn over anything else. :func:`make_figures` returns matplotlib figures;
:func:`write_figures` saves each as PNG and SVG (SVG text stays text).
"""

from __future__ import annotations

import textwrap
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt  # headless machines fall back to the Agg backend by themselves
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from sim.analysis.compare.comparison import observed_levels
from sim.analysis.compare.metrics import mean_ci
from sim.report.messages import figure_messages
from sim.report.overlap import OVERLAY, free_of, place_labels
from sim.report.text import eur, label, num, tr

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
REFERENCE_COLOUR = "#000000"
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
LIGHT = {"#CC79A7", "#E69F00", "#56B4E9"}  # colours that need dark text on them
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1))]
MARKERS = ["o", "s", "D", "^", "v", "P"]
STYLE = {"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15, "xtick.labelsize": 13,
         "ytick.labelsize": 13, "legend.fontsize": 13, "figure.titlesize": 19,
         "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none"}
NAMES = ("fig1_over_time", "fig2_change_per_area", "fig3_maps", "fig4_cost_vs_prevented",
         "fig5_persistence")


def colours(comp: dict[str, Any]) -> dict[str, tuple[str, Any, str]]:
    """Scenario -> (colour, line style, marker); the reference is black and solid."""
    out = {}
    for i, row in enumerate(r for r in comp["rows"] if not r["reference"]):
        j = i % len(PALETTE)
        out[row["scenario"]] = (PALETTE[j], LINESTYLES[j], MARKERS[j])
    out[comp["reference"]] = (REFERENCE_COLOUR, "-", "o")
    return out


#: Set while drawing the report's figures: their source lines point to the appendix that
#: lists the scenario hashes once, instead of repeating them under every figure.
IN_REPORT: ContextVar[bool] = ContextVar("IN_REPORT", default=False)


def source_line(comp: dict[str, Any], lang: str) -> str:
    """The source line printed under every figure (hashes, or in the report a pointer)."""
    p = comp["provenance"]
    hashes = (tr(lang, "hashes_appendix") if IN_REPORT.get() else
              ", ".join(f"{label(k, lang)} {v['hash']}" for k, v in p["scenarios"].items()))
    return tr(lang, "source", version=p["package_version"], reps=p["replications"],
              years=num(p["years"], lang, 2 if p["years"] % 1 else 0), start=p["start_year"],
              seed=p["master_seed"], hashes=hashes)


def _finish(fig: Figure, comp: dict[str, Any], lang: str, key: str, subtitle: str,
            scale: float = 1.0) -> Figure:
    """Title (the figure's message), subtitle and source line, each in a band of its own.

    The layout engine (constrained) gets the band between them, so the axes, their labels
    and the legends never run into the title or the source line.
    """
    width_in, height_in = fig.get_size_inches()
    pad = 0.12
    t_size, s_size, f_size = 19 * scale, 14 * scale, 10 * scale
    nbsp = "\u00a0"  # kept: "€ 300.000" never breaks after the sign
    message = figure_messages(comp, lang)[key].replace(nbsp, "\0")
    t_lines = [line.replace("\0", nbsp)
               for line in textwrap.wrap(message, int(width_in * 72 / (t_size * 0.6)))]
    top = 1 - pad / height_in
    fig.text(0.01, top, "\n".join(t_lines), fontsize=t_size, fontweight="bold", va="top",
             ha="left", gid="title", linespacing=1.15)
    t_h = len(t_lines) * t_size * 1.2 / 72
    s_lines = textwrap.wrap(subtitle, int(width_in * 72 / (s_size * 0.55)))
    fig.text(0.01, top - (t_h + 0.05) / height_in, "\n".join(s_lines), fontsize=s_size,
             color="#444444", va="top", ha="left", gid="subtitle")
    head = pad + t_h + 0.05 + len(s_lines) * s_size * 1.25 / 72 + 0.15
    f_lines = textwrap.wrap(source_line(comp, lang), int(width_in * 72 / (f_size * 0.56)))
    source = fig.text(0.01, 0.06 / height_in, "\n".join(f_lines), fontsize=f_size,
                      color="#444444", va="bottom", gid="source")
    foot = 0.06 + len(f_lines) * f_size * 1.25 / 72 + 0.15
    # the estimates above, or the rendered extents where those are larger (fonts differ)
    renderer = fig.canvas.get_renderer()
    foot = max(foot, source.get_window_extent(renderer).y1 / fig.dpi + 0.15)
    low = min(t.get_window_extent(renderer).y0 for t in fig.texts if t.get_gid() in
              ("title", "subtitle"))
    head = max(head, height_in - low / fig.dpi + 0.15)
    fig.get_layout_engine().set(rect=(0, foot / height_in, 1, 1 - (head + foot) / height_in))
    return fig


def _programme_span(comp: dict[str, Any]) -> tuple[int, int] | None:
    """Years shaded as the programme period.

    The union of the programmes that end inside the horizon (a structural measure without
    an end would hide the years after), else of all programmes.
    """
    spans = [r["programme"] for r in comp["rows"] if r["programme"]]
    if not spans:
        return None
    last = comp["provenance"]["start_year"] + int(np.ceil(comp["provenance"]["years"])) - 1
    spans = [s for s in spans if s[1] < last] or spans
    return min(s[0] for s in spans), min(last, max(s[1] for s in spans))


#: Quarter boundaries in a 365-day model year (as ``sim.analysis.compare.comparison.quarterly``).
QUARTER_EDGES = (0, 90, 181, 273, 365)


def _horizon_days(years: float) -> int:
    return int(np.ceil(round(years * 365 * 24) / 24))


def _periods(comp: dict[str, Any], name: str, quarters: bool) -> tuple[np.ndarray, np.ndarray]:
    """(x in decimal years at each period's middle, (R, periods) woninginbraken per year).

    Partial periods are scaled to a yearly rate; a stub shorter than a third of its period
    (too noisy to read) is left out unless it is the only one.
    """
    f = comp["figures"]
    p = comp["provenance"]
    days = _horizon_days(float(p["years"]))
    key = "quarterly_totals" if quarters else "yearly_totals"
    runs = np.array([[np.nan if v is None else v for v in run] for run in f[key][name]],
                    dtype=float).reshape(len(f[key][name]), -1)
    xs, cols = [], []
    for i in range(runs.shape[1]):
        if quarters:
            y, q = divmod(i, 4)
            a, b = y * 365 + QUARTER_EDGES[q], y * 365 + QUARTER_EDGES[q + 1]
        else:
            a, b = i * 365, (i + 1) * 365
        have = min(b, days) - a
        if have <= 0 or (have < (b - a) / 3 and runs.shape[1] > 1):
            continue
        xs.append(p["start_year"] + (a + have / 2) / 365)
        cols.append(runs[:, i] * 365 / have)
    return np.array(xs), (np.column_stack(cols) if cols else np.zeros((runs.shape[0], 0)))


def fig_over_time(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 1: woninginbraken per year (per quarter for short horizons), observed as points.

    One line per scenario with markers and 90% error bars (slightly apart, so they do not
    hide each other); the observed police figures of the city (its calibration targets) as
    black diamonds with their value; the programmes' period shaded.
    """
    fig, ax = plt.subplots(figsize=(13, 7.2), layout="constrained")
    p = comp["provenance"]
    quarters = float(p["years"]) < 2 and bool(comp["figures"].get("quarterly_totals"))
    span = _programme_span(comp)
    if span:
        ax.axvspan(span[0], span[1] + 1, color="#ebebeb", zorder=0, lw=0)
    style = colours(comp)
    names = [r["scenario"] for r in comp["rows"]]
    step = (0.25 if quarters else 1.0) * 0.5 / max(1, len(names))
    top = 0.0
    for i, name in enumerate(names):
        c, ls, mk = style[name]
        x, per_year = _periods(comp, name, quarters)
        if not x.size:
            continue
        mean, lo, hi = mean_ci(per_year)
        lo = np.clip(lo, 0, None)
        x = x + step * (i - (len(names) - 1) / 2)
        err = np.nan_to_num(np.vstack([mean - lo, hi - mean]))
        ax.errorbar(x, mean, yerr=err, color=c, ls=ls, marker=mk, ms=8,
                    lw=2.8 if name == comp["reference"] else 2.2, capsize=4,
                    label=label(name, lang), zorder=3)
        top = max(top, float(np.nanmax(np.where(np.isfinite(hi), hi, mean))))
    if "observed" in comp["figures"]:
        obs = comp["figures"]["observed"] or {}
    else:  # a comparison.json from before the observed years were stored: the city's own
        city = str(p.get("city") or "")  # the city's display name: its folder in lower case
        obs = observed_levels(city) or observed_levels(city.lower()) or {}
    seen = {int(y): float(v) for y, v in (obs.get("years") or {}).items()}
    if seen:
        ox = np.array(sorted(seen), dtype=float) + 0.5
        oy = np.array([seen[int(y)] for y in sorted(seen)])
        ax.plot(ox, oy, ls="none", marker="D", ms=11, color="black", zorder=4,
                label=tr(lang, "f1_observed"))
        for xv, yv in zip(ox, oy, strict=True):
            ax.annotate(num(yv, lang), (xv, yv), xytext=(0, 10), textcoords="offset points",
                        ha="center", fontsize=12)
        top = max(top, float(oy.max()))
    first = min([p["start_year"], *seen])
    last = p["start_year"] + int(np.ceil(float(p["years"]))) - 1
    ticks = list(range(first, last + 1))
    ax.set_xticks([t + 0.5 for t in ticks], [str(t) for t in ticks],
                  rotation=45 if len(ticks) > 12 else 0)
    ax.set_xlim(first, last + 1)
    ax.set_ylim(0, top * 1.15 or 1)
    ax.set_ylabel(tr(lang, "f1_y"))
    ax.set_xlabel(tr(lang, "f1_x"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    subtitle = tr(lang, "f1_title") + (f" ({tr(lang, 'f1_quarter_note')})" if quarters else "")
    return _finish(fig, comp, lang, "fig1_over_time", subtitle)


def _bars(ax: plt.Axes, comp: dict[str, Any], key: str, labels: list[str], lang: str) -> None:
    rows = [r for r in comp["rows"] if not r["reference"]]
    style = colours(comp)
    n, k = len(labels), max(1, len(rows))
    height = 0.8 / k
    y = np.arange(n)
    for i, row in enumerate(rows):
        a = row["areas"][key]
        mean = np.array([np.nan if v is None else v for v in a["change_pct"]], dtype=float)
        lo = np.array([np.nan if v is None else v for v in a["lo"]], dtype=float)
        hi = np.array([np.nan if v is None else v for v in a["hi"]], dtype=float)
        pos = y - 0.4 + height * (i + 0.5)
        c = style[row["scenario"]][0]
        ax.barh(pos, mean, height=height * 0.9, color=c, label=label(row["scenario"], lang))
        err = np.vstack([np.clip(mean - lo, 0, None), np.clip(hi - mean, 0, None)])
        ax.errorbar(mean, pos, xerr=np.nan_to_num(err), fmt="none", ecolor="#333333",
                    elinewidth=1.2, capsize=2.5)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=1)
    ax.grid(axis="x", alpha=0.3)
    lim = ax.get_xlim()
    # a little room beyond ±100%, so that the end tick's label never sits in the corner
    # under the wijk names
    ax.set_xlim(max(lim[0], -108), min(lim[1], 108))


def fig_change_per_area(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 2: change vs reference per gebied and per wijk, bars with 90% intervals."""
    f = comp["figures"]
    first_row = next(r for r in comp["rows"] if r["reference"])
    g_labels = [f"{g} {f['gebieden'].get(g, '')}".strip()
                for g in first_row["areas"]["gebied"]["labels"]]
    w_labels = [w["name"] for w in f["wijken"]]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(16, 10.5), layout="constrained",
                                   gridspec_kw={"width_ratios": [1, 1.25]})
    _bars(ax1, comp, "gebied", g_labels, lang)
    _bars(ax2, comp, "wijk", w_labels, lang)
    ax1.set_title(tr(lang, "f2_gebied"), loc="left")
    ax2.set_title(tr(lang, "f2_wijk"), loc="left")
    for ax in (ax1, ax2):
        ax.set_xlabel(tr(lang, "f2_x"))
    # above the wijk panel, right-aligned: inside the layout, clear of title and source line
    ax2.legend(*ax1.get_legend_handles_labels(), loc="lower right", bbox_to_anchor=(1, 1.0),
               ncols=min(3, len(comp["rows"])), frameon=False, borderaxespad=0.3)
    return _finish(fig, comp, lang, "fig2_change_per_area",
                   tr(lang, "f2_title", ref=label(comp["reference"], lang)))


def _borders(ax: plt.Axes, wijk: np.ndarray) -> None:
    segs = []
    h, w = wijk.shape
    for r, c in zip(*np.nonzero(wijk[:, :-1] != wijk[:, 1:]), strict=True):
        segs.append([(c + 0.5, r - 0.5), (c + 0.5, r + 0.5)])
    for r, c in zip(*np.nonzero(wijk[:-1, :] != wijk[1:, :]), strict=True):
        segs.append([(c - 0.5, r + 0.5), (c + 0.5, r + 0.5)])
    ax.add_collection(LineCollection(segs, colors="#222222", linewidths=0.8))
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


def fig_maps(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 3: where the burglaries are, per scenario.

    With real wijk outlines (``layout`` "polygons"): choropleth maps of the city, see
    :func:`_outline_maps`. Otherwise (schematic or raster cities, older comparisons): burglary
    density per scenario (top rows) and difference with the reference on the grid; scenarios
    are laid out at most four to a row, under each density map sits its difference with the
    reference (under the reference: the key to the wijk numbers).
    """
    m = comp["figures"]["map"]
    if m.get("layout") == "polygons" and any(_rings(o) for o in m.get("outlines") or []):
        return _outline_maps(comp, lang)
    wijk = np.array(m["wijk_of_cell"])
    dens = {k: np.array(v, dtype=float) for k, v in m["density"].items()}
    ref = comp["reference"]
    names = list(dens)
    chunks = -(-len(names) // 4)
    ncols = -(-len(names) // chunks)
    scale = max(1.0, (4.6 * ncols + 1.8) / 14.5)  # a wide figure gets larger fonts
    with plt.rc_context({k: v * scale for k, v in STYLE.items() if k.endswith("size")}):
        return _maps(comp, lang, dens, wijk, ref, names, chunks, ncols, scale)


def _maps(comp: dict[str, Any], lang: str, dens: dict[str, np.ndarray], wijk: np.ndarray,
          ref: str, names: list[str], chunks: int, ncols: int, scale: float) -> Figure:
    fig, axes = plt.subplots(2 * chunks, ncols, figsize=(4.6 * ncols + 1.8, 7.8 * chunks + 1.3),
                             squeeze=False, layout="constrained")
    fig.get_layout_engine().set(wspace=0.02, hspace=0.04)
    vmax = max(np.nanmax(v) for v in dens.values()) or 1.0
    sig = _significant_wijken(comp)
    # a difference is shown only in wijken whose change interval excludes 0 (else grey)
    diffs = {k: np.where(np.isin(wijk, np.nonzero(sig.get(k, np.zeros(0, bool)))[0]),
                         v - dens[ref], np.nan)
             for k, v in dens.items() if k != ref}
    lim = max([np.nanmax(np.abs(v)) for v in diffs.values()] + [1e-9])
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
    for ax in axes.ravel():
        ax.set_axis_off()
    for i, name in enumerate(names):
        top, bottom = axes[2 * (i // ncols)][i % ncols], axes[2 * (i // ncols) + 1][i % ncols]
        top.set_axis_on()
        im = top.imshow(dens[name], cmap="viridis", vmin=0, vmax=vmax, interpolation="nearest")
        _borders(top, wijk)
        top.set_title(label(name, lang))
        bottom.set_axis_on()
        if name == ref:
            _wijk_key(bottom, wijk, lang, scale)
            continue
        bottom.imshow(np.where(wijk >= 0, 0.0, np.nan), cmap=ListedColormap([GREY]),
                      interpolation="nearest")
        im2 = bottom.imshow(diffs[name], cmap="RdBu_r", norm=norm, interpolation="nearest")
        _borders(bottom, wijk)
        bottom.set_title(f"{label(name, lang)}\n− {label(ref, lang)}")
    for c in range(chunks):
        fig.colorbar(im, ax=axes[2 * c].tolist(), shrink=0.9, aspect=15,
                     label=tr(lang, "f3_density"))
        if diffs:
            fig.colorbar(im2, ax=axes[2 * c + 1].tolist(), shrink=0.9, aspect=15,
                         label=tr(lang, "f3_diff", ref=label(ref, lang)))
    _finish(fig, comp, lang, "fig3_maps", tr(lang, "f3_title", ref=label(ref, lang)), scale)
    points = []
    for i in range(len(comp["figures"]["wijken"])):
        rr, cc = np.nonzero(wijk == i)
        points.append((float(cc.mean()), float(rr.mean())) if rr.size else None)
    _label_maps(fig, points, [str(i + 1) for i in range(len(points))], scale)
    return fig


def _significant_wijken(comp: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per option, which wijken changed demonstrably (90% interval of the change excludes 0)."""
    n = len(comp["figures"]["wijken"])
    out = {}
    for r in comp["rows"]:
        c = r.get("per_wijk_change_per_1000_households") or {}
        mean, lo, hi = (_floats(c.get(k), n) for k in ("mean", "lo", "hi"))
        with np.errstate(invalid="ignore"):
            out[r["scenario"]] = np.isfinite(mean) & ((lo > 0) | (hi < 0))
    return out


def _wijk_key(ax: plt.Axes, wijk: np.ndarray, lang: str, scale: float = 1.0) -> None:
    """The wijk map with each wijk's number (its row in wijken.csv)."""
    ax.imshow(np.where(wijk >= 0, 1.0, np.nan), cmap="Greys", vmin=0, vmax=4)
    _borders(ax, wijk)
    ax.set_label("map:key")
    ax.set_title(tr(lang, "f3_wijken"))


GREY = "#cfcfcf"  # wijken without a demonstrable difference
EDGE = "#333333"
HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


def _floats(values: list | None, n: int) -> np.ndarray:
    """A list from JSON as floats; None (and a missing list) becomes NaN."""
    if values is None:
        return np.full(n, np.nan)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _rings(outline: list) -> list[np.ndarray]:
    """The rings of one wijk as (k, 2) arrays, without a repeated closing vertex."""
    out = []
    for ring in outline or []:
        a = np.asarray(ring, dtype=float).reshape(-1, 2)
        if len(a) > 1 and np.array_equal(a[0], a[-1]):
            a = a[:-1]
        if len(a) >= 3:
            out.append(a)
    return out


def _ring_area(a: np.ndarray) -> float:
    """Signed area (shoelace): positive for counter-clockwise rings."""
    x, y = a[:, 0], a[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _outline_path(rings: list[np.ndarray]) -> MplPath:
    """One compound path of a wijk's rings, filled even-odd.

    matplotlib's renderers (Agg, PDF, SVG) fill with the non-zero winding rule; orienting
    each ring by how deeply it nests in the others (counter-clockwise at even depth,
    clockwise at odd) makes that fill the same as even-odd: holes stay empty and the parts
    of a MultiPolygon are all filled, whatever the ring order in the data.
    """
    verts, codes = [], []
    for i, a in enumerate(rings):
        depth = sum(MplPath(b).contains_point(a[0]) for j, b in enumerate(rings) if j != i)
        if (_ring_area(a) > 0) != (depth % 2 == 0):
            a = a[::-1]
        verts += [*a, a[0]]
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(a) - 1) + [MplPath.CLOSEPOLY]
    return MplPath(np.array(verts), codes)


def _crossings(rings: list[np.ndarray], v: float, axis: int) -> np.ndarray:
    """Sorted positions where the line {coordinate ``axis`` = v} crosses the ring edges."""
    out = []
    o = 1 - axis
    for a in rings:
        b = np.roll(a, -1, axis=0)
        hit = (a[:, axis] > v) != (b[:, axis] > v)
        t = (v - a[hit, axis]) / (b[hit, axis] - a[hit, axis])
        out.append(a[hit, o] + t * (b[hit, o] - a[hit, o]))
    return np.sort(np.concatenate(out)) if out else np.array([])


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    """A point well inside the wijk for its label (inside even for concave shapes).

    Scans a few horizontal lines and takes the middle of the widest inside stretch (even-odd,
    so never in a hole), preferring lines near the middle; then centres it vertically.
    """
    pts = np.concatenate(rings)
    y0, y1 = pts[:, 1].min(), pts[:, 1].max()
    height = (y1 - y0) or 1.0
    best, at = -1.0, (float(pts[:, 0].mean()), float(pts[:, 1].mean()))
    for y in np.linspace(y0, y1, 15)[1:-1]:
        xs = _crossings(rings, y, 1)
        for a, b in zip(xs[::2], xs[1::2], strict=False):
            score = (b - a) * (1 - 0.6 * abs(y - (y0 + y1) / 2) / height)
            if score > best:
                best, at = score, ((a + b) / 2, y)
    ys = _crossings(rings, at[0], 0)
    for a, b in zip(ys[::2], ys[1::2], strict=False):
        if a <= at[1] <= b:
            return at[0], (a + b) / 2
    return at


def _map_labels(wijken: list[dict]) -> list[str]:
    """Short labels on the map: the code's last two digits, else the wijk's number."""
    short = [str(w["code"])[-2:] for w in wijken]
    if all(s.isdigit() for s in short) and len(set(short)) == len(short):
        return short
    return [str(i + 1) for i in range(len(wijken))]


def _map_frame(ax: plt.Axes, bounds: tuple[float, float, float, float],
               paths: list[MplPath | None], scale: float) -> None:
    """Equal aspect, no ticks, a scale bar and a north mark (RD New: metres, north up)."""
    x0, y0, x1, y1 = bounds
    w, h = x1 - x0, y1 - y0
    ax.set_xlim(x0 - 0.03 * w, x1 + 0.03 * w)
    ax.set_ylim(y0 - 0.1 * h, y1 + 0.03 * h)  # room for the scale bar below the city
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)
    length = max([v for v in (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000)
                  if v <= w / 3.5] or [100])
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    ax.add_artist(AnchoredSizeBar(ax.transData, length, label, "lower left", pad=0.3,
                                  borderpad=0.2, sep=4, frameon=False, size_vertical=0.012 * h,
                                  color="black", fontproperties={"size": 12 * scale}))
    (a, b), (c, d) = ax.get_xlim(), ax.get_ylim()
    # the north mark goes in the first corner the city leaves free (else bottom right)
    for fx, fy in ((0.95, 0.86), (0.05, 0.86), (0.95, 0.02)):
        box = Bbox.from_extents(a + (fx - 0.05) * (b - a), c + fy * (d - c),
                                a + (fx + 0.05) * (b - a), c + (fy + 0.13) * (d - c))
        if not any(p.intersects_bbox(box) for p in paths if p is not None):
            break
    ax.annotate("N", xy=(fx, fy + 0.13), xytext=(fx, fy + 0.02), xycoords="axes fraction",
                ha="center", va="center", fontsize=14 * scale, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.6,
                            "mutation_scale": 14 * scale, "shrinkA": 7 * scale, "shrinkB": 0})


def _choropleth(ax: plt.Axes, paths: list[MplPath | None], colours_: list,
                codes: list[str]) -> None:
    """One map: each wijk a patch (gid = its code); labels follow in :func:`_label_maps`."""
    for path, c, code in zip(paths, colours_, codes, strict=True):
        if path is None:
            continue
        nodata = c is None
        ax.add_patch(PathPatch(path, facecolor="white" if nodata else c, edgecolor=EDGE,
                               lw=0.9, hatch="///" if nodata else None, gid=code))


def _label_maps(fig: Figure, points: list, labels: list[str], scale: float) -> None:
    """Each map's wijk labels, once the layout is settled, so that none covers another.

    A label that would cover another moves beside its wijk with a leader line
    (:func:`sim.report.overlap.place_labels`); labels stay out of the layout.
    """
    fig.canvas.draw()
    for ax in fig.axes:
        if str(ax.get_label()).startswith("map:"):
            place_labels(ax, points, labels, 12 * scale, path_effects=HALO, zorder=5,
                         in_layout=False, gid="wijk-label")


def _outline_maps(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 3 on the real wijk outlines.

    Panel 1: the reference's woninginbraken per 1,000 households per year per wijk. Then one
    panel per other scenario: the paired change per wijk, coloured only where its 90%
    interval excludes zero (grey elsewhere), so noise is not shown as an effect.
    """
    f = comp["figures"]
    m, wijken = f["map"], f["wijken"]
    n = len(wijken)
    rings = [_rings(o) for o in m["outlines"]]
    paths = [_outline_path(r) if r else None for r in rings]
    points = [_label_point(r) if r else None for r in rings]
    pts = np.concatenate([a for r in rings for a in r])
    bounds = (*pts.min(axis=0), *pts.max(axis=0))
    rows = [next(r for r in comp["rows"] if r["reference"])]
    rows += [r for r in comp["rows"] if not r["reference"]]
    chunks = -(-len(rows) // 4)
    ncols = -(-len(rows) // chunks)
    labels = _map_labels(wijken)
    key = [f"{lab}  {w['name']}" for lab, w in zip(labels, wijken, strict=True)]  # codes: caption
    aspect = float(np.clip((bounds[3] - bounds[1]) / ((bounds[2] - bounds[0]) or 1), 0.6, 1.6))
    panel_w = 5.4
    # the key column holds its longest line at the figure's font scale (which grows with
    # the width, so settle the two in a few rounds)
    key_chars, scale = max(len(k) for k in key) + 1, 1.0
    for _ in range(3):
        key_w = 0.4 + 0.105 * scale * key_chars
        width = max(13.0, panel_w * ncols + key_w + 0.6)
        scale = max(1.0, width / 14.5)
    height = chunks * (panel_w * aspect * 1.1 + 1.4) + 2.4
    with plt.rc_context({k: v * scale for k, v in STYLE.items() if k.endswith("size")}):
        fig = plt.figure(figsize=(width, height), layout="constrained")
        fig.get_layout_engine().set(wspace=0.03, hspace=0.08)
        gs = fig.add_gridspec(chunks, ncols + 1, width_ratios=[panel_w] * ncols + [key_w])
        axes = [fig.add_subplot(gs[i // ncols, i % ncols], label=f"map:{r['scenario']}")
                for i, r in enumerate(rows)]
        codes = [w["code"] for w in wijken]
        hh = _floats(m.get("households"), n)
        ref = comp["reference"]
        chars = int(0.9 * panel_w * 72 / (13 * scale * 0.6))  # a title line that fits

        def title(*lines: str) -> str:
            return "\n".join(textwrap.fill(t, chars) for t in lines)

        rate = _floats(rows[0].get("per_wijk_per_1000_households"), n)
        seq = plt.get_cmap("YlOrRd")
        norm = Normalize(0, float(np.nanmax(rate)) if np.any(rate > 0) else 1.0)
        _choropleth(axes[0], paths, [seq(norm(v)) if np.isfinite(v) else None for v in rate],
                    codes)
        ok = np.isfinite(rate) & np.isfinite(hh)
        city = (rate[ok] * hh[ok]).sum() / hh[ok].sum() if hh[ok].sum() > 0 else np.nan
        axes[0].set_title(title(f"{label(ref, lang)}{tr(lang, 'reference_tag')}",
                                tr(lang, "f3p_city", v=num(city, lang, 1))), fontsize=13 * scale)
        fig.colorbar(plt.cm.ScalarMappable(norm, seq), ax=axes[0], location="bottom",
                     shrink=0.9, aspect=18, pad=0.01, label=tr(lang, "f3p_rate"))

        changes = {}
        significant = _significant_wijken(comp)
        for r in rows[1:]:
            c = r.get("per_wijk_change_per_1000_households") or {}
            changes[r["scenario"]] = (_floats(c.get("mean"), n), significant[r["scenario"]])
        shown = [abs(v) for mean, sig in changes.values() for v in mean[sig]]
        lim = max(shown or [abs(v) for mean, _ in changes.values() for v in mean
                            if np.isfinite(v)] or [1.0]) or 1.0
        div, dnorm = plt.get_cmap("RdBu_r"), TwoSlopeNorm(0.0, -lim, lim)
        for ax, (name, (mean, sig)) in zip(axes[1:], changes.items(), strict=True):
            cols = [div(dnorm(v)) if s else GREY for v, s in zip(mean, sig, strict=True)]
            _choropleth(ax, paths, cols, codes)
            down, up = int((sig & (mean < 0)).sum()), int((sig & (mean > 0)).sum())
            ax.set_title(title(f"{label(name, lang)} − {label(ref, lang)}",
                               tr(lang, "f3p_counts", down=down, up=up, n=n)),
                         fontsize=13 * scale)
        if changes:
            fig.colorbar(plt.cm.ScalarMappable(dnorm, div), ax=axes[1:], location="bottom",
                         shrink=0.9, aspect=18 * len(changes), pad=0.01,
                         label=tr(lang, "f3p_change"))
        for ax in axes:
            _map_frame(ax, bounds, paths, scale)

        _outline_key(fig.add_subplot(gs[:, -1], label="key"), key, lang, scale,
                     grey=bool(changes), nodata=not np.all(np.isfinite(rate)))
        _finish(fig, comp, lang, "fig3_maps", tr(lang, "f3p_title", ref=ref), scale)
        _fit_key(fig)
        _label_maps(fig, points, labels, scale)
        return fig


def _fit_key(fig: Figure) -> None:
    """Shrink the key beside the maps until it ends above the source line."""
    key = [t for ax in fig.axes if ax.get_label() == "key" for t in ax.texts]
    source = next(t for t in fig.texts if t.get_gid() == "source")
    for _ in range(20):
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        low = min(t.get_window_extent(r).y0 for t in key)
        if low > source.get_window_extent(r).y1 + 0.1 * fig.dpi:
            return
        for t in key:
            t.set_fontsize(t.get_fontsize() * 0.93)


def _outline_key(ax: plt.Axes, key: list[str], lang: str, scale: float, grey: bool,
                 nodata: bool) -> None:
    """Beside the maps: what grey and hatched mean, then the wijk labels with code and name.

    One block of text, so the lines can never run into each other; the grey (and hatched)
    squares are glyphs drawn at the same origin in their own colour.
    """
    ax.set_axis_off()
    ax.set_title(tr(lang, "f3_wijken"), loc="left")
    wrap = max(22, max(len(k) for k in key) - 3)
    pad = "\u2003\u2002"  # room for the square: an em and an en space
    lines: list[str] = []
    marks: list[tuple[str, str]] = []  # (glyph, colour) per line; "" for none
    for show, text, glyph, colour in ((grey, tr(lang, "f3p_grey"), "\u25a0", GREY),
                                      (nodata, tr(lang, "f3p_nodata"), "\u25a8", EDGE)):
        if show:
            part = textwrap.wrap(text, wrap)
            lines += [pad + p for p in part]
            marks += [(glyph, colour)] + [("", "")] * (len(part) - 1)
    if lines:
        lines.append("")
        marks.append(("", ""))
    # Left out of the layout (a tall block would squeeze the maps), so sized to fit the
    # column: the figure's height less about 3.1 in for title, colour bars and source line.
    n = len(lines) + len(key)
    room_pt = max(1.0, ax.figure.get_figheight() - 3.1) * 72
    size = min(12 * scale, room_pt / (1.35 * 1.2 * n))
    style = {"transform": ax.transAxes, "va": "top", "ha": "left", "fontsize": size,
             "linespacing": 1.35, "in_layout": False}
    ax.text(0, 1.0, "\n".join(lines + key), **style)
    for glyph, colour in {m for m in marks if m[0]}:
        ax.text(0, 1.0, "\n".join(g if g == glyph else "" for g, _ in marks), color=colour,
                gid=OVERLAY, **style)


def _iso_lines(ax: plt.Axes, lang: str, cpp: list[float]) -> None:
    """Dotted lines of fixed cost per prevented burglary, each with its amount.

    Lines near the scenarios' own values (a quarter to four times them; all when no
    scenario has a demonstrable effect). Drawn once the layout is settled: a line whose
    label would cover another text (a scenario's name, another line's amount) is left out,
    so every line drawn is labelled and readable (gid "iso" on both).
    """
    (_, x1), (_, y1) = ax.get_xlim(), ax.get_ylim()
    if x1 <= 0 or y1 <= 0:
        return
    lo, hi = (min(cpp) / 4, max(cpp) * 4) if cpp else (0, float("inf"))
    for v in (500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
              1_000_000):
        xe = min(x1, y1 * 1000 / v)  # where the line y = x * v leaves the plot
        ye = xe * v / 1000
        if not lo <= v <= hi or xe < 0.04 * x1 or ye < 0.04 * y1:
            continue
        # the label sits at the line's end: left of it, or right of it when the end is on
        # the top edge close to the left (no room to its left)
        right = ye > 0.99 * y1 and xe < 0.4 * x1
        text = ax.text(xe * (1.02 if right else 0.98), ye * 0.98,
                       tr(lang, "f4_iso", v=eur(v, lang)), fontsize=11, color="#555555",
                       ha="left" if right else "right", va="top", zorder=1, gid="iso",
                       in_layout=False, bbox={"fc": "white", "ec": "none", "alpha": 0.85,
                                              "pad": 1.5})
        if not free_of(text, ax.texts):
            text.remove()
            continue
        ax.plot([0, xe], [0, ye], ls=":", color="#777777", lw=1.3, zorder=0, gid="iso")


#: Where a scenario's name goes beside its point (offset in points, alignment), in order.
_NAME_SPOTS = [((10, 8), "left", "bottom"), ((10, -8), "left", "top"),
               ((-10, 8), "right", "bottom"), ((-10, -8), "right", "top"),
               ((0, 16), "center", "bottom"), ((0, -16), "center", "top")]


def _scenario_names(ax: plt.Axes, comp: dict[str, Any], lang: str) -> None:
    """Each scenario's name beside its point, on the first spot free of the other names."""
    style = colours(comp)
    for row in comp["rows"]:
        c = style[row["scenario"]][0]
        xy = (row["prevented_per_year"], row["cost_eur_per_year"] / 1000)
        for i, (offset, ha, va) in enumerate(_NAME_SPOTS + _NAME_SPOTS[:1]):
            t = ax.annotate(label(row["scenario"], lang), xy, xytext=offset,
                            textcoords="offset points", ha=ha, va=va, fontsize=14, color=c,
                            zorder=5, in_layout=False, gid="scenario",
                            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5})
            if i == len(_NAME_SPOTS) or free_of(t, ax.texts):
                break  # a free spot (or, when none is, the first)
            t.remove()


def fig_cost_vs_prevented(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 4: extra cost per year against prevented burglaries per year."""
    fig, ax = plt.subplots(figsize=(13, 7.8), layout="constrained")
    style = colours(comp)
    xs, ys = [0.0], [0.0]
    for row in comp["rows"]:
        c, _, mk = style[row["scenario"]]
        x, y = row["prevented_per_year"], row["cost_eur_per_year"] / 1000
        lo, hi = (np.nan if v is None else v for v in row["prevented_interval"])
        xerr = None if not np.isfinite(lo) else [[max(0, x - lo)], [max(0, hi - x)]]
        ax.errorbar([x], [y], xerr=xerr, fmt=mk, color=c, ms=12, capsize=5, elinewidth=2)
        xs += [x, hi if np.isfinite(hi) else x, lo if np.isfinite(lo) else x]
        ys.append(y)
    x0, x1 = min(xs), max(xs)
    pad = 0.1 * (x1 - x0 or 1)
    ax.set_xlim(x0 - pad, x1 + 3 * pad)
    ax.set_ylim(0, max(ys) * 1.2 or 1)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(tr(lang, "f4_x"))
    p = comp["provenance"]
    last = p["start_year"] + int(np.ceil(p["years"])) - 1
    ax.set_ylabel(tr(lang, "f4_y", first=p["start_year"], last=last))
    ax.grid(alpha=0.3)
    _finish(fig, comp, lang, "fig4_cost_vs_prevented", tr(lang, "f4_title"))
    fig.canvas.draw()  # names and amounts are placed on the settled layout
    _scenario_names(ax, comp, lang)
    _iso_lines(ax, lang, [r["cost_per_prevented_eur"] for r in comp["rows"]
                          if r["cost_per_prevented_eur"]])
    return fig


def _timeline(ax: plt.Axes, comp: dict[str, Any], rows: list[dict], lang: str,
              last_year: int) -> None:
    """One bar per scenario and programme part: which programme runs when."""
    style = colours(comp)
    labels = []
    for row in rows:
        c = style[row["scenario"]][0]
        for part, (a, b) in row.get("programme_parts", {}).items():
            y = len(labels)
            ax.barh(y, min(b, last_year) - a + 0.9, left=a - 0.45, height=0.75, color=c)
            name = row["scenario"]
            same = part in name or name in part  # "interventieteam · interventieteam"
            shown = label(name, lang)
            labels.append(shown if same else f"{shown} · {tr(lang, 'part_' + part)}")
            ax.text(a - 0.38, y, labels[-1], va="center", ha="left", fontsize=11,
                    color="black" if c in LIGHT else "white", fontweight="bold")
    ax.set_yticks([])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="x", labelbottom=False, length=0)
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.set_title(tr(lang, "f5_programme"), loc="left", fontsize=14)


def fig_persistence(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 5: change vs the reference by year, programme period shaded."""
    rows = [r for r in comp["rows"] if not r["reference"]]
    n_parts = sum(len(r.get("programme_parts", {})) for r in rows)
    fig, (axt, ax) = plt.subplots(
        2, 1, figsize=(13, 8.5 + 0.25 * n_parts), sharex=True, layout="constrained",
        gridspec_kw={"height_ratios": [max(1, n_parts) * 0.45 + 0.4, 5]})
    style = colours(comp)
    years = [b["year"] for b in rows[0]["persistence"]["by_year"]] if rows else []
    span = _programme_span(comp)
    if span:
        ax.axvspan(span[0] - 0.5, span[1] + 0.5, color="#e4e4e4", zorder=0, lw=0,
                   label=tr(lang, "f5_programme"))
    k = max(1, len(rows))
    for i, row in enumerate(rows):
        c, ls, mk = style[row["scenario"]]
        by = row["persistence"]["by_year"]
        x = np.array([b["year"] for b in by], dtype=float) + 0.3 * ((i + 0.5) / k - 0.5)
        y = np.array([np.nan if b["change_pct"] is None else b["change_pct"] for b in by])
        lo = np.array([np.nan if b["interval"][0] is None else b["interval"][0] for b in by])
        hi = np.array([np.nan if b["interval"][1] is None else b["interval"][1] for b in by])
        err = np.nan_to_num(np.vstack([y - lo, hi - y]))
        ax.errorbar(x, y, yerr=err, color=c, ls=ls, marker=mk, ms=9, lw=2.2, capsize=4,
                    label=label(row["scenario"], lang))
    _timeline(axt, comp, rows, lang, max(years) if years else 0)
    ax.axhline(0, color="black", lw=1)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel(tr(lang, "f5_x"))
    ax.set_ylabel(tr(lang, "f5_y", ref=label(comp["reference"], lang)))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _finish(fig, comp, lang, "fig5_persistence", tr(lang, "f5_title"))


def make_figures(comp: dict[str, Any], lang: str = "nl",
                 in_report: bool = False) -> dict[str, Figure]:
    """All five figures, by file stem (see :data:`NAMES`).

    ``in_report``: the source lines refer to the report's appendix for the scenario hashes.
    """
    token = IN_REPORT.set(in_report)
    try:
        return _make_figures(comp, lang)
    finally:
        IN_REPORT.reset(token)


def _make_figures(comp: dict[str, Any], lang: str) -> dict[str, Figure]:
    with plt.rc_context(STYLE):
        figs = (fig_over_time, fig_change_per_area, fig_maps, fig_cost_vs_prevented,
                fig_persistence)
        return {name: f(comp, lang) for name, f in zip(NAMES, figs, strict=True)}


def write_figures(comp: dict[str, Any], folder: str | Path, lang: str = "nl",
                  dpi: int = 150) -> list[Path]:
    """Save the five figures as PNG and SVG into ``folder``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context(STYLE):
        for name, fig in make_figures(comp, lang).items():
            for ext in ("png", "svg"):
                path = folder / f"{name}.{ext}"
                fig.savefig(path, dpi=dpi)
                paths.append(path)
            plt.close(fig)
    return paths
