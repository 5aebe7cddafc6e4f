"""Report section "Als er een inbraakgolf komt": the wave's cost and recovery per option.

Added by the report builder when the comparison was made with ``sim compare ... --shock``
(``comparison.json`` holds ``shock``, see :mod:`sim.analysis.compare.shock`): a paragraph, a table
of the extra burglaries the wave causes and the weeks until its excess halves, per option,
and a figure of weekly burglaries with and without each option during the wave.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.report.document import Block
from sim.report.text import label, num

#: Weeks before the wave's start shown in the figure.
LEAD_WEEKS = 8

TEXT = {
    "nl": {
        "h": "Als er een inbraakgolf komt",
        "intro": ("Wat als een nieuwe inbraakmethode, zoals cilindertrekken in Amersfoort in "
                  "2018, de gemeente bereikt? Vanaf {start} verspreidt de methode zich onder "
                  "inbrekers; woningen met kwetsbare cilinders worden vaker met succes "
                  "opengebroken. De gemeente reageert zoals Amersfoort (brieven rond hotspots, "
                  "buurttenten, extra toezicht). Elke optie is doorgerekend met en zonder deze "
                  "golf, met dezelfde toevalsgetallen. De tabel geeft de extra inbraken door de "
                  "golf over de hele periode en het aantal weken tot de extra inbraken, als deel "
                  "van het aantal zonder golf en over een half jaar gemiddeld, na hun "
                  "hoogtepunt gehalveerd zijn; 'minder dan zonder optie' vergelijkt met "
                  "dezelfde golf bij {ref}."),
        "head": ["optie", "extra inbraken door de golf", "minder dan zonder optie",
                 "weken tot de helft"],
        "never": "niet binnen de periode",
        "fig": ("Inbraken per week tijdens de golf (gemiddelde over de herhalingen, "
                "4-wekelijks gemiddeld): per optie met de golf (doorgetrokken), zonder golf "
                "(stippel) en dezelfde golf bij {ref} (grijs). Week 0 is de start van de golf."),
        "alt": "Wekelijkse inbraken met en zonder elke optie tijdens de inbraakgolf.",
        "x": "weken na de start van de golf", "y": "inbraken per week",
        "with": "met golf", "without": "zonder golf", "ref": "golf bij {ref}",
    },
    "en": {
        "h": "If a burglary wave comes",
        "intro": ("What if a new burglary method, like cylinder pulling in Amersfoort in 2018, "
                  "reaches the gemeente? From {start} the method spreads among burglars; homes "
                  "with vulnerable cylinders are opened more often. The gemeente answers as "
                  "Amersfoort did (letters around hot spots, information tents, extra "
                  "surveillance). Every option ran with and without this wave, with the same "
                  "random numbers. The table gives the extra burglaries the wave causes over the "
                  "whole period and the weeks until the excess, as a share of the count "
                  "without the wave and averaged over half a year, has halved after its peak; "
                  "'fewer than "
                  "without the option' compares with the same wave under {ref}."),
        "head": ["option", "extra burglaries from the wave", "fewer than without the option",
                 "weeks to half"],
        "never": "not within the period",
        "fig": ("Burglaries per week during the wave (mean over replications, 4-week moving "
                "average): per option with the wave (solid), without it (dotted) and the same "
                "wave under {ref} (grey). Week 0 is the wave's start."),
        "alt": "Weekly burglaries with and without each option during the burglary wave.",
        "x": "weeks after the wave's start", "y": "burglaries per week",
        "with": "with wave", "without": "without wave", "ref": "wave under {ref}",
    },
}


def _iv(v: float | None, iv: list | None, lang: str) -> str:
    if v is None:
        return "–"
    text = num(v, lang)
    if iv and None not in iv:
        text += f" ({num(iv[0], lang)} – {num(iv[1], lang)})"
    return text


def _smooth(x: list[float], k: int = 4) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return np.convolve(a, np.ones(k) / k, mode="full")[:a.size]


def shock_figure(shock: dict[str, Any], lang: str) -> Any:
    """Weekly burglaries with and without each option around the wave (one panel each)."""
    import matplotlib.pyplot as plt

    t = TEXT[lang]
    opts = shock["options"]
    ref = opts[0]
    s0 = max(0, shock["start_week"] - LEAD_WEEKS)
    fig, axes = plt.subplots(1, len(opts), figsize=(3.2 * len(opts), 2.8), sharey=True,
                             squeeze=False)
    for ax, o in zip(axes[0], opts, strict=True):
        weeks = np.arange(len(o["weekly_with_shock"]))[s0:] - shock["start_week"]
        if o is not ref:
            ax.plot(weeks, _smooth(ref["weekly_with_shock"])[s0:], color="0.65", lw=1.2,
                    label=t["ref"].format(ref=label(ref["scenario"], lang)))
        ax.plot(weeks, _smooth(o["weekly_with_shock"])[s0:], color="C3", lw=1.5,
                label=t["with"])
        ax.plot(weeks, _smooth(o["weekly_without_shock"])[s0:], color="C0", lw=1.2, ls=":",
                label=t["without"])
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_title(label(o["scenario"], lang), fontsize=9)
        ax.set_xlabel(t["x"], fontsize=8)
        ax.legend(fontsize=7, frameon=False)
    axes[0][0].set_ylabel(t["y"], fontsize=8)
    fig.tight_layout()
    return fig


def shock_section(comp: dict[str, Any], lang: str) -> tuple[list[Block], dict[str, Any]]:
    """The section's blocks and its figure (``fig_shock``)."""
    shock = comp["shock"]
    t = TEXT[lang]
    ref = label(shock["reference"], lang)
    rows = []
    for o in shock["options"]:
        weeks = o["half_recovery_weeks"]
        rows.append([label(o["scenario"], lang),
                     _iv(o["excess_burglaries"], o["excess_interval"], lang),
                     _iv(o["fewer_than_reference"], o["fewer_interval"], lang),
                     t["never"] if weeks is None else str(weeks)])
    blocks = [Block("h1", t["h"]),
              Block("p", t["intro"].format(start=shock["start"], ref=ref)),
              Block("table", header=list(t["head"]), items=rows, widths=[1.6, 1.8, 1.8, 1.2]),
              Block("figure", text=t["fig"].format(ref=ref), key="fig_shock", alt=t["alt"])]
    return blocks, {"fig_shock": shock_figure(shock, lang)}


def add_section(doc: list[Block], figures: dict[str, Any], comp: dict[str, Any], lang: str,
                before: str | None = None) -> tuple[list[Block], dict[str, Any]]:
    """Insert the section before the h1 titled ``before`` (else at the end)."""
    blocks, figs = shock_section(comp, lang)
    at = next((i for i, b in enumerate(doc) if b.kind == "h1" and b.text == before), len(doc))
    return doc[:at] + blocks + doc[at:], {**figures, **figs}
