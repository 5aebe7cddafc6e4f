"""Figures of a sweep's sensitivity analysis, in Dutch or English (PNG).

* **Response heatmap** (a 2-D grid): axes are the two parameters with their units, each
  cell the outcome's mean over the replications, formatted with its unit (euros as
  ``€ 300.000`` / ``€300,000``). A change or a difference (change against the reference,
  prevented burglaries, ``A - B : o``) gets a diverging colour scale centred on zero
  (``vmin = -vmax``); a level a sequential one. A cell without a value shows "–" and a
  note under the axes says why ("leeg: niet gedefinieerd (geen voorkomen inbraken)").
* **Sobol**: S1 and ST per parameter as horizontal bars with their 95% intervals, with a
  note when the estimates are impossible (Sobol S1 below 0 or above ST: too few samples).
* **Morris**: μ* (with its 95% interval) and σ per parameter as horizontal bars, the
  largest :data:`MORRIS_TOP` only, so that every label stands on its own line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis import readable as rd
from sim.analysis.caution import analysis_caution

if TYPE_CHECKING:  # the result type only; sim.analysis.sensitivity imports this module
    Analysis = Any

#: Most parameters a Morris or Sobol figure shows (the largest; a note counts the rest).
MORRIS_TOP = 20

TEXT = {
    "nl": {
        "mean_of": "gemiddelde van {r} replicatie(s)",
        "blank": "leeg (–): niet gedefinieerd ({why})",
        "sobol_title": "Wat bepaalt de spreiding in {o}?",
        "sobol_x": "Sobol-index: aandeel van de variantie van {o} (streepjes: 95%-interval)",
        "s1": "eerste orde (S1): de parameter alleen",
        "st": "totaal (ST): inclusief wisselwerking",
        "sobol_warn": "Let op: S1 < 0 of S1 > ST bij {p}: te weinig steekproeven (n = {n}); "
                      "verhoog --n. Intervallen begrensd op 0–1.",
        "morris_title": "Welke parameters doen ertoe voor {o}?",
        "morris_x": "effect op {o} over het bereik van de parameter{u}",
        "mu_star": "μ*: gemiddeld absoluut effect (streepjes: 95%-interval)",
        "sigma": "σ: spreiding (niet-lineair of wisselwerking)",
        "rest": "{m} andere parameter(s) met μ* ≤ {x} niet getoond",
        "heat_title": "{o}\n{mean}",
    },
    "en": {
        "mean_of": "mean of {r} replication(s)",
        "blank": "blank (–): undefined ({why})",
        "sobol_title": "What drives the spread in {o}?",
        "sobol_x": "Sobol index: share of the variance of {o} (whiskers: 95% interval)",
        "s1": "first order (S1): the parameter alone",
        "st": "total (ST): including interactions",
        "sobol_warn": "Note: S1 < 0 or S1 > ST for {p}: too few samples (n = {n}); raise --n. "
                      "Intervals kept within 0–1.",
        "morris_title": "Which parameters matter for {o}?",
        "morris_x": "effect on {o} over the parameter's range{u}",
        "mu_star": "μ*: mean absolute effect (whiskers: 95% interval)",
        "sigma": "σ: spread (non-linearity or interaction)",
        "rest": "{m} other parameter(s) with μ* ≤ {x} not shown",
        "heat_title": "{o}\n{mean}",
    },
}


def _t(lang: str, key: str, **kw: Any) -> str:
    return TEXT[lang if lang in TEXT else "nl"][key].format(**kw)


def figures(res: Analysis, lang: str = "nl"):  # noqa: ANN201
    """Each figure of ``res`` as (file stem, matplotlib figure), cautions drawn on them."""
    for name, table in res.tables.items():
        if name not in ("sobol", "morris", "grid"):
            continue
        outcomes = table["outcome"].unique() if name != "grid" else [
            c for c in table.columns if c not in table.attrs["parameters"]]
        for outcome in outcomes:
            fig = FIGURES[name](table, outcome, lang, res)
            if fig is None:
                continue
            caution = analysis_caution(res, outcome, lang)
            if caution:
                add_caution(fig, caution)
            yield f"{name}_{_safe(outcome)}", fig


def write_figures(res: Analysis, folder: Path, lang: str = "nl") -> list[Path]:
    """Draw every figure of ``res`` into ``folder``; returns the PNG paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder, paths = Path(folder), []
    for stem, fig in figures(res, lang):
        path = folder / f"{stem}.png"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def add_caution(fig, text: str) -> None:  # noqa: ANN001
    """A red caution line above everything else of the figure (title and legend included).

    The figure is saved with a tight bounding box, so the line widens the picture upwards
    rather than covering anything.
    """
    import textwrap

    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    top = max([t.get_window_extent(r).y1 for ax in fig.axes
               for t in (ax.title, *ax.texts)] +
              [ax.get_legend().get_window_extent(r).y1 for ax in fig.axes if ax.get_legend()] +
              [ax.get_window_extent(r).y1 for ax in fig.axes])
    fig.text(0.01, (top + 6) / fig.bbox.height, textwrap.fill(text, 100), va="bottom",
             ha="left", fontsize=8.5, color="#B00020", fontweight="bold", gid="caution")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def tick_formatter(outcome: str, lang: str, effect: bool = False) -> Any:
    """A matplotlib formatter for an outcome's values (euros, %, %-points, counts)."""
    from matplotlib.ticker import FuncFormatter

    kind = rd.outcome_kind(outcome)

    def fmt(v: float, _pos: Any = None) -> str:
        if kind == "eur":
            return rd.eur(v, lang)
        if kind == "share":
            v *= 100
        text = rd.level(v, lang)
        if kind in ("share", "pct"):
            return text + (" %-punt" if effect and lang == "nl" else " pp" if effect else "%")
        return text

    return FuncFormatter(fmt)


