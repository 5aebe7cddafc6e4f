"""Readable names, units and numbers for sweep and sensitivity output (tables and figures).

A parameter is shown by a short label in the output's language with its unit ("actieve
inbrekers (inbrekers)"), never by a dotted path cut short; an outcome by its label and
unit; numbers with thousands separators (Dutch: ``1.234,5``; English: ``1,234.5``), euros
rounded to three significant digits (``€ 300.000`` / ``€300,000``), never in exponent
notation; a missing value as ``–``, with :func:`undefined_reason` to say why.
"""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.experiment import parse_policy_outcome

LANGS = ("nl", "en")

#: Parameter path -> (Dutch label, English label). Paths not listed are shown humanised.
PARAMETERS: dict[str, tuple[str, str]] = {
    "boa.burglary_patrol_hours_per_year": ("boa: uren inbraaksurveillance",
                                           "boa: burglary patrol hours"),
    "boa.burglary_patrol_share": ("boa: aandeel uren op inbraak",
                                  "boa: share of hours on burglary"),
    "boa.catch_prob": ("boa: kans op aanhouding", "boa: chance of an arrest"),
    "boa.fte": ("boa: formatie", "boa: staff"),
    "boa.info_quality": ("boa: informatiepositie", "boa: information position"),
    "interventieteam.burglary_share": ("interventieteam: aandeel uren op inbraak",
                                       "interventieteam: share of hours on burglary"),
    "interventieteam.catch_prob": ("interventieteam: kans op aanhouding",
                                   "interventieteam: chance of an arrest"),
    "interventieteam.clearance_multiplier": ("interventieteam: factor op opheldering",
                                             "interventieteam: clearance multiplier"),
    "interventieteam.fte": ("interventieteam: formatie", "interventieteam: staff"),
    "interventieteam.info_quality": ("interventieteam: informatiepositie",
                                     "interventieteam: information position"),
    "interventieteam.offender_arrests_per_100_hours": (
        "interventieteam: aanhoudingen bekende daders",
        "interventieteam: arrests of known offenders"),
    "interventieteam.offender_focus_share": ("interventieteam: aandeel dadergericht",
                                             "interventieteam: share on known offenders"),
    "interventieteam.offenders_identified_per_100_hours": (
        "interventieteam: daders in beeld", "interventieteam: offenders identified"),
    "investigation.capacity_elasticity": ("opsporing: elasticiteit capaciteit",
                                          "investigation: capacity elasticity"),
    "investigation.clearance_prob": ("opsporing: kans op opheldering achteraf",
                                     "investigation: chance solved afterwards"),
    "near_repeat.boost_per_event": ("herhaling dichtbij: verhoging na inbraak",
                                    "near-repeat: boost after a burglary"),
    "near_repeat.decay_days": ("herhaling dichtbij: uitdoving", "near-repeat: decay"),
    "near_repeat.radius_m": ("herhaling dichtbij: straal", "near-repeat: radius"),
    "offenders.active_offenders": ("actieve inbrekers", "active offenders"),
    "offenders.dark_evening_multiplier": ("inbrekers: factor donkere avonden",
                                          "offenders: dark evenings multiplier"),
    "offenders.journey_decay_km": ("inbrekers: afstandsverval", "offenders: distance decay"),
    "offenders.known_share": ("inbrekers: aandeel bekend bij politie",
                              "offenders: share known to police"),
    "offenders.local_share": ("inbrekers: aandeel uit de stad", "offenders: local share"),
    "offenders.outings_per_offender_day": ("inbrekers: tochten per dag",
                                           "offenders: outings per day"),
    "offenders.rate_shape": ("inbrekers: spreiding activiteit (gamma-vorm)",
                             "offenders: concentration of offending (gamma shape)"),
    "offenders.replacement_days": ("inbrekers: dagen tot vervanging",
                                   "offenders: days to replacement"),
    "offenders.retry_after_abort_prob": ("inbrekers: kans op nieuwe poging elders",
                                         "offenders: chance to retry elsewhere"),
    "offenders.sentence_days": ("inbrekers: dagen vast na aanhouding",
                                "offenders: days removed after arrest"),
    "offenders.visibility_shape": ("inbrekers: spreiding vindbaarheid (gamma-vorm)",
                                   "offenders: spread of visibility (gamma shape)"),
    "offenders.weekend_multiplier": ("inbrekers: factor weekend", "offenders: weekend multiplier"),
    "patrol.deterrence_radius_m": ("surveillance: straal afschrikking",
                                   "patrol: deterrence radius"),
    "patrol.deterrence_when_present": ("surveillance: afschrikking ter plaatse",
                                       "patrol: deterrence on the spot"),
    "patrol.hotspot_window_days": ("surveillance: venster hotspots", "patrol: hot-spot window"),
    "patrol.residual_deterrence_hours": ("surveillance: naijlende afschrikking",
                                         "patrol: residual deterrence"),
    "patrol.visit_minutes": ("surveillance: duur bezoek", "patrol: visit length"),
    "patrol.visits_per_hour": ("surveillance: bezoeken per uur", "patrol: visits per hour"),
    "residents.asleep_deterrence": ("bewoners: afschrikking slapend",
                                    "residents: deterrence when asleep"),
    "residents.attempt_fail_prob": ("bewoners: kans dat poging mislukt",
                                    "residents: chance an attempt fails"),
    "residents.caught_in_act_prob": ("bewoners: kans op heterdaad",
                                     "residents: chance caught in the act"),
    "residents.hardened_attempt_fail_prob": ("bewoners: weerstand inbraakwerende woning "
                                             "(overgeslagen of mislukt)",
                                             "residents: resistance of hardened homes "
                                             "(passed by or failed)"),
    "residents.holiday_away_share": ("bewoners: aandeel op vakantie",
                                     "residents: share away on holiday"),
    "residents.initial_hardened_share": ("bewoners: aandeel inbraakwerend",
                                         "residents: share of hardened homes"),
    "residents.place_sigma": ("bewoners: concentratie op plekken",
                              "residents: concentration on places"),
    "residents.victim_hardening_prob": ("bewoners: slachtoffer beveiligt",
                                        "residents: victims who harden"),
    "wijkagenten.availability": ("wijkagenten: beschikbaarheid", "wijkagenten: availability"),
    "wijkagenten.catch_prob": ("wijkagenten: kans op aanhouding",
                               "wijkagenten: chance of an arrest"),
    "wijkagenten.info_quality": ("wijkagenten: informatiepositie",
                                 "wijkagenten: information position"),
    "wijkagenten.patrol_share": ("wijkagenten: aandeel surveillance",
                                 "wijkagenten: share on patrol"),
    "wijkregisseur.buurtpreventie_catch_prob": ("buurtpreventie: kans op aanhouding",
                                                "buurtpreventie: chance of an arrest"),
    "wijkregisseur.buurtpreventie_coverage": ("buurtpreventie: dekking",
                                              "buurtpreventie: coverage"),
    "wijkregisseur.buurtpreventie_deterrence": ("buurtpreventie: afschrikking",
                                                "buurtpreventie: deterrence"),
    "wijkregisseur.contact_hours_to_network": ("wijkregisseur: contacturen voor netwerk",
                                               "wijkregisseur: contact hours to a network"),
    "wijkregisseur.contact_share": ("wijkregisseur: aandeel contacten",
                                    "wijkregisseur: share on contacts"),
    "wijkregisseur.cost_eur_per_year": ("wijkregisseur: kosten per jaar",
                                        "wijkregisseur: cost per year"),
    "wijkregisseur.decay_days": ("wijkregisseur: verval netwerk", "wijkregisseur: network decay"),
    "wijkregisseur.hardening_campaign_per_year": ("wijkregisseur: beveiligingscampagne",
                                                  "wijkregisseur: hardening campaign"),
}

