"""Words of the comparison report and its figures, in Dutch (default) and English.

Numbers are formatted the local way: Dutch ``1.234,5`` and ``€ 12.500``, English
``1,234.5`` and ``€12,500``. Every template is filled with ``str.format``.
"""

from __future__ import annotations

import math

LANGS = ("nl", "en")

NL: dict[str, str] = {
    "title": "Inbraakaanpak in Amstelveen: de opties naast elkaar",
    "subtitle": "Wijksim-vergelijking van {n} scenario's · {reps} replicaties × {years} jaar "
                "({first}–{last}) · {date}",
    "h_question": "1. De vraag",
    "question": [
        "Motie M4 (april 2023) vroeg het college om het anti-inbrakenteam van 2018–2022 opnieuw "
        "op te starten, of een breder interventieteam te verkennen. Het college antwoordde met "
        "twee sporen (raadsbrief 4 juli 2023, Amstelveen 2023): Spoor 1, een klassiek "
        "interventieteam van 4 "
        "medewerkers (ongeveer €450.000 per jaar), en Spoor 2, wijkregisseurs die per gebied "
        "het netwerk van partners regisseren, met als doel duurzamere effecten. Het team kan "
        "later 'uitgefaseerd' worden naar wijkregisseurs.",
        "Dit rapport vergelijkt die opties met een simulatiemodel van woninginbraken "
        "(inclusief pogingen) in de {nw} wijken van Amstelveen. Per optie: hoeveel inbraken, "
        "waar, tegen welke kosten per voorkomen inbraak, en houdt het effect stand als het "
        "geld stopt? Alle opties worden vergeleken met '{ref}'.",
    ],
    "h_summary": "In het kort",
    "sum_clear_down": "{name}: {pct} woninginbraken ({lo} tot {hi}); aantoonbaar effect: "
                      "ongeveer {prev} minder per jaar, {cpp} per voorkomen inbraak.",
    "sum_clear_down_free": "{name}: {pct} woninginbraken ({lo} tot {hi}); aantoonbaar "
                           "effect: ongeveer {prev} minder per jaar, zonder extra kosten.",
    "sum_unclear": "{name}: {pct} woninginbraken ({lo} tot {hi}); geen aantoonbaar effect: "
                   "het verschil is in deze berekening niet van toeval te onderscheiden.",
    "sum_clear_up": "{name}: {pct} woninginbraken ({lo} tot {hi}): aantoonbaar meer inbraken "
                    "dan {ref}.",
    "sum_after": " Na afloop van het programma ({years}): {pct} ({lo} tot {hi}).",
    "sum_best": "Van de opties met een aantoonbaar effect heeft {name} de laagste kosten per "
                "voorkomen inbraak: {cpp}.",
    "sum_best_record": "Maar Amstelveens eigen politiecijfers spreken het effect van een "
                       "inbrakenteam tegen (zie hieronder). Met het effect dat die cijfers "
                       "toelaten{rec}{alt}.",
    "sum_rec_row": " ({name}) kost het team {cpp} per voorkomen inbraak",
    "sum_rec_row_none": " ({name}) heeft het team geen aantoonbaar effect",
    "sum_rec_missing": " is het team veel minder werkzaam: reken het scenario {name} mee",
    "sum_rec_alt": "; dan heeft {name} de laagste kosten: {cpp}",
    "sum_none_clear": "Geen van de opties geeft in deze berekening aantoonbaar minder "
                      "inbraken dan {ref}; kosten per voorkomen inbraak zijn daarom niet te "
                      "geven. Meer replicaties maken de intervallen smaller.",
    "no_effect": "geen aantoonbaar effect",
    "h_warnings": "Let op",
    "w_reps": "Deze berekening gebruikt {reps} replicaties; voor betrouwbare intervallen zijn "
              "er minstens {min} nodig. Lees de intervallen als voorlopig.",
    "w_reps_need": "Met de spreiding in deze berekening geven ongeveer {n} replicaties een "
                   "90%-interval van ±{half}% (op het aantal woninginbraken en op de "
                   "verandering).",
    "w_horizon": "De berekening eindigt in {end}, vóór het einde van {what} ({first}–{last}): "
                 "het effect na afloop is niet te zien. Kies een langere periode (--years).",
    "w_part": "{part} in {name}",
    "h_scenarios": "2. De scenario's",
    "programme": "Programma: {first}–{last}.",
    "no_programme": "Geen programma (nulalternatief).",
    "structural": "Structureel (geen einddatum).",
    "past_horizon": "Structureel binnen deze berekening: het programma ({first}–{last}) loopt "
                    "door na het einde van de berekende periode ({end}).",
    "cost_line": "Extra kosten: {costs}.",
    "no_cost": "Geen extra kosten.",
    "settings": "Kenmerken: {items}.",
    "set_team": "interventieteam {fte} fte ({first}–{last})",
    "set_reg": "wijkregisseurs {n} ({first}–{last})",
    "set_agents": "{fte} wijkagenten",
    "set_gebieden": "{n} handhavingsgebieden",
    "set_boa": "{fte} fte boa's",
    "h_table": "3. Kerntabel",
    "table_intro": "Gemiddelden per jaar over {first}–{last} ({reps} replicaties, 90%-interval "
                   "tussen haakjes). Verandering ten opzichte van {ref}.",
    "t_scenario": "Scenario",
    "t_burglaries": "Woninginbraken per jaar",
    "t_change": "Verandering",
    "t_prevented": "Voorkomen per jaar",
    "t_cost": "Extra kosten per jaar (gem. {first}–{last})¹",
    "t_cpp": "Kosten per voorkomen inbraak²",
    "t_arrests": "Aanhoudingen per jaar³",
    "t_wdq": "Verplaatsingsquotiënt (WDQ)",
    "t_spread": "Spreiding tussen wijken (CV)",
    "t_displacement": "Verplaatsing naar buurwijken⁴",
    "t_after": "Effect na afloop⁵",
    "table2_intro": "Neveneffecten en duurzaamheid",
    "notes": [
        "¹ Gemiddeld over de hele periode {first}–{last}, ook de jaren na afloop; kosten per "
        "jaar staan bij de scenario's.",
        "² Extra kosten per jaar gedeeld door voorkomen inbraken per jaar; alleen bij een "
        "aantoonbaar effect (het 90%-interval van de voorkomen inbraken ligt boven nul), anders "
        "'geen aantoonbaar effect'. Het interval volgt uit dat van de voorkomen inbraken.",
        "³ Aanhoudingen bij een inbraak (op heterdaad of via opsporing).",
        "⁴ Of inbraak uitwijkt naar de wijken rond de wijken met de meeste inbraken "
        "{treated}, over de programmaperiode, in verhouding tot de daling in die wijken zelf; "
        "'–' als die wijken niet aantoonbaar minder inbraken hebben. Het getal erachter staat "
        "in Bijlage A.",
        "⁵ Verandering in de jaren na het laatste programmajaar, binnen de gesimuleerde periode.",
    ],
    "h_figures": "4. Figuren",
    "h_assumptions": "5. Aannames en bronnen",
    "assumptions_intro": "De belangrijkste aannames, met de waarde in {ref} en de bron "
                         "(volledige verwijzingen in docs/sources.md van Wijksim). "
                         "'Schatting' betekent: niet uit onderzoek of brondocumenten, maar een "
                         "inschatting die door kalibratie of data vervangen moet worden.",
    "a_source": "bron",
    "h_uncertainty": "6. Wat betekent de onzekerheid?",
    "uncertainty": [
        "Het model is een kansmodel: in elke doorrekening gebeuren andere toevallige dingen (welke "
        "inbreker wanneer op pad gaat, welke woning, of er toevallig een boa in de straat is). "
        "Daarom is elk scenario {reps} keer doorgerekend. Alle scenario's kregen in elke "
        "replicatie dezelfde toevalsgetallen, zodat een verschil tussen scenario's uit het "
        "beleid komt en niet uit toeval.",
        "Het 90%-interval bij een getal betekent: als we het model nog veel vaker zouden "
        "draaien, ligt het gemiddelde met 90% zekerheid binnen dit bereik. Ligt het hele "
        "interval van een verandering onder nul, dan geeft het scenario in het model vrijwel "
        "zeker minder inbraken. Loopt het interval door nul, dan is het effect in deze "
        "berekening niet van toeval te onderscheiden.",
        "Het interval zegt niets over de onzekerheid in de aannames zelf (bijvoorbeeld hoe "
        "sterk een wijkregisseur werkt of hoeveel een surveillance afschrikt); die is meestal "
        "groter. Een gevoeligheidsanalyse laat zien welke aannames het meest uitmaken. Lees de "
        "getallen daarom als een vergelijking tussen opties, niet als een voorspelling.",
        "Ook het werkelijke aantal in één jaar schommelt meer dan een gemiddelde: in de "
        "doorrekeningen van {ref} lag het aantal woninginbraken per volledig jaar tussen {min} "
        "en {max}.",
    ],
    "h_glossary": "7. Woordenlijst",
    "glossary_head": ["Begrip", "Betekenis"],
    "glossary": [
        ["Huidige inzet (nulalternatief)", "De inzet zoals nu, zonder nieuwe maatregel; elke "
         "optie wordt daarmee vergeleken."],
        ["Woninginbraak", "Inbraak in een woning, pogingen inbegrepen (zoals de politie ze "
         "registreert)."],
        ["Replicatie", "Eén doorrekening van het model met eigen toeval. Elk scenario is "
         "meerdere keren doorgerekend, steeds met hetzelfde toeval voor alle scenario's."],
        ["90%-interval", "Het bereik waarin het gemiddelde met 90% zekerheid ligt, gegeven het "
         "toeval in het model."],
        ["Aantoonbaar effect", "Het 90%-interval van het aantal voorkomen inbraken ligt "
         "helemaal boven nul. Alleen dan noemt het rapport kosten per voorkomen inbraak."],
        ["Voorkomen inbraken", "Hoeveel woninginbraken per jaar minder dan in het "
         "nulalternatief, per replicatie vergeleken."],
        ["Boa", "Buitengewoon opsporingsambtenaar van de gemeente (team Handhaving Openbare "
         "Ruimte, HOR)."],
        ["Wijkagent", "Politieagent met een eigen wijk; maar een deel van de tijd beschikbaar "
         "voor de wijk."],
        ["Interventieteam", "Gemeentelijk team dat surveilleert waar en wanneer veel wordt "
         "ingebroken, en zich richt op bekende, actieve inbrekers."],
        ["Wijkregisseur", "Gemeentelijke regisseur per gebied die bewoners en partners "
         "verbindt: buurtpreventie, voorlichting over hang- en sluitwerk."],
        ["Handhavingsgebied", "Een van de gebieden waarin de boa's van team HOR werken."],
        ["Verplaatsing naar buurwijken", "Of inbraak uitwijkt naar de buurwijken van de wijken "
         "waar een optie inbraak laat dalen, of daar ook afneemt."],
        ["Kalibratie", "Het afstemmen van onzekere modelwaarden op waargenomen cijfers."],
        ["Startgetal", "Het getal waarmee het toeval in het model begint: hetzelfde startgetal "
         "geeft precies dezelfde uitkomsten."],
    ],
    "h_provenance": "Bijlage B. Herkomst",
    "h_measures": "Bijlage A. Maten voor onderzoekers",
    "measures_intro": "Twee maten uit de literatuur, per scenario met 90%-interval. "
                      "Verplaatsingsquotiënt (WDQ, Bowers & Johnson 2003): de verandering in "
                      "de buurwijken gedeeld door die in de wijken met de meeste inbraken, "
                      "beide ten opzichte van de overige wijken; boven 0 profiteren de "
                      "buurwijken mee, onder 0 verplaatst inbraak zich. Variatiecoëfficiënt "
                      "(CV): de standaardafwijking van het aantal inbraken per 1.000 "
                      "huishoudens tussen de wijken gedeeld door het gemiddelde; hoe lager, "
                      "hoe gelijker verdeeld (interval: bootstrap).",
    "p_version": "Wijksim-versie",
    "p_created": "Gemaakt op",
    "p_command": "Opdracht die de map maakte",
    "p_resumed": "Hervat met",
    "p_folder": "Resultatenmap",
    "p_seed": "Startgetal van het toeval",
    "p_reps": "Replicaties × jaren",
    "p_seeds": "Startgetal per replicatie (voor alle scenario's gelijk)",
    "p_hashes": "Vingerafdruk per scenario (controlegetal van de instellingen)",
    "p_calibration": "Kalibratie",
    "p_cal_none": "geen calibrated.toml: waarden uit de scenariobestanden en standaarden",
    "p_wdq": "Wijken voor de verplaatsing (meeste inbraken / buurwijken / overige)",
    "descr_note": "Beschrijving uit het scenariobestand:",
    "page": "pagina {n}",
    "footer": "Wijksim · vergelijking met {ref}",
    # figures
    "source": "Bron: Wijksim {version}; {reps} replicaties × {years} jaar vanaf {start}, "
              "startgetal {seed}; vingerafdrukken: {hashes}",
    "hashes_appendix": "zie Bijlage B",
    "f1_title": "Woninginbraken per jaar: waargenomen en berekend",
    "f1_y": "woninginbraken per jaar",
    "f1_x": "jaar",
    "f1_quarter_note": "per kwartaal, omgerekend naar een jaar",
    "f1_observed": "waargenomen (politie)",
    "f1_caption": "Woninginbraken (inclusief pogingen) per jaar: zwarte ruiten zijn de "
                  "waargenomen jaren, de lijnen per scenario het gemiddelde over de "
                  "replicaties met 90%-interval{quarters}. Grijs: periode van de programma's.",
    "f1_caption_q": " (per kwartaal, omgerekend naar een jaar)",
    "f2_title": "Verandering ten opzichte van {ref}, per gebied en per wijk",
    "f2_gebied": "per gebied",
    "f2_wijk": "per wijk",
    "f2_x": "verandering woninginbraken (%)",
    "f2_caption": "Verandering van het aantal woninginbraken over {first}–{last} per "
                  "handhavingsgebied (links) en per wijk (rechts), met 90%-interval. Links van "
                  "de nul: minder inbraken. Kleine wijken hebben brede intervallen.",
    "f3_title": "Waar wordt ingebroken? Dichtheid per scenario en verschil met {ref}",
    "f3_density": "woninginbraken\nper km² per jaar",
    "f3_diff": "verschil met {ref}\n(per km² per jaar)",
    "f3_wijken": "wijken",
    "f3_caption": "Boven: woninginbraken per km² per jaar per scenario (gemiddeld, licht "
                  "gladgestreken). Onder: verschil met {ref}; blauw is minder, rood meer, "
                  "alleen in wijken waar het 90%-interval van de verandering 0 niet bevat "
                  "(grijs: geen aantoonbaar verschil). De kaart is schematisch: elke wijk is "
                  "een blok met de juiste oppervlakte.",
    "f4_title": "Kosten tegenover voorkomen inbraken",
    "f4_x": "voorkomen woninginbraken per jaar",
    "f4_y": "extra kosten per jaar, gem. {first}–{last} (× € 1.000)",
    "f4_iso": "{v} per voorkomen inbraak",
    "f4_caption": "Elk punt is een scenario; de strepen zijn 90%-intervallen. De stippellijnen "
                  "geven vaste kosten per voorkomen inbraak (elk met zijn bedrag): hoe verder "
                  "rechtsonder, hoe meer effect per euro. Een interval dat nul raakt betekent: "
                  "geen aantoonbaar effect.",
    "f5_title": "Houdt het effect stand? Verandering per jaar",
    "f5_y": "verandering t.o.v. {ref} (%)",
    "f5_x": "jaar",
    "f5_programme": "programmaperiode",
    "f5_caption": "Verandering van het aantal woninginbraken per kalenderjaar, met "
                  "90%-interval. Grijs: jaren waarin een programma loopt; de gekleurde balkjes "
                  "bovenin tonen per scenario de eigen programmaperiode. Jaren erna laten zien "
                  "of het effect blijft.",
    "partial": "(deel van het jaar)",
    "part_interventieteam": "interventieteam",
    "part_wijkregisseur": "wijkregisseurs",
    "part_extra": "extra kosten",
}

