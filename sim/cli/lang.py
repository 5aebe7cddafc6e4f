"""One language per command: ``--lang``, else the locale; and the terminal's words.

``sim run``, ``sim compare`` and ``sim report`` print their tables, notes and warnings in
one language. It is chosen by, in this order:

1. ``--lang nl`` or ``--lang en``;
2. the environment variable ``WIJKSIM_LANG`` (``nl`` or ``en``), to fix it per machine;
3. the locale: the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set (POSIX
   order), or else Python's locale (Windows: ``Dutch_Netherlands``): Dutch when it starts
   with ``nl`` (``nl_NL.UTF-8``, ``nl_BE``) or ``Dutch``, English otherwise (``C``,
   ``en_GB``, ``de_DE`` …).

``sim report`` writes the council's report in Dutch unless ``--lang en`` is given (the
report is for the gemeenteraad), and its terminal line follows the report's language.
Error messages (exit 2) are English whatever the language.
"""

from __future__ import annotations

import locale
import os

import typer

from sim.core.errors import UserError

LANGS = ("nl", "en")

LANG_OPTION = typer.Option(
    None, "--lang", metavar="nl|en",
    help="Language of the output (tables, warnings, figures): nl or en. Default: "
         "WIJKSIM_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG): nl* gives Dutch, "
         "anything else English.")


def locale_lang(env: dict[str, str] | None = None) -> str:
    """The language the environment asks for: 'nl' or 'en' (see the module docstring)."""
    env = os.environ if env is None else env
    fixed = env.get("WIJKSIM_LANG", "").strip().lower()
    if fixed in LANGS:
        return fixed
    name = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    if not name:
        try:
            name = locale.getlocale()[0] or ""
        except ValueError:
            name = ""
    return "nl" if name.lower().startswith(("nl", "dutch")) else "en"


def resolve_lang(value: str | None) -> str:
    """``--lang`` checked (one line, exit 2, for anything else), else :func:`locale_lang`."""
    if value is None:
        return locale_lang()
    if value not in LANGS:
        raise UserError(f"unknown language '{value}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")
    return value


