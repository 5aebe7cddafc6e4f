"""The report section "Hoe robuust is de keuze?" ("How robust is the choice?").

Drawn from a robustness folder (``sim robustness EXPERIMENT --out DIR``, optionally with
``sim discover DIR --where ...``): the share of worlds in which each option is best (a
chart), the regret table, the pairwise comparisons, and the PRIM box of the latest
discovery in plain words, e.g. "wijkregisseurs kosten minder per voorkomen inbraak dan het
interventieteam als … en …; dat geldt in x% van de doorgerekende werelden."

:func:`robustness_section` returns the blocks and figures; :func:`add_section` puts them
into the council report (``sim report DIR --robustness ROB``) before the assumptions;
:func:`build_robustness_report` writes the section on its own (``sim robustness-report``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.analysis.discovery import latest_discovery
from sim.analysis.robustness import fig_regret, fig_share_best, load_result
from sim.core.errors import DiskFullError, UserError, is_disk_full
from sim.report.document import Block

LANGS = ("nl", "en")

TEXT = {
    "nl": {
        "h": "Hoe robuust is de keuze?",
        "title": "Hoe robuust is de keuze? Wijksim-opties in {n} doorgerekende werelden",
        "sub": "{n} werelden × {p} opties, {years} jaar per run, hoofdcriterium: {crit}",
        "intro": ("Elke optie is doorgerekend in dezelfde {n} mogelijke werelden: combinaties "
                  "van {k} onzekere aannames ({names}) binnen hun bandbreedte, telkens met "
                  "dezelfde toevalsgetallen. Een keuze is robuust als zij in veel werelden "
                  "goed uitpakt, niet alleen in de gemiddelde wereld."),
        "fig_share": ("Aandeel van de {n} werelden waarin elke optie het best is op {crit} "
                      "(bij een gelijke stand telt de wereld voor elk een deel)."),
        "fig_regret": ("Spijt (regret): hoeveel slechter een optie in een wereld is dan de "
                       "beste optie in diezelfde wereld, in {crit}; maximum en 90e percentiel "
                       "over de werelden."),
        "regret_intro": ("Spijt is de afstand tot de beste optie in dezelfde wereld. Een "
                         "optie met weinig spijt, ook in de slechtste werelden, is een veilige "
                         "keuze, ook als zij zelden de allerbeste is."),
        "head": ["Optie", "Aandeel best", "Spijt max.", "Spijt 90%",
                 "Woninginbraken per jaar\n(90% van de werelden)",
                 "Kosten per voorkomen inbraak\n(mediaan; 90% van de werelden)"],
        "pairs": "Per paar: hoe vaak wint de ene optie van de andere (90%-interval):",
        "pair": "{a} doet het beter dan {b} in {x} van de werelden ({lo} tot {hi})",
        "tied": "; even goed in {t}",
        "prim_none": ("Er is nog geen scenario-ontdekking gedaan; draai bijvoorbeeld "
                      "sim discover {dir} --where \"wijkregisseur.cost_per_prevented_eur < "
                      "interventieteam.cost_per_prevented_eur\"."),
        "prim_nothing": ("{subject} in {x} van de doorgerekende werelden, maar niet in een "
                         "eenvoudig af te bakenen deel ervan: geen combinatie van grenzen op "
                         "de onzekerheden is duidelijk beter dan toeval."),
        "prim": "{subject} als {conds}; dat geldt in {mass} van de doorgerekende werelden.",
        "prim_weak": ("Dit is een zwakke aanwijzing: geen van deze grenzen is duidelijk beter "
                      "dan toeval (quasi-p boven 0,05)."),
        "prim_detail": ("In die werelden klopt het in {density} van de gevallen, en zij "
                        "omvatten {coverage} van alle werelden waarin het klopt (over alle "
                        "werelden: {base}). Gevonden met PRIM (EMA Workbench)."),
        "and": " en ", "at_least": "{label} minstens {lo} is", "at_most": "{label} hoogstens "
        "{hi} is", "between": "{label} tussen {lo} en {hi} ligt",
        "holds": "de voorwaarde ‘{expr}’ geldt",
        "less": "minder", "more": "meer",
        "cost": "{a} {verb_cost} {cmp} per voorkomen inbraak dan {b}",
        "burglary": "met {a} zijn er {cmp} woninginbraken dan met {b}",
        "prevented": "{a} {verb_prevent} {cmp} inbraken dan {b}",
        "crit": {"woninginbraken_per_year": "woninginbraken per jaar",
                 "prevented_per_year": "voorkomen inbraken per jaar",
                 "cost_per_prevented_eur": "kosten per voorkomen inbraak"},
        "prov": "Herkomst: experiment {exp} (hash {hash}), zaad {seed}, Wijksim {version}, {date}.",
    },
    "en": {
        "h": "How robust is the choice?",
        "title": "How robust is the choice? Wijksim options in {n} computed worlds",
        "sub": "{n} worlds × {p} options, {years} years per run, main criterion: {crit}",
        "intro": ("Every option was computed in the same {n} possible worlds: combinations of "
                  "{k} uncertain assumptions ({names}) within their ranges, each time with "
                  "the same random numbers. A choice is robust when it does well in many "
                  "worlds, not just in the average one."),
        "fig_share": ("Share of the {n} worlds in which each option is best on {crit} (a tie "
                      "gives each a part of the world)."),
        "fig_regret": ("Regret: how much worse an option is in a world than the best option "
                       "in that same world, in {crit}; maximum and 90th percentile over the "
                       "worlds."),
        "regret_intro": ("Regret is the distance to the best option in the same world. An "
                         "option with little regret, even in the worst worlds, is a safe "
                         "choice, even if it is rarely the very best."),
        "head": ["Option", "Share best", "Regret max.", "Regret 90%",
                 "Burglaries per year\n(90% of worlds)",
                 "Cost per prevented burglary\n(median; 90% of worlds)"],
        "pairs": "Per pair: how often one option beats the other (90% interval):",
        "pair": "{a} does better than {b} in {x} of the worlds ({lo} to {hi})",
        "tied": "; as good in {t}",
        "prim_none": ("No scenario discovery has been run yet; run for example "
                      "sim discover {dir} --where \"wijkregisseur.cost_per_prevented_eur < "
                      "interventieteam.cost_per_prevented_eur\"."),
        "prim_nothing": ("{subject} in {x} of the computed worlds, but not in a simply "
                         "delimited part of them: no combination of limits on the "
                         "uncertainties does clearly better than chance."),
        "prim": "{subject} if {conds}; that is the case in {mass} of the computed worlds.",
        "prim_weak": ("This is a weak hint: none of these limits does clearly better than "
                      "chance (quasi-p above 0.05)."),
        "prim_detail": ("In those worlds it holds in {density} of cases, and they cover "
                        "{coverage} of all worlds in which it holds (over all worlds: {base}). "
                        "Found with PRIM (EMA Workbench)."),
        "and": " and ", "at_least": "{label} is at least {lo}",
        "at_most": "{label} is at most {hi}", "between": "{label} is between {lo} and {hi}",
        "holds": "the condition '{expr}' holds",
        "less": "less", "more": "more",
        "cost": "{a} {verb_cost} {cmp} per prevented burglary than {b}",
        "burglary": "there are {cmp_n} burglaries with {a} than with {b}",
        "prevented": "{a} {verb_prevent} {cmp} burglaries than {b}",
        "crit": {"woninginbraken_per_year": "burglaries per year",
                 "prevented_per_year": "prevented burglaries per year",
                 "cost_per_prevented_eur": "cost per prevented burglary"},
        "prov": "Provenance: experiment {exp} (hash {hash}), seed {seed}, Wijksim {version}, "
                "{date}.",
    },
}

#: Option names in running text: (words, plural?) per language.
OPTION_WORDS = {
    "nl": {"wijkregisseur": ("wijkregisseurs", True),
           "interventieteam": ("het interventieteam", False),
           "gefaseerd": ("de gefaseerde aanpak", False),
           "politienorm": ("de politienorm", False),
           "acht-gebieden": ("de indeling in acht gebieden", False),
           "baseline": ("de huidige situatie", False)},
    "en": {"wijkregisseur": ("wijkregisseurs", True),
           "interventieteam": ("the interventieteam", False),
           "gefaseerd": ("the phased approach", False),
           "politienorm": ("the police norm", False),
           "acht-gebieden": ("eight smaller areas", True),
           "baseline": ("the current situation", False)},
}

#: Uncertainties in plain words (nl, en); others use the experiment's description or path.
PARAM_WORDS = {
    "offenders.active_offenders": ("het aantal actieve inbrekers", "the number of active "
                                   "burglars"),
    "offenders.outings_per_offender_day": ("het aantal pogingen per inbreker per dag",
                                           "outings per burglar per day"),
    "offenders.rate_shape": ("de spreiding van inbraken over daders (vormparameter)",
                             "the spread of offending over offenders (shape)"),
    "offenders.sentence_days": ("de tijd dat een aangehouden dader weg is (dagen)",
                                "the days an arrested offender is away"),
    "offenders.replacement_days": ("de tijd tot een nieuwe dader de plaats inneemt (dagen)",
                                   "the days until a newcomer takes an arrested offender's "
                                   "place"),
    "residents.caught_in_act_prob": ("de kans op betrapping op heterdaad",
                                     "the chance of being caught in the act"),
    "investigation.clearance_prob": ("de kans dat een inbraak later wordt opgelost",
                                     "the chance a burglary is solved later"),
    "near_repeat.boost_per_event": ("de near-repeat-opslag na een inbraak",
                                    "the near-repeat boost after a burglary"),
    "patrol.deterrence_when_present": ("de afschrikking door surveillance ter plaatse",
                                       "the deterrence of a patrol on the spot"),
    "patrol.residual_deterrence_hours": ("de naijl-afschrikking na een bezoek (uren)",
                                         "the residual deterrence after a visit (hours)"),
    "residents.hardened_attempt_fail_prob": ("de kans dat een poging op een beveiligde "
                                             "woning mislukt", "the chance an attempt on a "
                                             "hardened home fails"),
    "interventieteam.offender_focus_share": ("het aandeel teamuren voor bekende daders",
                                             "the team's share of hours on known offenders"),
    "interventieteam.offender_arrests_per_100_hours": (
        "het aantal aanhoudingen van bekende daders per 100 teamuren",
        "arrests of known offenders per 100 team hours"),
    "wijkregisseur.contact_hours_to_network": ("het aantal contacturen om een netwerk op te "
                                               "bouwen", "the contact hours needed to build a "
                                               "network"),
    "wijkregisseur.buurtpreventie_deterrence": ("de afschrikking door buurtpreventie",
                                                "the deterrence by buurtpreventie"),
    "wijkregisseur.cost_eur_per_year": ("de jaarkosten van een wijkregisseur (€)",
                                        "the yearly cost of a wijkregisseur (€)"),
}


def _t(lang: str, key: str, **kw: Any) -> Any:
    text = TEXT[lang][key]
    return text.format(**kw) if kw and isinstance(text, str) else text


def _n(x: float | None, lang: str, digits: int = 0) -> str:
    if x is None or x != x:
        return "–"
    s = f"{x:,.{digits}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "nl" else s


def _g(x: float, lang: str) -> str:
    """Three significant digits, the local way."""
    s = f"{x:.3g}"
    if "e" in s:
        s = f"{x:,.0f}"
        return s.replace(",", ".") if lang == "nl" else s
    return s.replace(".", ",") if lang == "nl" else s


def _pct(x: float | None, lang: str) -> str:
    return "–" if x is None or x != x else f"{_n(100 * x, lang)}%"


def _option(name: str, lang: str) -> tuple[str, bool]:
    return OPTION_WORDS[lang].get(name, (name, False))


def param_words(path: str, lang: str, description: str = "") -> str:
    """An uncertainty in plain words (its description or path when not listed)."""
    if path in PARAM_WORDS:
        return PARAM_WORDS[path][LANGS.index(lang)]
    return description or path


def subject_words(disc: dict[str, Any], lang: str) -> str:
    """What the condition says, in words ('wijkregisseurs kosten minder per … dan …')."""
    if disc.get("label"):
        return str(disc["label"])
    s = disc.get("subject")
    if not s:
        return _t(lang, "holds", expr=disc["where"])
    a, plural = _option(s["a"], lang)
    b, _ = _option(s["b"], lang)
    lower = s["op"] in ("<", "<=")
    cmp = _t(lang, "less" if lower else "more")
    if s["outcome"] == "cost_per_prevented_eur":
        verb = ("kosten" if plural else "kost") if lang == "nl" else ("cost" if plural
                                                                    else "costs")
        return _t(lang, "cost", a=a, b=b, cmp=cmp, verb_cost=verb)
    if s["outcome"] == "woninginbraken_per_year":
        return _t(lang, "burglary", a=a, b=b, cmp=cmp,
                  cmp_n="fewer" if lower else "more")
    if s["outcome"] == "prevented_per_year":
        verb = ("voorkomen" if plural else "voorkomt") if lang == "nl" else (
            "prevent" if plural else "prevents")
        return _t(lang, "prevented", a=a, b=b, cmp=cmp, verb_prevent=verb)
    return _t(lang, "holds", expr=disc["where"])


def prim_sentence(disc: dict[str, Any] | None, lang: str = "nl",
                  descriptions: dict[str, str] | None = None) -> str | None:
    """The first PRIM box in plain words; None without a discovery."""
    if disc is None:
        return None
    if not disc.get("boxes"):
        text = _t(lang, "prim_nothing", subject=subject_words(disc, lang),
                  x=_pct(disc.get("base_rate"), lang))
        return text[0].upper() + text[1:]
    box = disc["boxes"][0]
    conds = []
    for path, (lo, hi) in box["limits"].items():
        low_cut, high_cut = box.get("restricted", {}).get(path, [True, True])
        label = param_words(path, lang, (descriptions or {}).get(path, ""))
        if low_cut and high_cut:
            conds.append(_t(lang, "between", label=label, lo=_g(lo, lang), hi=_g(hi, lang)))
        elif low_cut:
            conds.append(_t(lang, "at_least", label=label, lo=_g(lo, lang)))
        else:
            conds.append(_t(lang, "at_most", label=label, hi=_g(hi, lang)))
    joined = (", ".join(conds[:-1]) + _t(lang, "and") + conds[-1]) if len(conds) > 1 else (
        conds[0] if conds else "…")
    text = _t(lang, "prim", subject=subject_words(disc, lang), conds=joined,
              mass=_pct(box["mass"], lang))
    if box.get("significant") is False:
        text += " " + _t(lang, "prim_weak")
    return text[0].upper() + text[1:]


def prim_detail(disc: dict[str, Any], lang: str = "nl") -> str:
    """Density, coverage and base rate of the first box, in words."""
    box = disc["boxes"][0]
    return _t(lang, "prim_detail", density=_pct(box["density"], lang),
              coverage=_pct(box["coverage"], lang), base=_pct(disc["base_rate"], lang))


def load_section(folder: str | Path) -> dict[str, Any]:
    """The robustness result and the latest discovery of a folder (checked)."""
    return {"folder": str(folder), "robustness": load_result(folder),
            "discovery": latest_discovery(folder)}


def regret_rows(rob: dict[str, Any], lang: str) -> list[list[str]]:
    """Rows of the regret table: option, share best, regret, outcomes over the worlds."""
    rows = []
    digits = 0 if rob["criterion"] != "clearance_rate" else 3
    for p in rob["policies"]:
        o = p["outcomes"]
        b, c = o["woninginbraken_per_year"], o["cost_per_prevented_eur"]
        none_prevented = not (o["prevented_per_year"]["mean"] or 0) > 0  # ratio meaningless
        cost = ("–" if c["mean"] is None or none_prevented else
                f"€ {_n(c['median'], lang)}\n({_n(c['low'], lang)}–{_n(c['high'], lang)})")
        rows.append([p["name"], _pct(p["share_best"], lang), _n(p["regret_max"], lang, digits),
                     _n(p["regret_p90"], lang, digits),
                     f"{_n(b['mean'], lang)}\n({_n(b['low'], lang)}–{_n(b['high'], lang)})",
                     cost])
    return rows


def robustness_section(section: dict[str, Any], lang: str = "nl",
                       level: str = "h1") -> tuple[list[Block], dict[str, Any]]:
    """The section's blocks and its figures (``rob_share_best``, ``rob_regret``)."""
    if lang not in LANGS:
        raise UserError(f"unknown language '{lang}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")
    rob, disc = section["robustness"], section["discovery"]
    crit = _t(lang, "crit").get(rob["criterion"], rob["criterion"])
    unc = rob.get("uncertainties", [])
    names = ", ".join(param_words(u["path"], lang) for u in unc)
    blocks = [Block(level, _t(lang, "h")),
              Block("p", _t(lang, "intro", n=rob["worlds"], k=len(unc), names=names)),
              Block("figure", text=_t(lang, "fig_share", n=rob["worlds"], crit=crit),
                    key="rob_share_best"),
              Block("p", _t(lang, "regret_intro")),
              Block("table", header=list(_t(lang, "head")), items=regret_rows(rob, lang),
                    widths=[1.4, 0.9, 0.9, 0.9, 1.4, 1.6]),
              Block("figure", text=_t(lang, "fig_regret", crit=crit), key="rob_regret")]
    sentence = prim_sentence(disc, lang)
    if sentence is None:
        blocks.append(Block("p", _t(lang, "prim_none", dir=section["folder"])))
    else:
        blocks.append(Block("p", sentence))
        if disc.get("boxes"):
            blocks.append(Block("p", prim_detail(disc, lang), small=True))
    pairs = [_t(lang, "pair", a=r["a"], b=r["b"], x=_pct(r["share_a_better"], lang),
                lo=_pct(r["low"], lang), hi=_pct(r["high"], lang))
             + (_t(lang, "tied", t=_pct(r["share_tied"], lang)) if r.get("share_tied") else "")
             for r in rob["pairwise"]]
    blocks += [Block("p", _t(lang, "pairs")), Block("bullets", items=pairs)]
    figures = {"rob_share_best": fig_share_best(rob, lang), "rob_regret": fig_regret(rob, lang)}
    return blocks, figures