#: Units as experiments and the schema write them (English) -> Dutch.
UNITS_NL: dict[str, str] = {
    "EUR per wijkregisseur per year": "€ per wijkregisseur per jaar",
    "arrests/100 h": "aanhoudingen/100 u", "contact hours": "contacturen", "days": "dagen",
    "exponent": "exponent", "fraction": "aandeel", "fraction of homes": "aandeel woningen",
    "fraction of boa hours": "aandeel boa-uren", "gamma shape": "gamma-vorm", "hours": "uren",
    "hours/year": "uur/jaar", "log-sd of place attractiveness": "log-sd aantrekkelijkheid",
    "multiplier": "factor", "offenders": "inbrekers", "offenders/100 h": "inbrekers/100 u",
    "outings/offender/day": "tochten/inbreker/dag",
    "outings per offender per day": "tochten/inbreker/dag", "probability": "kans",
    "probability per attempt": "kans per poging", "relative uplift": "relatieve verhoging",
    "share": "aandeel", "share of boa hours": "aandeel boa-uren",
    "share of homes": "aandeel woningen", "share of homes/year": "aandeel woningen/jaar",
    "share of hours": "aandeel uren", "share of households": "aandeel huishoudens",
    "visits/hour": "bezoeken/uur", "FTE": "fte", "km": "km", "m": "m",
}