EN: dict[str, str] = {
    "title": "Tackling burglary in Amstelveen: the options side by side",
    "subtitle": "Wijksim comparison of {n} scenarios · {reps} replications × {years} years "
                "({first}–{last}) · {date}",
    "h_question": "1. The question",
    "question": [
        "Motion M4 (April 2023) asked the college to restart the 2018–2022 anti-burglary "
        "team, or to explore a broader intervention team. The college answered with two "
        "tracks (council letter of 4 July 2023, Amstelveen 2023): track 1, a classic "
        "intervention team of 4 "
        "staff (about €450,000 a year), and track 2, wijkregisseurs (neighbourhood directors) "
        "who direct the network of partners in each area, aiming at more durable effects. "
        "The team may later be phased into wijkregisseurs.",
        "This report compares these options with a simulation model of residential "
        "burglaries (attempts included) in Amstelveen's {nw} wijken. For each option: how many "
        "burglaries, where, at what cost per prevented burglary, and does the effect last "
        "once the money stops? Every option is compared with '{ref}'.",
    ],
    "h_summary": "In short",
    "sum_clear_down": "{name}: {pct} burglaries ({lo} to {hi}); a demonstrable effect: "
                      "about {prev} fewer per year, {cpp} per prevented burglary.",
    "sum_clear_down_free": "{name}: {pct} burglaries ({lo} to {hi}); a demonstrable effect: "
                           "about {prev} fewer per year, at no extra cost.",
    "sum_unclear": "{name}: {pct} burglaries ({lo} to {hi}); no demonstrable effect: in this "
                   "calculation the difference cannot be told apart from chance.",
    "sum_clear_up": "{name}: {pct} burglaries ({lo} to {hi}): demonstrably more burglaries "
                    "than {ref}.",
    "sum_after": " After the programme ends ({years}): {pct} ({lo} to {hi}).",
    "sum_best": "Of the options with a demonstrable effect, {name} has the lowest cost per "
                "prevented burglary: {cpp}.",
    "sum_best_record": "But Amstelveen's own police record contradicts the effect of a "
                       "burglary team (see below). With the effect that record allows{rec}{alt}.",
    "sum_rec_row": " ({name}) the team costs {cpp} per prevented burglary",
    "sum_rec_row_none": " ({name}) the team has no demonstrable effect",
    "sum_rec_missing": " the team works far less: add the scenario {name} to the comparison",
    "sum_rec_alt": "; then {name} has the lowest cost: {cpp}",
    "sum_none_clear": "None of the options gives demonstrably fewer burglaries than {ref} in "
                      "this calculation, so no cost per prevented burglary can be given. More "
                      "replications narrow the intervals.",
    "no_effect": "no demonstrable effect",
    "h_warnings": "Note",
    "w_reps": "This calculation uses {reps} replications; reliable intervals need at least "
              "{min}. Read the intervals as provisional.",
    "w_reps_need": "With the spread seen in this calculation, about {n} replications give a "
                   "90% interval of ±{half}% (on the burglaries and on the change).",
    "w_horizon": "The calculation ends in {end}, before the end of {what} ({first}–{last}): "
                 "the effect after the end cannot be seen. Choose a longer period (--years).",
    "w_part": "{part} in {name}",
    "h_scenarios": "2. The scenarios",
    "programme": "Programme: {first}–{last}.",
    "no_programme": "No programme (reference).",
    "structural": "Structural (no end date).",
    "past_horizon": "Ongoing within this calculation (structural here): the programme "
                    "({first}–{last}) runs on after the end of the simulated period ({end}).",
    "cost_line": "Extra cost: {costs}.",
    "no_cost": "No extra cost.",
    "settings": "Settings: {items}.",
    "set_team": "interventieteam {fte} FTE ({first}–{last})",
    "set_reg": "{n} wijkregisseurs ({first}–{last})",
    "set_agents": "{fte} wijkagenten (community police)",
    "set_gebieden": "{n} enforcement areas",
    "set_boa": "{fte} FTE boa's",
    "h_table": "3. Key table",
    "table_intro": "Means per year over {first}–{last} ({reps} replications, 90% interval in "
                   "brackets). Change against {ref}.",
    "t_scenario": "Scenario",
    "t_burglaries": "Burglaries per year",
    "t_change": "Change",
    "t_prevented": "Prevented per year",
    "t_cost": "Extra cost per year (mean {first}–{last})¹",
    "t_cpp": "Cost per prevented burglary²",
    "t_arrests": "Arrests per year³",
    "t_wdq": "Weighted displacement quotient (WDQ)",
    "t_spread": "Spread between wijken (CV)",
    "t_displacement": "Displacement to neighbouring wijken⁴",
    "t_after": "Effect after the end⁵",
    "table2_intro": "Side effects and persistence",
    "notes": [
        "¹ Mean over the whole period {first}–{last}, including the years after the end; "
        "cost by year is listed with the scenarios.",
        "² Extra cost per year divided by burglaries prevented per year; only for a "
        "demonstrable effect (the 90% interval of prevented burglaries lies above zero), else "
        "'no demonstrable effect'. The interval follows from that of the prevented burglaries.",
        "³ Arrests for a burglary (caught in the act or by investigation).",
        "⁴ Whether burglary moves to the wijken around the hotspot wijken {treated}, over "
        "the programme period, relative to the fall in those wijken themselves; '–' when they "
        "do not demonstrably improve. The number behind it is in Appendix A.",
        "⁵ Change in the years after the last programme year, within the simulated period.",
    ],
    "h_figures": "4. Figures",
    "h_assumptions": "5. Assumptions and sources",
    "assumptions_intro": "The main assumptions, with their value in {ref} and the source "
                         "(full references in Wijksim's docs/sources.md). "
                         "'Estimate' means: not from research or the source documents but a "
                         "judgement to be replaced by calibration or data.",
    "a_source": "source",
    "h_uncertainty": "6. What the uncertainty means",
    "uncertainty": [
        "The model is a chance model: in every run different random things happen (which "
        "burglar goes out when, which home, whether a boa happens to be in the street). So "
        "each scenario was run {reps} times. All scenarios got the same random numbers in "
        "each replication, so a difference between scenarios comes from the policy, not "
        "from chance.",
        "The 90% interval next to a number means: if we ran the model many more times, the "
        "mean would lie within this range with 90% certainty. If the whole interval of a "
        "change lies below zero, the scenario almost certainly gives fewer burglaries in the "
        "model. If the interval crosses zero, the effect cannot be told apart from chance in "
        "this calculation.",
        "The interval says nothing about uncertainty in the assumptions themselves (for "
        "example how strongly a wijkregisseur works or how much a patrol deters); that is "
        "usually larger. A sensitivity analysis shows which assumptions matter most. Read "
        "the numbers as a comparison between options, not as a forecast.",
        "The real number in any one year also varies more than a mean: in the runs of "
        "{ref} the burglaries per full year ranged from {min} to {max}.",
    ],
    "h_glossary": "7. Glossary",
    "glossary_head": ["Term", "Meaning"],
    "glossary": [
        ["Baseline (reference)", "The current deployment, without a new measure; every "
         "option is compared with it."],
        ["Woninginbraak", "Residential burglary, attempts included (as the police record "
         "them)."],
        ["Replication", "One run of the model with its own chance events. Each scenario was "
         "run several times, with the same chance events for every scenario."],
        ["90% interval", "The range that holds the mean with 90% certainty, given the chance "
         "in the model."],
        ["Demonstrable effect", "The 90% interval of prevented burglaries lies wholly above "
         "zero. Only then does the report give a cost per prevented burglary."],
        ["Prevented burglaries", "How many fewer burglaries per year than the reference, "
         "compared replication by replication."],
        ["Boa", "Municipal enforcement officer (team Handhaving Openbare Ruimte, HOR)."],
        ["Wijkagent", "Community police officer with a wijk of their own; only partly "
         "available for it."],
        ["Interventieteam", "Municipal team that patrols where and when burglary is frequent "
         "and targets known, active burglars."],
        ["Wijkregisseur", "Municipal neighbourhood director per area who connects residents "
         "and partners: neighbourhood watch, advice on locks."],
        ["Enforcement area (gebied)", "One of the areas the boa's of team HOR work in."],
        ["Displacement to neighbouring wijken", "Whether burglary moves to the wijken "
         "around those where an option lowers it, or falls there too."],
        ["Calibration", "Tuning uncertain model values to observed figures."],
        ["Seed", "The number the model's chance starts from: the same seed gives exactly the "
         "same results."],
    ],
    "h_provenance": "Appendix B. Provenance",
    "h_measures": "Appendix A. Measures for researchers",
    "measures_intro": "Two measures from the literature, per scenario with 90% interval. "
                      "Weighted displacement quotient (WDQ, Bowers & Johnson 2003): the change "
                      "in the neighbouring wijken divided by that in the hotspot wijken, both "
                      "relative to the other wijken; above 0 the neighbours benefit too, below "
                      "0 burglary moves to them. Coefficient of variation (CV): the standard "
                      "deviation of burglaries per 1,000 households between wijken divided by "
                      "the mean; lower means more evenly spread (interval: bootstrap).",
    "p_version": "Wijksim version",
    "p_created": "Created",
    "p_command": "Command that created the folder",
    "p_resumed": "Resumed with",
    "p_folder": "Results folder",
    "p_seed": "Master seed",
    "p_reps": "Replications × years",
    "p_seeds": "Seed per replication (the same for every scenario)",
    "p_hashes": "Scenario hashes",
    "p_calibration": "Calibration",
    "p_cal_none": "no calibrated.toml: values from the scenario files and defaults",
    "p_wdq": "WDQ areas (treated / buffer / control)",
    "descr_note": "Description from the scenario file:",
    "page": "page {n}",
    "footer": "Wijksim · comparison with {ref}",
    "source": "Source: Wijksim {version}; {reps} replications × {years} years from {start}, "
              "seed {seed}; scenario hashes: {hashes}",
    "hashes_appendix": "see Appendix B",
    "f1_title": "Residential burglaries per year: observed and simulated",
    "f1_y": "burglaries per year",
    "f1_x": "year",
    "f1_quarter_note": "per quarter, as a yearly rate",
    "f1_observed": "observed (police)",
    "f1_caption": "Residential burglaries (attempts included) per year: black diamonds are "
                  "the observed years, the lines per scenario the mean over the replications "
                  "with its 90% interval{quarters}. Grey: the programmes' period.",
    "f1_caption_q": " (per quarter, as a yearly rate)",
    "f2_title": "Change against {ref}, per area and per wijk",
    "f2_gebied": "per enforcement area",
    "f2_wijk": "per wijk",
    "f2_x": "change in burglaries (%)",
    "f2_caption": "Change in burglaries over {first}–{last} per enforcement area (left) and "
                  "per wijk (right), with 90% interval. Left of zero: fewer burglaries. Small "
                  "wijken have wide intervals.",
    "f3_title": "Where are the burglaries? Density per scenario and difference with {ref}",
    "f3_density": "burglaries\nper km² per year",
    "f3_diff": "difference with {ref}\n(per km² per year)",
    "f3_wijken": "wijken",
    "f3_caption": "Top: burglaries per km² per year per scenario (mean, lightly smoothed). "
                  "Bottom: difference with {ref}; blue is fewer, red more, only in wijken "
                  "whose 90% interval of the change excludes 0 (grey: no demonstrable "
                  "difference). The map is schematic: each wijk is a block with its true area.",
    "f4_title": "Cost against prevented burglaries",
    "f4_x": "burglaries prevented per year",
    "f4_y": "extra cost per year, mean {first}–{last} (× €1,000)",
    "f4_iso": "{v} per prevented burglary",
    "f4_caption": "Each point is a scenario; the bars are 90% intervals. Dotted lines mark a "
                  "fixed cost per prevented burglary (each with its amount): further to the "
                  "bottom right means more effect per euro. An interval reaching zero means: no "
                  "demonstrable effect.",
    "f5_title": "Does the effect last? Change by year",
    "f5_y": "change against {ref} (%)",
    "f5_x": "year",
    "f5_programme": "programme period",
    "f5_caption": "Change in burglaries per calendar year, with 90% interval. Grey: years "
                  "in which a programme runs; the coloured bars at the top show each "
                  "scenario's own programme. The years after show whether the effect lasts.",
    "partial": "(part of the year)",
    "part_interventieteam": "interventieteam",
    "part_wijkregisseur": "wijkregisseurs",
    "part_extra": "extra cost",
}

