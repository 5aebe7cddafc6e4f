"""The report's table of assumptions, generated from what the run did.

Each row's value is read from the comparison's own parameters; its source follows from the
facts of the run, never from a sentence typed once and left standing:

* a parameter that ``calibrated.toml`` set (and the run used) says "gekalibreerd" with the
  observed figure it was fitted to;
* a parameter that a scenario file set away from the default says so;
* otherwise the parameter's documented source (``sim/model/scenario.py``): "schatting" when
  that source is an estimate, else the study it comes from;
* the wijk layout is the city's: real outlines, a raster, or a schematic map; inhabitants,
  households and gebieden say where the city folder's ``wijken.csv`` has them from.
"""

from __future__ import annotations

from typing import Any

from sim.core.tree import get_dotted
from sim.report.text import ASSUMPTIONS, LANGS, STRINGS, eur, label, num, tr

#: What each calibration target is, in the report's words.
TARGETS = {
    "level": ("het aantal woninginbraken per jaar", "the burglaries per year"),
    "attempt_share": ("het aandeel pogingen", "the share of attempts"),
    "clearance_rate": ("het aandeel opgehelderde inbraken", "the share of burglaries solved"),
    "in_act_share": ("het aandeel aanhoudingen op heterdaad", "the share of arrests in the act"),
    "knox_ratio": ("het aantal inbraken kort na en vlak bij een eerdere",
                   "burglaries soon after and close to an earlier one"),
    "seasonal_ratio": ("de winterpiek", "the winter peak"),
    "holiday_ratio": ("de kerstvakantie", "the Christmas holiday"),
    "concentration": ("de concentratie op weinig plekken", "the concentration on few places"),
    "rank_stability": ("hoe lang brandpunten blijven", "how long hot spots last"),
}
WORDS = {
    "nl": {"yes": "ja", "calibrated": "gekalibreerd op {what} (waargenomen {obs}, model {sim})",
           "scenario": "gezet in scenario {name}", "estimate": "schatting",
           "polygons": "echte wijkgrenzen", "raster": "rasterkaart (layout.csv)",
           "schematic": "schematische kaart: elke wijk een blok met de juiste oppervlakte",
           "polygons_src": "CBS/Kadaster Wijk- en Buurtkaart (vereenvoudigd), gerasterd op "
                           "{cell} m",
           "raster_src": "layout.csv in de stadsmap", "schematic_src": "geen wijkgrenzen "
                                                                       "in de stadsmap",
           "people": "Inwoners, huishoudens en handhavingsgebieden per wijk",
           "people_v": "uit wijken.csv",
           "fields": {"inhabitants": "inwoners", "households": "huishoudens",
                      "gebied": "gebieden", "name": "namen"},
           "from_cbs": "{f}: CBS", "from_est": "{f}: schatting", "from_other": "{f}: zie "
                                                                            "wijken.csv",
           "from_spread": "{f}: gemeentetotaal verdeeld naar inwoners (schatting)",
           "clearance_note": "; dat waargenomen cijfer telt alle opgehelderde inbraken, ook "
                             "aanhoudingen op heterdaad; deze kans is alleen die van latere "
                             "opsporing"},
    "en": {"yes": "yes", "calibrated": "calibrated to {what} (observed {obs}, model {sim})",
           "scenario": "set in scenario {name}", "estimate": "estimate",
           "polygons": "real wijk outlines", "raster": "raster map (layout.csv)",
           "schematic": "schematic map: each wijk a block with its true area",
           "polygons_src": "CBS/Kadaster Wijk- en Buurtkaart (simplified), rasterised at "
                           "{cell} m",
           "raster_src": "layout.csv in the city folder", "schematic_src": "no wijk outlines "
                                                                           "in the city folder",
           "people": "Inhabitants, households and enforcement areas per wijk",
           "people_v": "from wijken.csv",
           "fields": {"inhabitants": "inhabitants", "households": "households",
                      "gebied": "areas", "name": "names"},
           "from_cbs": "{f}: CBS", "from_est": "{f}: estimate", "from_other": "{f}: see "
                                                                          "wijken.csv",
           "from_spread": "{f}: the gemeente total split by inhabitants (estimate)",
           "clearance_note": "; that observed figure counts every burglary solved, arrests "
                             "in the act included; this chance is only that of a later "
                             "investigation"},
}


def _w(lang: str, key: str, **kw: object) -> Any:
    text = WORDS[lang][key]
    return text.format(**kw) if kw else text


def calibrated_paths(comp: dict[str, Any]) -> dict[str, dict]:
    """Parameter path -> its calibration entry (value, target), for a calibration in use."""
    cal = comp["provenance"].get("calibration") or {}
    if not cal.get("used"):
        return {}
    contents = cal.get("contents") or {}
    params = contents.get("parameters") or {}
    free = contents.get("free") or {}
    out = {}
    for section, values in params.items():
        for name in values:
            path = f"{section}.{name}"
            out[path] = free.get(path, {})
    return out


def _schema_sources() -> dict[str, tuple[str, Any]]:
    from sim.model.parameters import parameter_rows

    return {r.path: (r.source, r.default) for r in parameter_rows()}