#: Outcome -> (Dutch label, English label, kind). Kinds: count (per year), pct (a
#: percentage), share (a fraction shown as %), eur, ratio.
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "woninginbraken_per_year": ("woninginbraken per jaar", "woninginbraken per year", "count"),
    "completed_per_year": ("geslaagde inbraken per jaar", "completed burglaries per year",
                           "count"),
    "attempted_only_per_year": ("mislukte pogingen per jaar", "failed attempts per year",
                                "count"),
    "arrests_per_year": ("aanhoudingen per jaar", "arrests per year", "count"),
    "attempt_share": ("aandeel mislukte pogingen", "share of failed attempts", "share"),
    "clearance_rate": ("ophelderingspercentage", "clearance rate", "share"),
    "knox_ratio": ("Knox-ratio", "Knox ratio", "ratio"),
    "change_vs_reference_pct": ("verandering t.o.v. referentie", "change vs reference", "pct"),
    "prevented_per_year": ("voorkomen inbraken per jaar", "prevented burglaries per year",
                           "count"),
    "extra_cost_eur_per_year": ("extra kosten per jaar", "extra cost per year", "eur"),
    "cost_per_prevented_eur": ("kosten per voorkomen inbraak", "cost per prevented burglary",
                               "eur"),
}

#: Why an outcome can be undefined (NaN) in a run.
UNDEFINED = {
    "cost_per_prevented_eur": ("geen voorkomen inbraken", "no burglaries prevented"),
    "change_vs_reference_pct": ("referentie zonder inbraken", "no burglaries in the reference"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "nl" else pair[1]


# ---- parameters -------------------------------------------------------------------------------
def parameter_label(path: str, lang: str) -> str:
    """A parameter's short label (``offenders.active_offenders`` -> 'actieve inbrekers')."""
    if path in PARAMETERS:
        return _pick(PARAMETERS[path], lang)
    head, _, tail = path.rpartition(".")
    words = tail.replace("_", " ")
    return f"{head.replace('_', ' ')}: {words}" if head else words


def parameter_unit(path: str, lang: str, unit: str = "") -> str:
    """The parameter's unit in ``lang``: the experiment's, else the schema's ('' if none)."""
    if not unit:
        unit = _schema_unit(path)
    return UNITS_NL.get(unit, unit) if lang == "nl" else unit


def parameter_text(path: str, lang: str, unit: str = "") -> str:
    """Label and unit: 'actieve inbrekers (inbrekers)'."""
    u = parameter_unit(path, lang, unit)
    return f"{parameter_label(path, lang)} ({u})" if u else parameter_label(path, lang)


def _schema_unit(path: str) -> str:
    from sim.analysis.experiment import DERIVED
    from sim.model.scenario import Scenario

    if path in DERIVED:
        return DERIVED[path][0]
    model: Any = Scenario
    for part in path.split("."):
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return ""
        model = info.annotation
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("unit", ""))


# ---- outcomes ---------------------------------------------------------------------------------
def _base_outcome(name: str) -> tuple[str, str]:
    """(prefix such as 'interventieteam − wijkregisseur: ', plain outcome name)."""
    parsed = parse_policy_outcome(name) if ":" in name else None
    if parsed is None:
        return "", name
    a, b, o = parsed
    return (f"{a} − {b}: " if b else f"{a}: "), o


def outcome_kind(name: str) -> str:
    """count, pct, share, eur or ratio (what unit and format an outcome takes)."""
    _, o = _base_outcome(name)
    if o in OUTCOMES:
        return OUTCOMES[o][2]
    return "count" if o.startswith(("per_gebied.", "per_wijk.")) else "ratio"


def is_change(name: str) -> bool:
    """A change or a difference (centred on zero): change %, prevented, or 'A - B : o'."""
    parsed = parse_policy_outcome(name) if ":" in name else None
    if parsed is not None:
        return parsed[1] is not None
    return name in ("change_vs_reference_pct", "prevented_per_year")


def outcome_label(name: str, lang: str) -> str:
    """'woninginbraken per jaar'; 'interventieteam − wijkregisseur: extra kosten per jaar'."""
    prefix, o = _base_outcome(name)
    if o in OUTCOMES:
        text = _pick(OUTCOMES[o][:2], lang)
    elif o.startswith(("per_gebied.", "per_wijk.")):
        area, key = o.split(".", 1)
        where = {"per_gebied": ("gebied", "gebied"), "per_wijk": ("wijk", "wijk")}[area]
        text = (f"woninginbraken per jaar, {where[0]} {key}" if lang == "nl"
                else f"woninginbraken per year, {where[1]} {key}")
    else:
        text = o.replace("_", " ")
    return prefix + text


def outcome_unit(name: str, lang: str, effect: bool = False) -> str:
    """The unit of an outcome's values (``effect``: of a change in it, e.g. '%-punt')."""
    kind = outcome_kind(name)
    if kind == "eur":
        return "€"
    if kind in ("pct", "share"):
        if effect:
            return "%-punt" if lang == "nl" else "pp"
        return "%"
    if kind == "count":
        return "per jaar" if lang == "nl" else "per year"
    return ""


def outcome_text(name: str, lang: str) -> str:
    """Label with unit where the label lacks it: 'verandering t.o.v. referentie (%)'."""
    label, kind = outcome_label(name, lang), outcome_kind(name)
    if kind in ("pct", "share"):
        return f"{label} (%)"
    if kind == "eur":
        return f"{label} (€)"
    return label


def undefined_reason(name: str, lang: str) -> str:
    """Why an outcome has no value in a cell ('geen voorkomen inbraken')."""
    _, o = _base_outcome(name)
    if o in UNDEFINED:
        return _pick(UNDEFINED[o], lang)
    return "niet gedefinieerd" if lang == "nl" else "undefined"


# ---- numbers ----------------------------------------------------------------------------------
def is_missing(x: Any) -> bool:
    """None, NaN or infinite."""
    return x is None or (isinstance(x, float | int) and not math.isfinite(float(x)))


def num(x: float | None, lang: str, decimals: int = 0, sign: bool = False) -> str:
    """A number the local way, never in exponent notation; '–' when missing."""
    if is_missing(x):
        return "–"
    x = float(x)
    s = f"{x:+,.{decimals}f}" if sign else f"{x:,.{decimals}f}"
    if float(s.replace(",", "")) == 0:  # no "-0.00"
        s = f"{0:,.{decimals}f}"
    s = s.replace("-", "−")
    if lang == "nl":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def decimals_for(x: float, digits: int = 3) -> int:
    """Decimals that show about ``digits`` significant digits (0 from 100 upwards)."""
    if is_missing(x) or x == 0:
        return 0
    return max(0, digits - 1 - math.floor(math.log10(abs(x))))


def round_money(x: float, digits: int = 3) -> float:
    """An amount rounded to ``digits`` significant digits, never finer than a euro."""
    if x == 0 or not math.isfinite(x):
        return x
    step = 10 ** max(0, math.floor(math.log10(abs(x))) - digits + 1)
    return float(round(x / step) * step)


def eur(x: float | None, lang: str) -> str:
    """Euros rounded to three significant digits: '€ 300.000' (nl), '€300,000' (en)."""
    if is_missing(x):
        return "–"
    v = round_money(float(x))
    if lang == "nl":
        return "€\u00a0" + num(v, lang)  # € −47.500
    return ("−" if v < 0 else "") + "€" + num(abs(v), lang)  # −€47,500


def value(x: float | None, name: str, lang: str, effect: bool = False,
          scale: float | None = None) -> str:
    """One value of outcome ``name`` formatted with its unit: '412', '−12,3%', '€ 47.500'.

    ``effect`` formats a change in the outcome (a Morris μ*, σ): shares then in %-points.
    ``scale`` (a typical magnitude) sets the decimals, so that a column is uniform.
    """
    if is_missing(x):
        return "–"
    kind = outcome_kind(name)
    x = float(x)
    if kind == "eur":
        return eur(x, lang)
    if kind == "share":
        x *= 100
        scale = None if scale is None else scale * 100
    d = decimals_for(abs(scale) if scale else x, 3)
    if kind == "count":
        d = min(d, 1) if abs(scale if scale else x) >= 1 else min(d, 2)
    text = num(x, lang, min(d, 4), sign=is_change(name) and not effect and x != 0)
    if kind in ("pct", "share"):
        return text + (" %-punt" if effect and lang == "nl" else " pp" if effect else "%")
    return text


def header_width(text: str, cap: int = 22) -> int:
    """The longest word of a column header (capped): a column narrower cuts words."""
    return min(cap, max((len(w) for w in text.split()), default=1))


def index(x: float | None, lang: str) -> str:
    """A sensitivity index (share of variance, or a correlation): two decimals."""
    return num(x, lang, 2)


def level(x: float, lang: str) -> str:
    """A parameter value as a tick or cell: up to 3 significant digits, separators."""
    if is_missing(x):
        return "–"
    d = decimals_for(x, 3) if abs(x) < 100 else 0
    text = num(x, lang, min(d, 4))
    mark = "," if lang == "nl" else "."
    if mark in text:  # trailing zeros after the decimal mark add nothing
        head, tail = text.rsplit(mark, 1)
        tail = tail.rstrip("0")
        text = head + (mark + tail if tail else "")
    return text