STRINGS = {"nl": NL, "en": EN}


def tr(lang: str, key: str, /, **kw: object) -> str:
    """The text ``key`` in ``lang``, filled with ``kw``."""
    text = STRINGS[lang][key]
    return text.format(**kw) if kw else text


def paragraphs(lang: str, key: str, /, **kw: object) -> list[str]:
    """A list of paragraphs (``question``, ``uncertainty``, ``notes``), filled with ``kw``."""
    return [p.format(**kw) for p in STRINGS[lang][key]]


def num(x: float | None, lang: str, decimals: int = 0, sign: bool = False) -> str:
    """A number the local way; '–' for missing values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if sign and float(f"{x:.{decimals}f}") == 0:
        sign, x = False, 0.0  # never "−0%": zero has no sign
    s = f"{x:+,.{decimals}f}" if sign else f"{x:,.{decimals}f}"
    s = s.replace("-", "−")
    if lang == "nl":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def pct(x: float | None, lang: str, decimals: int = 1) -> str:
    """A signed percentage, e.g. ``−12,3%``."""
    return "–" if num(x, lang) == "–" else num(x, lang, decimals, sign=True) + "%"


def round_money(x: float, digits: int = 3) -> float:
    """An amount rounded to ``digits`` significant digits, never finer than a euro.

    299,947 -> 300,000; 47,512 -> 47,500: a model's costs are estimates, not bookkeeping.
    """
    if x == 0 or not math.isfinite(x):
        return x
    step = 10 ** max(0, math.floor(math.log10(abs(x))) - digits + 1)
    return float(round(x / step) * step)


def eur(x: float | None, lang: str) -> str:
    """An amount in euros the local way, rounded (:func:`round_money`): ``€ 300.000``."""
    if num(x, lang) == "–":
        return "–"
    return ("€\u00a0" if lang == "nl" else "€") + num(round_money(float(x)), lang)


#: How a scenario is called in the report and its figures, where its file name does not
#: read well in that language.
LABELS = {"baseline": {"nl": "huidige inzet", "en": "baseline"}}


def label(name: str, lang: str) -> str:
    """The scenario's name as the report shows it (Dutch: 'huidige inzet' for baseline)."""
    return LABELS.get(name, {}).get(lang, name)


