"""The five comparison figures, drawn from a comparison (``comparison.json``).

Made to be projected in a council room: large fonts, labelled axes with units, the
Okabe-Ito colour-blind-safe palette (plus line styles and markers, so print in grey works),
and a source line with the scenario hashes. :func:`make_figures` returns matplotlib
figures; :func:`write_figures` saves each as PNG and SVG (SVG text stays text).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt  # headless machines fall back to the Agg backend by themselves
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from sim.report.text import num, tr

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
REFERENCE_COLOUR = "#000000"
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
LIGHT = {"#CC79A7", "#E69F00", "#56B4E9"}  # colours that need dark text on them
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1))]
MARKERS = ["o", "s", "D", "^", "v", "P"]
STYLE = {"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15, "xtick.labelsize": 13,
         "ytick.labelsize": 13, "legend.fontsize": 13, "figure.titlesize": 19,
         "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none"}
NAMES = ("fig1_per_month", "fig2_change_per_area", "fig3_maps", "fig4_cost_vs_prevented",
         "fig5_persistence")


def colours(comp: dict[str, Any]) -> dict[str, tuple[str, Any, str]]:
    """Scenario -> (colour, line style, marker); the reference is black and solid."""
    out = {}
    for i, row in enumerate(r for r in comp["rows"] if not r["reference"]):
        j = i % len(PALETTE)
        out[row["scenario"]] = (PALETTE[j], LINESTYLES[j], MARKERS[j])
    out[comp["reference"]] = (REFERENCE_COLOUR, "-", "o")
    return out


def source_line(comp: dict[str, Any], lang: str) -> str:
    """The source line printed under every figure."""
    p = comp["provenance"]
    hashes = ", ".join(f"{k} {v['hash']}" for k, v in p["scenarios"].items())
    return tr(lang, "source", version=p["package_version"], reps=p["replications"],
              years=num(p["years"], lang, 2 if p["years"] % 1 else 0), start=p["start_year"],
              seed=p["master_seed"], hashes=hashes)


def _finish(fig: Figure, comp: dict[str, Any], lang: str, title: str,
            scale: float = 1.0) -> Figure:
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=19 * scale)
    size = 10 * scale
    width = int(fig.get_figwidth() * 72 / (size * 0.56))  # characters that fit
    text = "\n".join(textwrap.wrap(source_line(comp, lang), width))
    fig.text(0.01, 0.006, text, fontsize=size, color="#444444", va="bottom")
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


def fig_per_month(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 1: woninginbraken per month, one line per scenario, 90% bands."""
    fig, ax = plt.subplots(figsize=(13, 7.2))
    dates = [dt.date(int(m[:4]), int(m[5:]), 15) for m in comp["figures"]["months"]]
    span = _programme_span(comp)
    if span:
        ax.axvspan(dt.date(span[0], 1, 1), min(dt.date(span[1] + 1, 1, 1), dates[-1]),
                   color="#ebebeb", zorder=0, lw=0)
    style = colours(comp)
    for name, series in comp["figures"]["monthly"].items():
        c, ls, mk = style[name]
        mean = np.array(series["mean"], dtype=float)
        lo = np.array([np.nan if v is None else v for v in series["lo"]], dtype=float)
        hi = np.array([np.nan if v is None else v for v in series["hi"]], dtype=float)
        ax.fill_between(dates, lo, hi, color=c, alpha=0.12, lw=0)
        ax.plot(dates, mean, color=c, ls=ls, lw=2.5 if name == comp["reference"] else 2.2,
                label=name)
    ax.set_ylabel(tr(lang, "f1_y"))
    ax.set_xlabel(tr(lang, "f1_x"))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=min(4, len(style)),
              frameon=False, borderaxespad=0.2)
    fig.tight_layout(rect=(0, 0.04, 1, 0.93))
    return _finish(fig, comp, lang, tr(lang, "f1_title"))


