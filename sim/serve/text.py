"""The page's words, Dutch (default) and English."""

from __future__ import annotations

LANGS = ("nl", "en")

MONTHS = {
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

STRINGS: dict[str, tuple[str, str]] = {
    # (Dutch, English)
    "title": ("Wijksim — woninginbraak en handhaving, live",
              "Wijksim — residential burglary and enforcement, live"),
    "meeting_title": ("Wijksim — vergelijking van opties", "Wijksim — options compared"),
    "language": ("English", "Nederlands"),  # the switch names the other language
    "scenario_card": ("Scenario", "Scenario"),
    "scenario_pick": ("Gekozen scenario", "Scenario"),
    "scenario_file": ("…of een scenariobestand (pad naar .toml)",
                      "…or a scenario file (path to .toml)"),
    "scenario_file_load": ("Bestand laden", "Load file"),
    "scenario_hint": ("Schuifjes en seed gelden na Reset; een ander scenario start opnieuw.",
                      "Sliders and seed apply on Reset; another scenario starts afresh."),
    "boa_patrol_hours": ("Boa-uren inbraaksurveillance per jaar",
                         "Boa burglary-patrol hours per year"),
    "team_fte": ("Interventieteam (fte)", "Interventieteam (FTE)"),
    "team_years": ("Interventieteam: aantal jaren", "Interventieteam: years"),
    "regisseurs_per_gebied": ("Wijkregisseurs per gebied", "Wijkregisseurs per gebied"),
    "wijkagenten_fte": ("Wijkagenten (fte)", "Wijkagenten (FTE)"),
    "seed": ("Seed (toevalsgetal)", "Seed"),
    "totals_title": ("Tot nu toe: {scenario} tegen {ref} (zelfde seed {seed})",
                     "So far: {scenario} against {ref} (same seed {seed})"),
    "status": ("{date} — week {week} van {weeks}", "{date} — week {week} of {weeks}"),
    "status_done": ("Einde van de looptijd ({first}–{last}).",
                    "End of the horizon ({first}–{last})."),
    "col_measure": ("", ""),
    "modified": ("{name} (aangepast)", "{name} (adjusted)"),
    "col_reference": ("referentie ({ref})", "reference ({ref})"),
    "row_burglaries": ("Woninginbraken (incl. pogingen)", "Woninginbraken (attempts included)"),
    "row_prevented": ("Voorkomen", "Prevented"),
    "row_arrests": ("Aanhoudingen", "Arrests"),
    "row_cost": ("Extra kosten tot nu toe", "Extra cost so far"),
    "row_cpp": ("Kosten per voorkomen inbraak", "Cost per prevented burglary"),
    "settings": ("Instellingen: boa-surveillance {boa} uur/jaar · interventieteam {team} fte "
                 "({team_years}) · wijkregisseurs {reg} per gebied · wijkagenten {wa} fte",
                 "Settings: boa patrol {boa} h/year · interventieteam {team} FTE "
                 "({team_years}) · wijkregisseurs {reg} per gebied · wijkagenten {wa} FTE"),
    "totals_note": ("Voorkomen = referentie min scenario, met dezelfde toevalsgetallen. "
                    "Kosten: het programma van het scenario, naar rato van de verstreken tijd.",
                    "Prevented = reference minus scenario, with the same random numbers. "
                    "Cost: the scenario's programme, pro rata of the time elapsed."),
    "map_title": ("Inbraken en surveillance — {date}", "Burglaries and patrols — {date}"),
    "map_rate": ("woninginbraken per jaar per 1.000 huishoudens",
                 "burglaries per year per 1,000 households"),
    "legend_burglary": ("inbraak (vervaagt in 4 weken)", "burglary (fades over 4 weeks)"),
    "legend_attempt": ("poging", "attempt"),
    "legend_arrest": ("aanhouding", "arrest"),
    "legend_boa": ("boa-surveillance (week)", "boa patrol (week)"),
    "legend_wijkagent": ("wijkagent (week)", "wijkagent (week)"),
    "legend_team": ("interventieteam (week)", "interventieteam (week)"),
    "reference_run": ("referentie ({ref})", "reference ({ref})"),
    "chart_title": ("Woninginbraken per maand", "Burglaries per month"),
    "chart_y": ("woninginbraken", "burglaries"),
    "error_title": ("Dit scenario kan niet worden gestart", "This scenario cannot be started"),
    "error_hint": ("Kies een ander scenario of verbeter het bestand; de server draait door.",
                   "Choose another scenario or fix the file; the server keeps running."),
    # meeting mode
    "meeting_intro": ("Uitkomsten van '{command}': {reps} herhalingen per scenario, "
                      "{first}–{last}. Niets wordt opnieuw berekend.",
                      "Results of '{command}': {reps} replications per scenario, "
                      "{first}–{last}. Nothing is computed again."),
    "meeting_table": ("Kerntabel", "Key table"),
    "meeting_figures": ("Figuren", "Figures"),
    "meeting_error": ("Deze map kan niet worden getoond", "This folder cannot be shown"),
}


def t(lang: str, key: str, /, **kw: object) -> str:
    """The text ``key`` in ``lang`` ("nl" or "en"), with ``{fields}`` filled in."""
    text = STRINGS[key][1 if lang == "en" else 0]
    return text.format(**kw) if kw else text


def month_label(lang: str, month: int) -> str:
    """Short month name, 1..12."""
    return MONTHS["en" if lang == "en" else "nl"][month - 1]