def add_section(doc: list[Block], figures: dict[str, Any], section: dict[str, Any],
                lang: str, before: str | None = None) -> tuple[list[Block], dict[str, Any]]:
    """Insert the section into a report before the h1 titled ``before`` (else at the end)."""
    blocks, figs = robustness_section(section, lang)
    at = next((i for i, b in enumerate(doc) if b.kind == "h1" and b.text == before), len(doc))
    return doc[:at] + blocks + doc[at:], {**figures, **figs}


def build_robustness_report(folder: str | Path, fmt: str = "html", lang: str = "nl",
                            out: str | Path | None = None) -> Path:
    """The section on its own as a single HTML file or a PDF; returns the file written."""
    if fmt not in ("html", "pdf"):
        raise UserError(f"unknown format '{fmt}'; choose one of: html, pdf.", field="--format")
    if lang not in LANGS:
        raise UserError(f"unknown language '{lang}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")
    section = load_section(folder)
    rob = section["robustness"]
    prov = rob["provenance"]
    out = Path(out) if out else Path(folder) / f"robustness-{lang}.{fmt}"
    if out.is_dir():
        raise UserError("is a folder; give the report's file name.", file=str(out),
                        field="--out")
    crit = _t(lang, "crit").get(rob["criterion"], rob["criterion"])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.report.figures import STYLE

    with plt.rc_context(STYLE):
        blocks, figures = robustness_section(section, lang)
        doc = [Block("title", _t(lang, "title", n=rob["worlds"]),
                     items=[_t(lang, "sub", n=rob["worlds"], p=len(rob["policies"]),
                               years=_g(float(prov.get("years") or 0), lang),
                               crit=crit)]),
               *blocks[1:],
               Block("p", _t(lang, "prov", exp=prov["experiment"], hash=prov["hash"],
                             seed=prov["master_seed"], version=prov["package_version"],
                             date=prov["created_at"][:10]), small=True)]
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "html":
                from sim.report.html import render_html

                out.write_text(render_html(doc, figures, lang), encoding="utf-8")
            else:
                from sim.report.pdf import render_pdf

                comp = {"reference": rob.get("reference") or "",
                        "provenance": {"package_version": prov["package_version"],
                                       "scenarios": {n: {"hash": h} for n, h in
                                                     (prov.get("policies") or {}).items()}}}
                render_pdf(doc, figures, out, lang, comp)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(f"the report {out}") from None
            raise UserError(f"cannot write the report ({exc.strerror or exc}).",
                            file=str(out), field="--out") from None
        finally:
            for f in figures.values():
                plt.close(f)
    return out