def _param_label(res: Analysis, path: str, lang: str, unit: bool = True) -> str:
    if not unit:
        return rd.parameter_label(path, lang)
    return rd.parameter_text(path, lang, res.parameters.get(path, {}).get("unit", ""))


def diverging_limits(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) for the largest |value| m (1 if there is none): a scale centred on zero."""
    finite = np.abs(values[np.isfinite(values)])
    m = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return -m, m


def fig_heatmap(table: pd.DataFrame, outcome: str, lang: str, res: Analysis):  # noqa: ANN201
    """Outcome per grid point of two parameters (None for other grids)."""
    import matplotlib.pyplot as plt

    params = list(table.attrs["parameters"])
    if len(params) != 2:
        return None
    grid = table.pivot(index=params[0], columns=params[1], values=outcome)
    data = grid.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.25 * grid.shape[1] + 3.0, 0.8 * grid.shape[0] + 2.0))
    if rd.is_change(outcome):
        vmin, vmax = diverging_limits(data)
        good_is_high = outcome.rsplit(":", 1)[-1].strip() == "prevented_per_year"
        cmap = plt.get_cmap("RdBu" if good_is_high else "RdBu_r")
    else:
        finite = data[np.isfinite(data)]
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
        cmap = plt.get_cmap("viridis")
    cmap = cmap.with_extremes(bad="#f2f2f2")
    im = ax.imshow(np.ma.masked_invalid(data), origin="lower", aspect="auto", cmap=cmap,
                   vmin=vmin, vmax=vmax)
    ax.set_xticks(range(grid.shape[1]), [rd.level(v, lang) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [rd.level(v, lang) for v in grid.index])
    ax.set_xlabel(_param_label(res, params[1], lang))
    ax.set_ylabel(_param_label(res, params[0], lang))
    scale = float(np.nanmax(np.abs(data))) if np.isfinite(data).any() else None
    for (i, j), v in np.ndenumerate(data):
        if not np.isfinite(v):
            ax.text(j, i, "–", ha="center", va="center", fontsize=8, color="#555555")
            continue
        r, g, b, _ = im.cmap(im.norm(v))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, rd.value(v, outcome, lang, scale=scale), ha="center", va="center",
                fontsize=7, color="white" if dark else "black")
    bar = fig.colorbar(im, ax=ax, format=tick_formatter(outcome, lang))
    bar.set_label(rd.outcome_text(outcome, lang))
    ax.set_title(_t(lang, "heat_title", o=rd.outcome_label(outcome, lang),
                    mean=_t(lang, "mean_of", r=res.replications)), fontsize=10)
    if not np.isfinite(data).all():
        _note(ax, _t(lang, "blank", why=rd.undefined_reason(outcome, lang)), "blank-note")
    return fig


def _barh_layout(plt, n: int):  # noqa: ANN001, ANN202
    return plt.subplots(figsize=(8.5, 0.42 * n + 2.2))


def _legend_and_title(ax, title: str) -> None:  # noqa: ANN001
    """The title, and the legend between title and axes (never over bars or notes)."""
    ax.set_title(title, fontsize=10, pad=26)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8,
              frameon=False, borderaxespad=0.2)


def _note(ax, text: str, gid: str, color: str = "#333333") -> None:  # noqa: ANN001
    """A note under the x-axis label, left-aligned with the axes (wrapped)."""
    import textwrap

    ax.annotate(textwrap.fill(text, 95), (0, 0), xycoords="axes fraction", xytext=(0, -44),
                textcoords="offset points", va="top", ha="left", fontsize=8, color=color,
                gid=gid)


def _clipped_err(values: pd.Series, conf: pd.Series, low: float,
                 high: float | None = None) -> np.ndarray:
    """Error bars of ``values ± conf`` kept within [low, high] (a quantity's own range)."""
    v, c = values.to_numpy(float), conf.fillna(0).to_numpy(float)
    lo = np.clip(v - c, low, high)
    hi = np.clip(v + c, low, high)
    return np.vstack([np.maximum(v - lo, 0), np.maximum(hi - v, 0)])


def fig_sobol(table: pd.DataFrame, outcome: str, lang: str, res: Analysis):  # noqa: ANN201
    """Sobol S1 and ST per parameter with 95% intervals (kept within 0–1)."""
    import matplotlib.pyplot as plt

    t = table[table["outcome"] == outcome].nlargest(MORRIS_TOP, "ST").sort_values("ST")
    fig, ax = _barh_layout(plt, len(t))
    pos = np.arange(len(t))
    ax.barh(pos + 0.2, t["ST"], 0.4, xerr=_clipped_err(t["ST"], t["ST_conf"], 0, 1),
            label=_t(lang, "st"), capsize=3, color="#0072B2")
    ax.barh(pos - 0.2, t["S1"], 0.4, xerr=_clipped_err(t["S1"], t["S1_conf"], 0, 1),
            label=_t(lang, "s1"), capsize=3, color="#E69F00")
    ax.set_yticks(pos, [_param_label(res, p, lang, unit=False) for p in t["parameter"]],
                  fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    bars = np.concatenate([t["S1"].to_numpy(float), t["ST"].to_numpy(float)])
    bars = bars[np.isfinite(bars)]
    low = max(-1.0, min(0.0, float(bars.min()) if bars.size else 0.0)) - 0.05
    high = min(2.0, max(1.0, float(bars.max()) if bars.size else 1.0)) + 0.05
    ax.set_xlim(low, high)
    ax.xaxis.set_major_formatter(_index_formatter(lang))
    o = rd.outcome_label(outcome, lang)
    ax.set_xlabel(_t(lang, "sobol_x", o=o))
    _legend_and_title(ax, _t(lang, "sobol_title", o=o))
    warn = next((w for w in res.warnings if w["outcome"] == outcome), None)
    if warn:
        names = list(dict.fromkeys(rd.parameter_label(p, lang)
                                   for p in [*warn["negative"], *warn["above_total"]]))
        shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
        _note(ax, _t(lang, "sobol_warn", p=shown, n=warn["n"]), "sobol-warning", "#B00020")
    return fig


def _index_formatter(lang: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos=None: rd.num(v, lang, 1))


def fig_morris(table: pd.DataFrame, outcome: str, lang: str, res: Analysis):  # noqa: ANN201
    """μ* (with its interval, never below 0) and σ per parameter: the largest only."""
    import matplotlib.pyplot as plt

    part = table[table["outcome"] == outcome]
    t = part.nlargest(MORRIS_TOP, "mu_star").sort_values("mu_star")
    fig, ax = _barh_layout(plt, len(t))
    pos = np.arange(len(t))
    ax.barh(pos + 0.2, t["mu_star"], 0.4, xerr=_clipped_err(t["mu_star"], t["mu_star_conf"], 0),
            capsize=3, label=_t(lang, "mu_star"), color="#0072B2")
    ax.barh(pos - 0.2, t["sigma"], 0.4, label=_t(lang, "sigma"), color="#999999")
    ax.set_yticks(pos, [_param_label(res, p, lang, unit=False) for p in t["parameter"]],
                  fontsize=8)
    ax.set_xlim(left=0)
    ax.xaxis.set_major_formatter(tick_formatter(outcome, lang, effect=True))
    o = rd.outcome_label(outcome, lang)
    unit = rd.outcome_unit(outcome, lang, effect=True)  # counts say "per year" already
    show = unit and rd.outcome_kind(outcome) != "count"
    ax.set_xlabel(_t(lang, "morris_x", o=o, u=f" ({unit})" if show else ""))
    _legend_and_title(ax, _t(lang, "morris_title", o=o))
    rest = len(part) - len(t)
    if rest > 0:
        _note(ax, _t(lang, "rest", m=rest, x=rd.value(float(t["mu_star"].min()), outcome, lang,
                                                    effect=True)), "morris-rest")
    return fig


FIGURES = {"sobol": fig_sobol, "morris": fig_morris, "grid": fig_heatmap}