def _bars(ax: plt.Axes, comp: dict[str, Any], key: str, labels: list[str]) -> None:
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
        ax.barh(pos, mean, height=height * 0.9, color=c, label=row["scenario"])
        err = np.vstack([np.clip(mean - lo, 0, None), np.clip(hi - mean, 0, None)])
        ax.errorbar(mean, pos, xerr=np.nan_to_num(err), fmt="none", ecolor="#333333",
                    elinewidth=1.2, capsize=2.5)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=1)
    ax.grid(axis="x", alpha=0.3)
    lim = ax.get_xlim()
    ax.set_xlim(max(lim[0], -100), min(lim[1], 100))


def fig_change_per_area(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 2: change vs reference per gebied and per wijk, bars with 90% intervals."""
    f = comp["figures"]
    first_row = next(r for r in comp["rows"] if r["reference"])
    g_labels = [f"{g} {f['gebieden'].get(g, '')}".strip()
                for g in first_row["areas"]["gebied"]["labels"]]
    w_labels = [w["name"] for w in f["wijken"]]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(16, 10.5), layout="constrained",
                                   gridspec_kw={"width_ratios": [1, 1.25]})
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.94))
    _bars(ax1, comp, "gebied", g_labels)
    _bars(ax2, comp, "wijk", w_labels)
    ax1.set_title(tr(lang, "f2_gebied"), loc="left")
    ax2.set_title(tr(lang, "f2_wijk"), loc="left")
    for ax in (ax1, ax2):
        ax.set_xlabel(tr(lang, "f2_x"))
    fig.legend(*ax1.get_legend_handles_labels(), loc="outside lower center",
               ncols=min(4, len(comp["rows"])), frameon=False)
    return _finish(fig, comp, lang, tr(lang, "f2_title", ref=comp["reference"]))


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
    """Figure 3: burglary density per scenario (top rows) and difference with the reference.

    Scenarios are laid out at most four to a row; under each density map sits its
    difference with the reference (under the reference: the key to the wijk numbers).
    """
    m = comp["figures"]["map"]
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
    fig.get_layout_engine().set(rect=(0, 0.035, 1, 0.93), wspace=0.02, hspace=0.04)
    vmax = max(np.nanmax(v) for v in dens.values()) or 1.0
    diffs = {k: v - dens[ref] for k, v in dens.items() if k != ref}
    lim = max([np.nanmax(np.abs(v)) for v in diffs.values()] + [1e-9])
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
    for ax in axes.ravel():
        ax.set_axis_off()
    for i, name in enumerate(names):
        top, bottom = axes[2 * (i // ncols)][i % ncols], axes[2 * (i // ncols) + 1][i % ncols]
        top.set_axis_on()
        im = top.imshow(dens[name], cmap="viridis", vmin=0, vmax=vmax, interpolation="nearest")
        _borders(top, wijk)
        top.set_title(name)
        bottom.set_axis_on()
        if name == ref:
            _wijk_key(bottom, wijk, lang, scale)
            continue
        im2 = bottom.imshow(diffs[name], cmap="RdBu_r", norm=norm, interpolation="nearest")
        _borders(bottom, wijk)
        bottom.set_title(f"{name}\n− {ref}")
    for c in range(chunks):
        fig.colorbar(im, ax=axes[2 * c].tolist(), shrink=0.9, aspect=15,
                     label=tr(lang, "f3_density"))
        if diffs:
            fig.colorbar(im2, ax=axes[2 * c + 1].tolist(), shrink=0.9, aspect=15,
                         label=tr(lang, "f3_diff", ref=ref))
    return _finish(fig, comp, lang, tr(lang, "f3_title", ref=ref), scale)


def _wijk_key(ax: plt.Axes, wijk: np.ndarray, lang: str, scale: float = 1.0) -> None:
    """The wijk map with each wijk's number (its row in wijken.csv)."""
    ax.imshow(np.where(wijk >= 0, 1.0, np.nan), cmap="Greys", vmin=0, vmax=4)
    _borders(ax, wijk)
    for i in range(int(wijk.max()) + 1):
        rr, cc = np.nonzero(wijk == i)
        if rr.size:
            ax.text(cc.mean(), rr.mean(), str(i + 1), ha="center", va="center",
                    fontsize=13 * scale)
    ax.set_title(tr(lang, "f3_wijken"))


def _iso_lines(ax: plt.Axes, lang: str, cpp: list[float]) -> None:
    """Dotted lines of fixed cost per prevented burglary near the scenarios' own values."""
    (_, x1), (_, y1) = ax.get_xlim(), ax.get_ylim()
    if x1 <= 0 or y1 <= 0:
        return
    lo, hi = (min(cpp) / 4, max(cpp) * 4) if cpp else (0, float("inf"))
    placed: list[tuple[float, float]] = []
    for v in (500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
              1_000_000):
        xe = min(x1, y1 * 1000 / v)  # where the line y = x * v leaves the plot
        ye = xe * v / 1000
        if not lo <= v <= hi or xe < 0.04 * x1 or ye < 0.04 * y1:
            continue
        ax.plot([0, xe], [0, ye], ls=":", color="#777777", lw=1.3, zorder=0)
        on_top = ye > 0.99 * y1
        if on_top and xe < 0.4 * x1:  # no room for the label left of the line's end
            continue
        if any(abs(xe - a) < 0.3 * x1 and abs(ye - b) < 0.08 * y1 for a, b in placed):
            continue
        placed.append((xe, ye))
        ax.text(xe * 0.98, ye * 0.98, tr(lang, "f4_iso", v=num(v, lang)), fontsize=11,
                color="#555555", ha="right", va="top", zorder=1,
                bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5})


