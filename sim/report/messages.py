"""One sentence per figure that states what it shows: its title, and its alt text in HTML.

A council member should get a figure's point in five seconds, so each figure's title is a
message computed from the comparison ("wijkregisseur: aantoonbaar minder inbraken in 3 van
de 4 gebieden"), not a label ("Verandering per gebied"). An effect is called demonstrable
only when its 90% interval excludes zero, the same rule as the key table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.report.text import eur, label, num, pct

MESSAGES: dict[str, dict[str, str]] = {
    "nl": {
        "m1_best": "Bij {ref} rond {level} woninginbraken per jaar; {best} geeft aantoonbaar "
                   "minder ({pct})",
        "m1_none": "Rond {level} woninginbraken per jaar; geen optie geeft aantoonbaar minder "
                   "dan {ref}",
        "m2_best": "{best}: aantoonbaar minder inbraken in {k} van de {n} gebieden",
        "m2_none": "In geen enkel gebied aantoonbaar minder inbraken dan bij {ref}",
        "m3_best": "Meeste inbraken per huishouden in {wijk}; {best} geeft in {k} van de {n} "
                   "wijken aantoonbaar minder",
        "m3_none": "Meeste inbraken per huishouden in {wijk}; geen optie geeft in een wijk "
                   "aantoonbaar minder",
        "m4_best": "{best} heeft de laagste kosten per voorkomen inbraak: {cpp}",
        "m4_none": "Geen optie voorkomt aantoonbaar inbraken: kosten per voorkomen inbraak "
                   "zijn niet te geven",
        "m5_lasts": "Na afloop ({years}) nog aantoonbaar minder inbraken: {names}",
        "m5_fades": "Het effect van {names} is na afloop ({years}) niet meer aantoonbaar",
        "m5_none": "Geen optie geeft in enig jaar aantoonbaar minder inbraken",
        "m5_short": "De berekening eindigt voor het einde van de programma's: of het effect "
                    "standhoudt, is hier niet te zien",
        "and": " en ",
    },
    "en": {
        "m1_best": "About {level} burglaries a year with {ref}; {best} gives demonstrably "
                   "fewer ({pct})",
        "m1_none": "About {level} burglaries a year; no option gives demonstrably fewer than "
                   "{ref}",
        "m2_best": "{best}: demonstrably fewer burglaries in {k} of the {n} areas",
        "m2_none": "In no area demonstrably fewer burglaries than with {ref}",
        "m3_best": "Most burglaries per household in {wijk}; {best} gives demonstrably fewer "
                   "in {k} of the {n} wijken",
        "m3_none": "Most burglaries per household in {wijk}; no option gives demonstrably "
                   "fewer in any wijk",
        "m4_best": "{best} has the lowest cost per prevented burglary: {cpp}",
        "m4_none": "No option demonstrably prevents burglaries: no cost per prevented "
                   "burglary can be given",
        "m5_lasts": "After the end ({years}) still demonstrably fewer burglaries: {names}",
        "m5_fades": "The effect of {names} is no longer demonstrable after the end ({years})",
        "m5_none": "No option gives demonstrably fewer burglaries in any year",
        "m5_short": "The calculation ends before the programmes do: whether the effect lasts "
                    "cannot be seen here",
        "and": " and ",
    },
}


def _m(lang: str, key: str, **kw: Any) -> str:
    return MESSAGES[lang][key].format(**kw)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _below(values: Any) -> np.ndarray:
    """Which upper interval ends lie below zero (None is not)."""
    return np.array([v is not None and v < 0 for v in values], dtype=bool)


def _options(comp: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in comp["rows"] if not r["reference"]]


def _fewer(row: dict[str, Any]) -> bool:
    """A demonstrable effect: the paired interval of prevented burglaries lies above 0."""
    if "effect" in row:
        return row["effect"] == "fewer"
    lo = (row.get("prevented_interval") or [None])[0]
    return lo is not None and lo > 0


def _join(names: list[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + MESSAGES[lang]["and"] + names[-1]


def msg_level(comp: dict[str, Any], lang: str) -> str:
    """Figure 1: the level, and the option that demonstrably lowers it most."""
    ref = next(r for r in comp["rows"] if r["reference"])
    level = num(round(ref["woninginbraken_per_year"], -1), lang)
    name = label(comp["reference"], lang)
    fewer = [r for r in _options(comp) if _fewer(r)]
    if fewer:
        best = max(fewer, key=lambda r: r["prevented_per_year"])
        return _m(lang, "m1_best", ref=name, level=level, best=label(best["scenario"], lang),
                  pct=pct(best["change_vs_reference_pct"], lang, 0))
    return _m(lang, "m1_none", ref=name, level=level)


def msg_areas(comp: dict[str, Any], lang: str) -> str:
    """Figure 2: in how many gebieden the best option demonstrably lowers burglary."""
    counts = {r["scenario"]: int(_below(r["areas"]["gebied"]["hi"]).sum())
              for r in _options(comp)}
    n = len(comp["figures"]["gebieden"]) or len(next(iter(comp["rows"]))["areas"]["gebied"]
                                                ["labels"])
    if counts and max(counts.values()) > 0:
        best = max(counts, key=lambda k: counts[k])
        return _upper_first(_m(lang, "m2_best", best=label(best, lang), k=counts[best], n=n))
    return _m(lang, "m2_none", ref=label(comp["reference"], lang))


def msg_maps(comp: dict[str, Any], lang: str) -> str:
    """Figure 3: the wijk with most burglaries per household, and where options help."""
    ref = next(r for r in comp["rows"] if r["reference"])
    wijken = comp["figures"]["wijken"]
    rate = np.array([np.nan if v is None else v
                     for v in ref.get("per_wijk_per_1000_households") or []], dtype=float)
    wijk = wijken[int(np.nanargmax(rate))]["name"] if rate.size and np.isfinite(rate).any() \
        else "–"
    counts = {}
    for r in _options(comp):
        ch = r.get("per_wijk_change_per_1000_households") or {}
        counts[r["scenario"]] = int(_below(ch.get("hi") or []).sum())
    if counts and max(counts.values()) > 0:
        best = max(counts, key=lambda k: counts[k])
        return _m(lang, "m3_best", wijk=wijk, best=label(best, lang), k=counts[best],
                  n=len(wijken))
    return _m(lang, "m3_none", wijk=wijk)


def msg_cost(comp: dict[str, Any], lang: str) -> str:
    """Figure 4: the cheapest demonstrable option per prevented burglary."""
    ok = [r for r in _options(comp) if _fewer(r) and r.get("cost_per_prevented_eur")]
    if ok:
        best = min(ok, key=lambda r: r["cost_per_prevented_eur"])
        return _upper_first(_m(lang, "m4_best", best=label(best["scenario"], lang),
                               cpp=eur(best["cost_per_prevented_eur"], lang)))
    return _m(lang, "m4_none")


def msg_persistence(comp: dict[str, Any], lang: str) -> str:
    """Figure 5: does a demonstrable effect last after the programme ends?"""
    rows = _options(comp)
    after = [r for r in rows if r["persistence"].get("after_years")]
    during = [r for r in rows
              if _below(b["interval"][1] for b in r["persistence"]["by_year"]).any()]
    if not after:
        return _m(lang, "m5_short") if during else _m(lang, "m5_none")
    lasts = [r for r in after if _below([r["persistence"]["after_interval"][1]]).all()]
    years = after[0]["persistence"]["after_years"]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    if lasts:
        items = [f"{label(r['scenario'], lang)} "
                 f"({pct(r['persistence']['after_change_pct'], lang, 0)})" for r in lasts]
        return _m(lang, "m5_lasts", names=_join(items, lang), years=span)
    fades = [r for r in after if r in during]
    if fades:
        return _m(lang, "m5_fades", names=_join([label(r["scenario"], lang) for r in fades],
                                                lang), years=span)
    return _m(lang, "m5_none")


def figure_messages(comp: dict[str, Any], lang: str) -> dict[str, str]:
    """Each figure's message, by figure name (see ``sim.report.figures.NAMES``)."""
    return {"fig1_over_time": msg_level(comp, lang), "fig2_change_per_area": msg_areas(comp, lang),
            "fig3_maps": msg_maps(comp, lang), "fig4_cost_vs_prevented": msg_cost(comp, lang),
            "fig5_persistence": msg_persistence(comp, lang)}
