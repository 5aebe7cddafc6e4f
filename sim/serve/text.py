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
    "scenario_card": ("Scenario en inzet", "Scenario and capacity"),
    "scenario_pick": ("Meegeleverd scenario", "Shipped scenario"),
    "upload_drop": ("Of sleep een scenariobestand (.toml) hierheen",
                    "Or drop a scenario file (.toml) here"),
    "upload_paste": ("…of plak de inhoud van een scenariobestand",
                     "…or paste the content of a scenario file"),
    "upload_load": ("Inhoud laden", "Load content"),
    "uploaded": ("{name} (geüpload)", "{name} (uploaded)"),
    "apply": ("Toepassen en opnieuw beginnen", "Apply and start again"),
    "pending": ("Gewijzigd: druk op ‘Toepassen’ om opnieuw te beginnen met deze inzet.",
                "Changed: press ‘Apply’ to start again with these settings."),
    "play": ("▶ Afspelen", "▶ Play"),
    "pause": ("❚❚ Pauzeren", "❚❚ Pause"),
    "step": ("Eén week verder", "One week on"),
    "controls_card": ("Afspelen", "Play"),
    "boa_patrol_hours": ("Boa-inbraaksurveillance", "Boa burglary patrol"),
    "team_fte": ("Interventieteam", "Interventieteam"),
    "team_years": ("Interventieteam, looptijd", "Interventieteam, duration"),
    "regisseurs_per_gebied": ("Wijkregisseurs", "Wijkregisseurs"),
    "wijkagenten_fte": ("Wijkagenten", "Wijkagenten"),
    "unit_boa_patrol_hours": ("uur per jaar", "hours per year"),
    "unit_team_fte": ("fte", "FTE"),
    "unit_team_years": ("jaar", "years"),
    "unit_regisseurs_per_gebied": ("per gebied", "per gebied"),
    "unit_wijkagenten_fte": ("fte", "FTE"),
    "seed": ("Toevalsgetal (zelfde getal, zelfde uitkomst)", "Seed (same seed, same result)"),
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
    "not_yet": ("nog niet aantoonbaar", "not yet demonstrable"),
    "more": ("aantoonbaar meer inbraken", "demonstrably more burglaries"),
    "interval": ("90%: {lo} tot {hi}", "90%: {lo} to {hi}"),
    "row_arrests": ("Aanhoudingen", "Arrests"),
    "row_cost": ("Extra kosten tot nu toe", "Extra cost so far"),
    "row_cpp": ("Kosten per voorkomen inbraak", "Cost per prevented burglary"),
    "settings": ("Instellingen: boa-surveillance {boa} uur/jaar · interventieteam {team} fte "
                 "({team_years}) · wijkregisseurs {reg} per gebied · wijkagenten {wa} fte",
                 "Settings: boa patrol {boa} h/year · interventieteam {team} FTE "
                 "({team_years}) · wijkregisseurs {reg} per gebied · wijkagenten {wa} FTE"),
    "totals_note": ("Voorkomen = referentie min scenario, met dezelfde toevalsgetallen. Het "
                    "aantal en de kosten per voorkomen inbraak staan er pas als het 90%-interval "
                    "(uit de verschillen per week) boven nul ligt, zoals in het rapport; "
                    "eerder: ‘nog niet aantoonbaar’. Kosten: het programma van het scenario, "
                    "naar rato van de verstreken tijd.",
                    "Prevented = reference minus scenario, with the same random numbers. The "
                    "number and the cost per prevented burglary appear only once the 90% "
                    "interval (from the weekly differences) lies above zero, as in the report; "
                    "before that: ‘not yet demonstrable’. Cost: the scenario's programme, pro "
                    "rata of the time elapsed."),
    "wijken_title": ("Wijken op de kaart (inbraken per jaar per 1.000 huishoudens)",
                     "Wijken on the map (burglaries per year per 1,000 households)"),
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
    "full": ("Er kijken al {limit} mensen mee, het maximum van deze server. Probeer het later "
             "opnieuw.", "{limit} people are already watching, this server's maximum. Try "
             "again later."),
    "ended": ("Deze sessie is beëindigd na {minutes} minuten zonder gebruik. Herlaad de pagina "
              "om opnieuw te beginnen.", "This session ended after {minutes} minutes without "
              "use. Reload the page to start again."),
    # meeting mode
    "meeting_intro": ("Uitkomsten van een vergelijking: {reps} herhalingen per scenario, "
                      "{first}–{last}. Niets wordt opnieuw berekend.",
                      "Results of a comparison: {reps} replications per scenario, "
                      "{first}–{last}. Nothing is computed again."),
    "meeting_history": ("Het model naast de politiecijfers", "The model beside the police record"),
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