#: The terminal's words. Keys are shared by both languages (a test checks).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "run_title": "{scenario}: {reps} replication(s) x {years} year(s), seed {seed} "
                     "(mean per year{iv})",
        "iv_note": "; 90% interval below",
        "gebied": "gebied",
        "per_year": "woninginbraken / year",
        "total": "total",
        "outcomes": "Outcomes per year",
        "measure": "measure",
        "value": "value",
        "burglaries": "woninginbraken (attempts included)",
        "completed": "  completed",
        "attempted": "  attempted only (failed)",
        "arrests": "arrests",
        "clearance": "clearance rate",
        "knox": "Knox ratio (≤200 m, ≤14 days)",
        "hours": "Productive hours spent per year",
        "task": "agent type and task",
        "hours_col": "hours",
        "results": "results: {dir}  (runs.sqlite, summary.csv, daily.csv)",
        "one_rep": "One replication: no interval. Run with -r 10 or more for 90% intervals "
                   "(chance alone moves a year's count by tens of burglaries).",
        "to_compare": "To compare options, run them side by side with the same seeds "
                      "(paired): sim compare {pair} -r 10",
        "cmp_title": "Against '{ref}': {reps} replication(s) x {years} year(s) ({first}-{last}), "
                     "seed {seed}. Means per year; 90% interval below.",
        "cmp_title2": "Side effects and persistence",
        "scenario": "scenario",
        "c_burglaries": "burglaries",
        "c_change": "change %",
        "c_prevented": "prevented",
        "c_cost": "extra cost €",
        "c_cpp": "€ per prevented",
        "c_arrests": "arrests",
        "c_wdq": "WDQ",
        "c_spread": "spread (CV)",
        "c_after": "after end %",
        "no_effect": "no demonstrable effect",
        "cmp_note": "extra cost: mean per year over the whole horizon; € per prevented: only "
                    "where the interval of prevented burglaries excludes 0; WDQ: displacement "
                    "(<0) or diffusion (>0) around the hotspot wijken, '–' when they do not "
                    "demonstrably improve (interval from {minreps} replications); spread: "
                    "coefficient of variation of burglaries per 1,000 households between "
                    "wijken; after end: change in the years after the programme's last year.",
        "draws": "intervals include parameter uncertainty: replication r ran with draw r mod "
                 "{n} of the calibrated parameters ({params}) from {file}.",
        "cmp_results": "results: {dir}  (comparison.json, runs.sqlite, figures/*.png|svg)",
        "cmp_report": "report:  sim report {dir} [--format pdf|html] [--lang nl|en]",
        "warning": "warning",
        "w_reps": "{reps} replication(s): fewer than {min}, so the intervals are wide and "
                  "unstable.",
        "w_need": "With the spread seen here, about {n} replications give a 90% interval of "
                  "±{half}% (burglaries and change).",
        "w_horizon": "the horizon ends in {end}, before {part} of '{name}' does "
                     "({first}-{last}): its effect after the end cannot be seen; use a longer "
                     "--years.",
        "structural": "'{name}': {part} is structural (no end date); it runs throughout.",
        "report": "report: {path}",
    },
    "nl": {
        "run_title": "{scenario}: {reps} replicatie(s) x {years} jaar, startgetal {seed} "
                     "(gemiddeld per jaar{iv})",
        "iv_note": "; 90%-interval eronder",
        "gebied": "gebied",
        "per_year": "woninginbraken / jaar",
        "total": "totaal",
        "outcomes": "Uitkomsten per jaar",
        "measure": "maat",
        "value": "waarde",
        "burglaries": "woninginbraken (inclusief pogingen)",
        "completed": "  geslaagd",
        "attempted": "  alleen poging (mislukt)",
        "arrests": "aanhoudingen",
        "clearance": "ophelderingspercentage",
        "knox": "Knox-ratio (≤200 m, ≤14 dagen)",
        "hours": "Productieve uren per jaar",
        "task": "functie en taak",
        "hours_col": "uren",
        "results": "resultaten: {dir}  (runs.sqlite, summary.csv, daily.csv)",
        "one_rep": "Eén replicatie: geen interval. Draai met -r 10 of meer voor "
                   "90%-intervallen (alleen al het toeval verschuift een jaar met tientallen "
                   "inbraken).",
        "to_compare": "Opties vergelijken: draai ze naast elkaar met hetzelfde toeval "
                      "(gepaard): sim compare {pair} -r 10",
        "cmp_title": "Ten opzichte van '{ref}': {reps} replicatie(s) x {years} jaar "
                     "({first}-{last}), startgetal {seed}. Gemiddeld per jaar; 90%-interval "
                     "eronder.",
        "cmp_title2": "Neveneffecten en duurzaamheid",
        "scenario": "scenario",
        "c_burglaries": "inbraken",
        "c_change": "verandering %",
        "c_prevented": "voorkomen",
        "c_cost": "extra kosten €",
        "c_cpp": "€ per voorkomen",
        "c_arrests": "aanhoudingen",
        "c_wdq": "WDQ",
        "c_spread": "spreiding (CV)",
        "c_after": "na afloop %",
        "no_effect": "geen aantoonbaar effect",
        "cmp_note": "extra kosten: gemiddeld per jaar over de hele periode; € per voorkomen: "
                    "alleen als het interval van de voorkomen inbraken 0 niet bevat; WDQ: "
                    "verplaatsing (<0) of uitstraling (>0) rond de wijken met de meeste "
                    "inbraken, '–' als die niet aantoonbaar verbeteren (interval vanaf "
                    "{minreps} replicaties); spreiding: variatiecoëfficiënt van inbraken per "
                    "1.000 huishoudens tussen wijken; na afloop: verandering in de jaren na "
                    "het laatste programmajaar.",
        "draws": "de intervallen bevatten ook parameteronzekerheid: replicatie r draaide met "
                 "trekking r mod {n} van de gekalibreerde parameters ({params}) uit {file}.",
        "cmp_results": "resultaten: {dir}  (comparison.json, runs.sqlite, figures/*.png|svg)",
        "cmp_report": "rapport:    sim report {dir} [--format pdf|html] [--lang nl|en]",
        "warning": "let op",
        "w_reps": "{reps} replicatie(s): minder dan {min}, dus de intervallen zijn breed en "
                  "onstabiel.",
        "w_need": "Met de spreiding hier geven ongeveer {n} replicaties een 90%-interval van "
                  "±{half}% (inbraken en verandering).",
        "w_horizon": "de periode eindigt in {end}, vóór het einde van {part} in '{name}' "
                     "({first}-{last}): het effect na afloop is niet te zien; kies een "
                     "langere --years.",
        "structural": "'{name}': {part} is structureel (geen einddatum) en loopt de hele "
                      "periode door.",
        "report": "rapport: {path}",
    },
}


def t(lang: str, key: str, /, **kw: object) -> str:
    """The terminal text ``key`` in ``lang``, filled with ``kw``."""
    text = WORDS[lang][key]
    return text.format(**kw) if kw else text
