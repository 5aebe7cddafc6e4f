"""The history figure: the police record against the simulated band, team and lockdowns shaded.

:func:`history_figure` draws it from a :class:`~sim.analysis.history.run.HistoryResult` (or
its JSON record), so ``sim history`` and the council report draw the same figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TEXT = {
    "nl": {"title": "Woninginbraken in {city}: politieregistratie en model",
           "y": "woninginbraken per jaar (incl. pogingen)",
           "observed": "geregistreerd (CBS/Politie 47018NED)",
           "band": "model: 90%-band", "mean": "model: gemiddelde",
           "team": "inbrakenteam", "lockdown": "lockdown",
           "coverage": "{inside} van {n} jaren binnen de band",
           "outside": "geregistreerd, buiten de band"},
    "en": {"title": "Residential burglary in {city}: police record and model",
           "y": "burglaries per year (attempts included)",
           "observed": "registered (CBS/Politie 47018NED)",
           "band": "model: 90% band", "mean": "model: mean",
           "team": "burglary team", "lockdown": "lockdown",
           "coverage": "{inside} of {n} years inside the band",
           "outside": "registered, outside the band"},
}


def history_figure(result: Any, path: str | Path, *, lang: str = "nl",
                   title: str | None = None) -> Path:
    """Write the history figure (PNG) and return its path.

    ``result``: a ``HistoryResult`` or its ``record()`` dict (``sim history --json``). Shows
    the observed counts as points, the simulated mean and 90% band, the programmes that ran
    and the lockdowns as shaded periods, and the share of years inside the band.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rec = result.record() if hasattr(result, "record") else result
    t = TEXT.get(lang, TEXT["nl"])
    rows = rec["years"]
    years = [r["year"] for r in rows]
    x = [y + 0.5 for y in years]  # a year's count sits in the middle of the year
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=150)
    for i, p in enumerate(rec.get("programmes", [])):
        ax.axvspan(p["start"], p["end"], color="#f2c14e", alpha=0.35, lw=0,
                   label=t["team"] if i == 0 else None)
    for i, lock in enumerate(rec.get("lockdowns", [])):
        ax.axvspan(lock["start"], lock["end"], color="#9aa5b1", alpha=0.35, lw=0,
                   label=t["lockdown"] if i == 0 else None)
    ax.fill_between(x, [r["low"] for r in rows], [r["high"] for r in rows],
                    color="#4c78a8", alpha=0.25, lw=0, label=t["band"])
    ax.plot(x, [r["simulated"] for r in rows], color="#4c78a8", lw=1.5, label=t["mean"])
    obs = [(xx, r["observed"], r["inside"]) for xx, r in zip(x, rows, strict=True)
           if r["observed"] is not None]
    for inside, color, label in ((True, "#222222", t["observed"]),
                                 (False, "#d62728", t["outside"])):
        pts = [o for o in obs if bool(o[2]) == inside]
        if pts:
            ax.scatter([o[0] for o in pts], [o[1] for o in pts], zorder=3, s=22, c=color,
                       label=label)
    n = len(obs)
    inside = sum(1 for o in obs if o[2])
    ax.set_title(title or t["title"].format(city=str(rec["city"]).capitalize()), fontsize=10)
    ax.set_ylabel(t["y"], fontsize=8)
    ax.set_xlim(min(years), max(years) + 1)
    ax.set_ylim(0, None)
    ax.set_xticks([y + 0.5 for y in years], [str(y) for y in years], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xticks(range(min(years), max(years) + 2), minor=True)  # year boundaries
    ax.tick_params(axis="x", which="minor", length=6)
    ax.tick_params(axis="x", which="major", length=0)
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.grid(axis="x", which="minor", color="#eeeeee", lw=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    if n:
        ax.text(0.99, 0.97, t["coverage"].format(inside=inside, n=n), transform=ax.transAxes,
                ha="right", va="top", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="lower left", ncol=2)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