def fig_cost_vs_prevented(comp: dict[str, Any], lang: str) -> Figure:
    """Figure 4: extra cost per year against prevented burglaries per year."""
    fig, ax = plt.subplots(figsize=(13, 7.8))
    style = colours(comp)
    xs, ys = [0.0], [0.0]
    for row in comp["rows"]:
        c, _, mk = style[row["scenario"]]
        x, y = row["prevented_per_year"], row["cost_eur_per_year"] / 1000
        lo, hi = (np.nan if v is None else v for v in row["prevented_interval"])
        xerr = None if not np.isfinite(lo) else [[max(0, x - lo)], [max(0, hi - x)]]
        ax.errorbar([x], [y], xerr=xerr, fmt=mk, color=c, ms=12, capsize=5, elinewidth=2)
        ax.annotate(row["scenario"], (x, y), xytext=(10, 8), textcoords="offset points",
                    fontsize=14, color=c, zorder=5,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5})
        xs += [x, hi if np.isfinite(hi) else x, lo if np.isfinite(lo) else x]
        ys.append(y)
    x0, x1 = min(xs), max(xs)
    pad = 0.1 * (x1 - x0 or 1)
    ax.set_xlim(x0 - pad, x1 + 3 * pad)
    ax.set_ylim(0, max(ys) * 1.2 or 1)
    _iso_lines(ax, lang, [r["cost_per_prevented_eur"] for r in comp["rows"]
                          if r["cost_per_prevented_eur"]])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(tr(lang, "f4_x"))
    p = comp["provenance"]
    last = p["start_year"] + int(np.ceil(p["years"])) - 1
    ax.set_ylabel(tr(lang, "f4_y", first=p["start_year"], last=last))
    ax.grid(alpha=0.3)
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return _finish(fig, comp, lang, tr(lang, "f4_title"))


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
            labels.append(name if same else f"{name} · {tr(lang, 'part_' + part)}")
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
    fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.93))
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
                    label=row["scenario"])
    _timeline(axt, comp, rows, lang, max(years) if years else 0)
    ax.axhline(0, color="black", lw=1)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel(tr(lang, "f5_x"))
    ax.set_ylabel(tr(lang, "f5_y", ref=comp["reference"]))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _finish(fig, comp, lang, tr(lang, "f5_title"))


def make_figures(comp: dict[str, Any], lang: str = "nl") -> dict[str, Figure]:
    """All five figures, by file stem (see :data:`NAMES`)."""
    with plt.rc_context(STYLE):
        figs = (fig_per_month, fig_change_per_area, fig_maps, fig_cost_vs_prevented,
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