def interval(lo: float | None, hi: float | None, lang: str, kind: str = "num",
             decimals: int = 0) -> str:
    """An interval like ``(−20,1% tot −3,2%)``; '–' ends print as open ends."""
    f = {"num": lambda v: num(v, lang, decimals), "pct": lambda v: pct(v, lang, decimals),
         "eur": lambda v: eur(v, lang)}[kind]
    word = " tot " if lang == "nl" else " to "
    left = f(lo)
    if kind == "pct" and left != "–":
        left = left[:-1]  # one % sign is enough: (−14,3 tot +2,1%)
    return f"({left}{word}{f(hi)})"


# The main assumptions printed in the report: label, parameter paths (values are read from
# the comparison's own parameters, never typed here), how to show them, and the source.
# ``from``: take the values from the first scenario where that programme is active.
ASSUMPTIONS: list[dict] = [
    {"nl": "Aantal actieve inbrekers", "en": "Number of active burglars",
     "paths": ["offenders.active_offenders"], "kind": "num",
     "src": ("schatting", "estimate")},
    {"nl": "Keren per dag dat een inbreker op pad gaat", "en": "Outings per burglar per day",
     "paths": ["offenders.outings_per_offender_day"], "kind": "num2",
     "src": ("vrije parameter", "free parameter")},
    {"nl": "Herhaling dichtbij (kort na een inbraak in de buurt): straal (m) en duur (dagen)",
     "en": "Near repeat: radius (m) and duration (days)",
     "paths": ["near_repeat.radius_m", "near_repeat.decay_days"], "kind": "num",
     "src": ("Johnson e.a. 2007; Short e.a. 2008", "Johnson et al. 2007; Short et al. 2008")},
    {"nl": "Inbraakwerend hang- en sluitwerk: kans dat een poging mislukt",
     "en": "Burglary-proof locks: chance that an attempt fails",
     "paths": ["residents.hardened_attempt_fail_prob"], "kind": "pct",
     "src": ("vastgesteld met de virtuele replicatie van Vollaard & Van Ours 2011",
             "set by the virtual replication of Vollaard & van Ours 2011")},
    {"nl": "Woningen met inbraakwerend hang- en sluitwerk bij de start",
     "en": "Homes with burglary-proof locks at the start",
     "paths": ["residents.initial_hardened_share"], "kind": "pct",
     "src": ("schatting", "estimate")},
    {"nl": "Boa's team HOR (fte) en aandeel tijd voor inbraaksurveillance",
     "en": "Boa's of team HOR (FTE) and share of time on burglary patrol",
     "paths": ["boa.fte", "boa.burglary_patrol_share"], "kind": ["num", "pct"],
     "src": ("schatting: teamomvang niet in de brondocumenten; Amstelveenblog 2020",
             "estimate: team size not in the source documents; Amstelveenblog 2020")},
    {"nl": "Wijkagenten (fte) en beschikbaarheid voor de wijk",
     "en": "Wijkagenten (FTE) and availability for their wijk",
     "paths": ["wijkagenten.fte", "wijkagenten.availability"], "kind": ["num", "pct"],
     "src": ("RVP 2023–2026 (14 wijkagenten, 2022); COT & AEF 2010: norm 80%, gemeten ≈ 65%",
             "RVP 2023–2026 (14 wijkagenten, 2022); COT & AEF 2010: norm 80%, measured ≈ 65%")},
    {"nl": "Surveillance: bezoeken per uur en naijleffect (uren)",
     "en": "Patrol: visits per hour and residual deterrence (hours)",
     "paths": ["patrol.visits_per_hour", "patrol.residual_deterrence_hours"], "kind": "num",
     "src": ("Koper 1995 (bezoeken van 10–15 minuten); naijleffect: schatting",
             "Koper 1995 (10–15 minute visits); residual effect: estimate")},
    {"nl": "Kans dat een inbraak later wordt opgehelderd",
     "en": "Chance that a burglary is solved afterwards",
     "paths": ["investigation.clearance_prob"], "kind": "pct",
     "src": ("CBS/Politie: ≈ 1 op 10 opgelost (totaal)", "CBS/Politie: ≈ 1 in 10 solved (total)")},
    {"nl": "Interventieteam: fte, productieve uren per fte, € per uur",
     "en": "Interventieteam: FTE, productive hours per FTE, € per hour", "from": "team",
     "paths": ["interventieteam.fte", "interventieteam.hours_per_fte_year",
               "interventieteam.cost_eur_per_hour"], "kind": "num",
     "src": ("raadsbrief 4 juli 2023 (Amstelveen 2023)",
             "council letter 4 July 2023 (Amstelveen 2023)")},
    {"nl": "Interventieteam: vangkans ter plaatse en gerichtheid op brandpunten",
     "en": "Interventieteam: catch chance on the spot and hotspot focus", "from": "team",
     "paths": ["interventieteam.catch_prob", "interventieteam.info_quality"], "kind": "pct",
     "src": ("het effect van het team is een voorspelling, niet op cijfers afgestemd",
             "the team's effect is a prediction, not fitted")},
    {"nl": "Wijkregisseur: kosten per jaar", "en": "Wijkregisseur: cost per year",
     "from": "regisseur", "paths": ["wijkregisseur.cost_eur_per_year"], "kind": "eur",
     "src": ("schatting: één voltijds gemeentelijke regisseur",
             "estimate: one full-time director")},
    {"nl": "Wijkregisseur: contacturen voor 63% van het netwerk en afbouw (dagen)",
     "en": "Wijkregisseur: contact hours to 63% of the network, and decay (days)",
     "from": "regisseur",
     "paths": ["wijkregisseur.contact_hours_to_network", "wijkregisseur.decay_days"],
     "kind": "num", "src": ("schatting", "estimate")},
    {"nl": "Buurtpreventie: kans dat een inbreker afziet van een woning in de groep",
     "en": "Neighbourhood watch: chance a burglar gives up on a home in a group",
     "from": "regisseur", "paths": ["wijkregisseur.buurtpreventie_deterrence"], "kind": "pct",
     "src": ("vastgesteld met de virtuele replicatie van Akkermans & Vollaard 2015 (≈ −40%)",
             "set by the virtual replication of Akkermans & Vollaard 2015 (≈ −40%)")},
]

