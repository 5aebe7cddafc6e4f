"""One language per command: ``--lang``, else the locale; and the terminal's words.

``sim run``, ``compare``, ``report``, ``scenarios``, ``sweep`` and ``sensitivity`` (its
figures too) print their tables, notes and warnings in one language. It is chosen by, in this order:

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
        "draws": "replication r ran with draw r mod {n} of every uncertain input: the "
                 "calibrated parameters (from {file}), the mechanism strengths and the "
                 "priors ({params}); draws set to a bound: {clipped}.",
        "draw_effect": "{name}: effect across {n} draws {median:+.1%} (5-95%: {p5:+.1%} to "
                       "{p95:+.1%}); the spread follows most {top}.",
        "cmp_results": "results: {dir}  (comparison.json, runs.sqlite, figures/*.png|svg)",
        "cmp_report": "report:  sim report {dir} [--format pdf|html] [--lang nl|en]",
        "warning": "warning",
        "structural": "'{name}': {part} is structural (no end date); it runs throughout.",
        "report": "report: {path}",
        # sim scenarios
        "sc_title": "Shipped scenarios (scenarios/*.toml)",
        "sc_name": "name",
        "sc_description": "description",
        "sc_cost": "extra cost per year",
        "sc_by_year": "by year",
        "sc_note": "{name}, extra cost by year:{costs} ",
        "sc_more": "full descriptions: scenarios/<name>.toml",
        # sim sweep and sim sensitivity
        "sw_done": "{name}: {total} runs in {dir} ({before} already done, {now} run now, "
                   "{rate} runs/s).",
        "sw_title_all": "{name}: all {points} design points, mean of {reps} replication(s)",
        "sw_title_ext": "{name}: the {each} lowest and {each} highest of {points} design "
                        "points on {main}, mean of {reps} replication(s)",
        "sw_files": "every point and outcome: {csv}; analysis and figures: sim sensitivity "
                    "{name}",
        "sw_more": "also in {csv}: {outcomes}",
        "point": "point",
        "undefined_note": "–: undefined ({why})",
        "grid_title": "Response per grid point (mean of {reps} replication(s))",
        "sobol_title": "Sobol: {o}. Share of its variance due to each parameter (95% "
                       "interval below)",
        "sobol_s2_title": "Sobol, interactions of two parameters (S2): {o}",
        "morris_title": "Morris: effect on {o}{u} over each parameter's range",
        "rank_title": "Rank correlation with {o} (Spearman)",
        "parameter": "parameter (unit)",
        "parameter_1": "parameter 1",
        "parameter_2": "parameter 2",
        "S1": "S1: alone",
        "ST": "ST: total",
        "S2": "S2",
        "mu_star": "μ*: mean |effect|",
        "sigma": "σ: spread",
        "mu": "μ: mean effect",
        "rho": "ρ",
        "p_value": "p",
        "sobol_warn": "Sobol for {o}: {what}. With n = {n} the estimates have not settled; "
                      "raise --n (a power of 2, e.g. --n {n4}).",
        "neg_s1": "negative S1 for {p}",  # Sobol
        "s1_above": "S1 above ST for {p}",  # Sobol
        "and_more": " and {k} more",
        "skip_undefined": "{o}: left out of the analysis, undefined ({why}) at {k} of {n} "
                          "design points",
        "skip_flat": "{o}: left out of the analysis, does not vary over the design",
        "files": "tables and figures: {files}",
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
        "draws": "replicatie r draaide met trekking r mod {n} van elke onzekere invoer: de "
                 "gekalibreerde parameters (uit {file}), de sterktes van de mechanismen en "
                 "de aannames ({params}); trekkingen op een grens gezet: {clipped}.",
        "draw_effect": "{name}: effect over {n} trekkingen {median:+.1%} (5-95%: {p5:+.1%} "
                       "tot {p95:+.1%}); de spreiding volgt vooral {top}.",
        "cmp_results": "resultaten: {dir}  (comparison.json, runs.sqlite, figures/*.png|svg)",
        "cmp_report": "rapport:    sim report {dir} [--format pdf|html] [--lang nl|en]",
        "warning": "let op",
        "structural": "'{name}': {part} is structureel (geen einddatum) en loopt de hele "
                      "periode door.",
        "report": "rapport: {path}",
        # sim scenarios
        "sc_title": "Meegeleverde scenario's (scenarios/*.toml)",
        "sc_name": "naam",
        "sc_description": "omschrijving",
        "sc_cost": "extra kosten per jaar",
        "sc_by_year": "per jaar",
        "sc_note": "{name}, extra kosten per jaar:{costs} ",
        "sc_more": "volledige omschrijving: scenarios/<naam>.toml",
        # sim sweep and sim sensitivity
        "sw_done": "{name}: {total} runs in {dir} ({before} al gedaan, {now} nu gedraaid, "
                   "{rate} runs/s).",
        "sw_title_all": "{name}: alle {points} ontwerppunten, gemiddelde van {reps} "
                        "replicatie(s)",
        "sw_title_ext": "{name}: de {each} laagste en {each} hoogste van {points} "
                        "ontwerppunten op {main}, gemiddelde van {reps} replicatie(s)",
        "sw_files": "alle punten en uitkomsten: {csv}; analyse en figuren: sim sensitivity "
                    "{name}",
        "sw_more": "ook in {csv}: {outcomes}",
        "point": "punt",
        "undefined_note": "–: niet gedefinieerd ({why})",
        "grid_title": "Uitkomst per roosterpunt (gemiddelde van {reps} replicatie(s))",
        "sobol_title": "Sobol: {o}. Aandeel van de variantie per parameter (95%-interval "
                       "eronder)",
        "sobol_s2_title": "Sobol, wisselwerking van twee parameters (S2): {o}",
        "morris_title": "Morris: effect op {o}{u} over het bereik van elke parameter",
        "rank_title": "Rangcorrelatie met {o} (Spearman)",
        "parameter": "parameter (eenheid)",
        "parameter_1": "parameter 1",
        "parameter_2": "parameter 2",
        "S1": "S1: alleen",
        "ST": "ST: totaal",
        "S2": "S2",
        "mu_star": "μ*: gemiddeld |effect|",
        "sigma": "σ: spreiding",
        "mu": "μ: gemiddeld effect",
        "rho": "ρ",
        "p_value": "p",
        "sobol_warn": "Sobol voor {o}: {what}. Met n = {n} zijn de schattingen nog niet "
                      "stabiel; verhoog --n (een macht van 2, bijv. --n {n4}).",
        "neg_s1": "negatieve S1 bij {p}",  # Sobol
        "s1_above": "S1 groter dan ST bij {p}",  # Sobol
        "and_more": " en {k} andere",
        "skip_undefined": "{o}: niet geanalyseerd, niet gedefinieerd ({why}) in {k} van {n} "
                          "ontwerppunten",
        "skip_flat": "{o}: niet geanalyseerd, varieert niet over het ontwerp",
        "files": "tabellen en figuren: {files}",
    },
}


def t(lang: str, key: str, /, **kw: object) -> str:
    """The terminal text ``key`` in ``lang``, filled with ``kw``."""
    text = WORDS[lang][key]
    return text.format(**kw) if kw else text