def _fit_text(comp: dict[str, Any], entry: dict, lang: str) -> str:
    """'gekalibreerd op het aandeel opgehelderde inbraken (waargenomen 10%, model 9,8%)'."""
    contents = comp["provenance"]["calibration"].get("contents") or {}
    informs = str(entry.get("informs", "")).split(" ")[0]
    fit = (contents.get("fit") or {}).get(informs) or {}
    what = TARGETS.get(informs, (informs, informs))[LANGS.index(lang)] or informs

    def show(v: Any) -> str:
        if isinstance(v, list):
            return "–".join(show(x) for x in v)
        if v is None:
            return "–"
        if abs(v) < 1:
            return num(100 * v, lang, 1) + "%"
        return num(v, lang, 0 if abs(v) >= 10 else 1)

    if not fit:
        return _w(lang, "calibrated", what=what, obs="–", sim="–").split(" (")[0]
    return _w(lang, "calibrated", what=what, obs=show(fit.get("observed")),
              sim=show(fit.get("simulated")))


def source_of(comp: dict[str, Any], path: str, params: dict[str, Any], scenario: str,
              citation: str, lang: str) -> str:
    """Where one parameter's value in this run comes from (see the module docstring)."""
    cal = calibrated_paths(comp)
    if path in cal:
        note = _w(lang, "clearance_note") if path == "investigation.clearance_prob" else ""
        return _fit_text(comp, cal[path], lang) + note
    schema = _schema_sources()
    source, default = schema.get(path, ("", None))
    value = get_dotted(params, path)
    if default is not None and value != default:
        return _w(lang, "scenario", name=label(scenario, lang))
    if source.lower().startswith("estimate"):
        word = _w(lang, "estimate")
        rest = citation[len(word):].lstrip(" :;") if citation.startswith(word) else citation
        return word + (f"; {rest}" if rest else "")
    return citation or source


def _value(v: Any, kind: str, lang: str) -> str:
    if v is None:
        return "–"
    return {"num": lambda: num(v, lang, 0 if float(v).is_integer() else 1),
            "num2": lambda: num(v, lang, 2), "pct": lambda: num(100 * v, lang, 0) + "%",
            "eur": lambda: eur(v, lang)}[kind]()


def _wijk_sources(comp: dict[str, Any], lang: str) -> str:
    """'inwoners: CBS; huishoudens: schatting; ...' from the wijk table's source column."""
    texts = [str(w.get("source", "")) for w in comp["figures"]["wijken"]]
    if not any(texts):
        return tr(lang, "a_layout_src")
    parts = []
    for field, word in _w(lang, "fields").items():
        said = [seg.split(":", 1)[1].strip() for t in texts for seg in t.split(";")
                if seg.strip().startswith(field + ":")]
        if not said:
            continue
        low = [s.lower() for s in said]
        if any("estimate" in s or "kept from" in s for s in low):
            parts.append(_w(lang, "from_est", f=word))
        elif any("spread" in s for s in low):
            parts.append(_w(lang, "from_spread", f=word))
        elif all("cbs" in s or "geojson" in s for s in low):
            parts.append(_w(lang, "from_cbs", f=word))
        else:
            parts.append(_w(lang, "from_other", f=word))
    return "; ".join(parts)


def assumption_rows(comp: dict[str, Any], lang: str) -> list[list[str]]:
    """The rows of the assumptions table: assumption, value, where it comes from."""
    scen = comp["provenance"]["scenarios"]
    refname = comp["reference"]
    active = {"team": next((k for k, s in scen.items()
                            if s["params"]["interventieteam"]["fte"] > 0), None),
              "regisseur": next((k for k, s in scen.items()
                                 if s["params"]["wijkregisseur"]["per_gebied"] > 0), None)}
    rows = []
    for a in ASSUMPTIONS:
        name = active[a["from"]] if "from" in a else refname
        if name is None:
            continue
        params = scen[name]["params"]
        kinds = a["kind"] if isinstance(a["kind"], list) else [a["kind"]] * len(a["paths"])
        value = " / ".join(_value(get_dotted(params, p), k, lang)
                           for p, k in zip(a["paths"], kinds, strict=True))
        citation = a["src"][LANGS.index(lang)]
        sources = list(dict.fromkeys(source_of(comp, p, params, name, citation, lang)
                                     for p in a["paths"]))
        rows.append([a[lang], value, "; ".join(sources)])
    m = comp["figures"]["map"]
    layout = m.get("layout") if m.get("layout") in ("polygons", "raster") else "schematic"
    if layout == "polygons" and not m.get("outlines"):
        layout = "raster"
    rows.append([tr(lang, "a_layout"), _w(lang, layout),
                 _w(lang, layout + "_src", cell=num(m.get("cell_size_m", 100), lang))])
    rows.append([_w(lang, "people"), _w(lang, "people_v"), _wijk_sources(comp, lang)])
    for name, s in scen.items():
        e = s["params"]["extra_cost"]
        if e["eur_per_year"] > 0:
            rows.append([tr(lang, "a_extra", name=label(name, lang)),
                         f"{eur(e['eur_per_year'], lang)} {tr(lang, 'per_year')}", e["what"]])
    cal = comp["provenance"]["calibration"]
    from sim.analysis.readable import parameter_label

    paths = ", ".join(parameter_label(p, lang) for p in calibrated_paths(comp))
    used = bool(cal.get("used"))
    rows.append([tr(lang, "a_calibration"), _w(lang, "yes") if used else tr(lang, "a_cal_no"),
                 (f"{cal['file']}: {paths}; " if used and paths else "")
                 + tr(lang, "a_cal_src")])
    return rows


def head(lang: str) -> list[str]:
    """The table's header."""
    return list(STRINGS[lang]["a_head"])