NL.update({
    "a_layout": "Ligging en grootte van de wijken",
    "a_layout_v": "schematische kaart",
    "a_layout_src": "wijken.csv: oppervlakte CBS; inwoners en huishoudens per wijk zijn een "
                    "schatting (verdeling van het CBS-totaal 2023)",
    "a_extra": "Extra kosten {name}",
    "a_calibration": "Gekalibreerde parameters",
    "a_cal_yes": "ja ({file})",
    "a_cal_no": "nee",
    "a_cal_src": "kalibratie met sim calibrate; zie Herkomst",
    "a_head": ["Aanname", "Waarde", "Bron"],
    "per_year": "per jaar",
    "reference_tag": " (nulalternatief)",
    "wijk_key": "Wijknummers op de kaart: {key}.",
    # figure 3 on the real wijk outlines
    "f3p_title": "Waar wordt ingebroken, en waar maakt een optie aantoonbaar verschil?",
    "f3p_city": "gemeente: {v} per 1.000\u00a0huishoudens",
    "f3p_rate": "woninginbraken per 1.000\nhuishoudens per jaar",
    "f3p_counts": "aantoonbaar minder in {down}, meer in {up}\u00a0wijken",
    "f3p_change": "verandering in woninginbraken\nper 1.000 huishoudens per jaar",
    "f3p_grey": "grijs: geen aantoonbaar verschil (90%-interval bevat 0)",
    "f3p_nodata": "gearceerd: geen woningen of geen gegevens",
    "f3p_caption": "Links: woninginbraken per 1.000 huishoudens per jaar per wijk in {ref} "
                   "(gemiddeld over de replicaties). Daarnaast per scenario de verandering "
                   "ten opzichte van {ref}, per 1.000 huishoudens per jaar: blauw is minder, "
                   "rood meer. Een wijk is alleen gekleurd als het 90%-interval van de "
                   "verandering 0 niet bevat; grijs betekent dat het verschil in deze "
                   "berekening niet van toeval te onderscheiden is. Wijkgrenzen: CBS/Kadaster "
                   "Wijk- en Buurtkaart (vereenvoudigd).",
})
EN.update({
    "a_layout": "Location and size of the wijken",
    "a_layout_v": "schematic map",
    "a_layout_src": "wijken.csv: area from CBS; inhabitants and households per wijk are an "
                    "estimate (a split of the CBS 2023 total)",
    "a_extra": "Extra cost {name}",
    "a_calibration": "Calibrated parameters",
    "a_cal_yes": "yes ({file})",
    "a_cal_no": "no",
    "a_cal_src": "sim calibrate; see Provenance",
    "a_head": ["Assumption", "Value", "Source"],
    "per_year": "per year",
    "reference_tag": " (reference)",
    "wijk_key": "Wijk numbers on the map: {key}.",
    # figure 3 on the real wijk outlines
    "f3p_title": "Where are the burglaries, and where does an option make a demonstrable "
                 "difference?",
    "f3p_city": "municipality: {v} per 1,000\u00a0households",
    "f3p_rate": "burglaries per 1,000\nhouseholds per year",
    "f3p_counts": "demonstrably fewer in {down}, more in {up}\u00a0wijken",
    "f3p_change": "change in burglaries\nper 1,000 households per year",
    "f3p_grey": "grey: no demonstrable difference (90% interval includes 0)",
    "f3p_nodata": "hatched: no homes or no data",
    "f3p_caption": "Left: burglaries per 1,000 households per year per wijk in {ref} (mean "
                   "over the replications). Next to it, per scenario, the change against "
                   "{ref} per 1,000 households per year: blue is fewer, red more. A wijk is "
                   "coloured only where the 90% interval of the change excludes 0; grey means "
                   "the difference cannot be told apart from chance in this calculation. Wijk "
                   "outlines: CBS/Kadaster Wijk- en Buurtkaart (simplified).",
})
