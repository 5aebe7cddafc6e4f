"""Displacement in plain words for the main text, and the researchers' measures appendix.

The main table says in words (and a share) whether burglary moves to the neighbouring
wijken; the weighted displacement quotient (WDQ) and the coefficient of variation (CV)
themselves, with their intervals and a one-line explanation each, go to appendix A.
"""

from __future__ import annotations

from typing import Any

from sim.report.document import Block
from sim.report.text import interval, label, num, tr

WORDS = {
    "nl": {"none": "niet te bepalen: de wijken met de meeste inbraken dalen niet aantoonbaar",
           "diffusion": "buurwijken profiteren mee: daar daalt inbraak met ongeveer {share}% "
                        "van de daling in de wijken met de meeste inbraken",
           "displacement": "verplaatsing: in de buurwijken stijgt inbraak met ongeveer "
                           "{share}% van de daling in de wijken met de meeste inbraken",
           "nothing": "geen verplaatsing en geen meeprofiteren (0%)",
           "unsure": " (niet aantoonbaar: het interval bevat 0)"},
    "en": {"none": "cannot be told: the hotspot wijken do not demonstrably fall",
           "diffusion": "neighbours benefit: burglary there falls by about {share}% of the "
                        "fall in the hotspot wijken",
           "displacement": "displacement: burglary in the neighbouring wijken rises by about "
                           "{share}% of the fall in the hotspot wijken",
           "nothing": "no displacement and no diffusion (0%)",
           "unsure": " (not demonstrable: the interval includes 0)"},
}


def displacement_text(row: dict[str, Any], lang: str) -> str:
    """'verplaatsing: in de buurwijken stijgt inbraak met ongeveer 20% van ...' from the WDQ."""
    w = row.get("wdq")
    if w is None:
        return WORDS[lang]["none"]
    share = num(abs(100 * w), lang, 0)
    text = WORDS[lang]["nothing" if share == "0" else "diffusion" if w > 0 else
                       "displacement"].format(share=share)
    lo, hi = row.get("wdq_interval") or (None, None)
    if lo is not None and hi is not None and lo <= 0 <= hi and share != "0":
        text += WORDS[lang]["unsure"]
    return text


def measures_blocks(comp: dict[str, Any], lang: str) -> list[Block]:
    """Appendix A: WDQ and CV per scenario with their intervals, and what each means."""
    rows = []
    for r in comp["rows"]:
        wdq = "–" if r["wdq"] is None else num(r["wdq"], lang, 2)
        if r["wdq"] is not None and (r.get("wdq_interval") or [None])[0] is not None:
            wdq += "\n" + interval(*r["wdq_interval"], lang, "num", 2)
        cv = num(r["spread_cv"], lang, 2)
        if r.get("spread_cv_interval") and r["spread_cv_interval"][0] is not None:
            cv += "\n" + interval(*r["spread_cv_interval"], lang, "num", 2)
        rows.append([label(r["scenario"], lang), wdq, cv])
    return [Block("h1", tr(lang, "h_measures")), Block("p", tr(lang, "measures_intro")),
            Block("table", header=[tr(lang, "t_scenario"), tr(lang, "t_wdq"),
                                   tr(lang, "t_spread")], items=rows, widths=[1.6, 1.6, 1.6])]
