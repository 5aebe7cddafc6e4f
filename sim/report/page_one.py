"""Page 1 of the report: what the interval is, whether the model knows the city, what matters.

* :func:`interval_blocks` — one sentence saying what the numbers in brackets are, and that
  the uncertainty in the assumptions is larger (with the section that explains it);
* :func:`load_sensitivity` / :func:`sensitivity_blocks` — the two or three assumptions that
  move the answer most, from a ``sim sensitivity`` folder (Morris μ* or Sobol ST on the
  yearly burglaries), one line each; without such a folder, a line saying what is missing;
* :func:`team_blocks` — the interventieteam's effect as predicted from studies elsewhere
  (the calibration's virtual prediction) next to the estimate from Amstelveen's own record
  when the calibration holds one, and in plain words whether the record contradicts the
  studies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.errors import UserError
from sim.report.document import Block
from sim.report.text import num, pct
from sim.report.text import tr as report_tr

WORDS = {
    "nl": {
        "hist_caption": "Woninginbraken per jaar in Amstelveen: geregistreerd door de politie "
                        "(punten; rood als het buiten de band van het model valt) en berekend "
                        "door het model over dezelfde jaren (lijn en 90%-band). De band telt "
                        "toeval, de onzekerheid van de aanpassing aan de cijfers en de "
                        "schommelingen van jaar tot jaar die de andere gemeenten in de regio "
                        "laten zien (een rondtrekkende bende, een nieuwe werkwijze): het model "
                        "voorspelt zulke pieken niet, het kent alleen hun gewone grootte.",
        "hist_alt": "Het model tegenover de waargenomen jaren.",
        "hist_missing": "Nog niet in dit rapport: de figuur die het model naast de "
                        "waargenomen jaren legt (waargenomen tegenover berekend). Daarvoor "
                        "is een historische doorrekening in de resultatenmap nodig; die "
                        "ontbreekt hier.",
        "p1_interval": "Tussen haakjes staat steeds een 90%-interval: de marge door het toeval "
                       "in het model over {reps} doorrekeningen (het gemiddelde ligt met 90% "
                       "zekerheid in dat bereik). De onzekerheid in de aannames zelf is groter, "
                       "zie §{section}.",
        "p1_sens_head": "Welke aannames maken het meeste uit?",
        "p1_sens_missing": "Voor deze berekening is niet bepaald welke aannames het antwoord "
                           "het sterkst veranderen: er is geen gevoeligheidsanalyse meegegeven "
                           "(sim sensitivity morris-screening, daarna sim report --sensitivity "
                           "MAP).",
        "p1_sens_range": " ({lo} tot {hi})",
        "p1_sens_morris": "{name}{range}: een stap in dit bereik verschuift gemiddeld {v} "
                          "woninginbraken per jaar.",
        "p1_sens_sobol": "{name}{range}: verklaart {v}% van de spreiding in woninginbraken "
                         "per jaar.",
        "p1_sens_source": "Uit de gevoeligheidsanalyse ({method}) van {outcome}; de volledige "
                          "tabel staat in de map van die analyse.",
        "p1_team_head": "Het interventieteam: studies elders en de eigen cijfers",
        "p1_team_studies": "Voorspeld uit studies elders: het team van 2018–2022 gaf in het "
                           "model {pct} woninginbraken ({lo} tot {hi}) over {years}.",
        "p1_team_studies_point": "Voorspeld uit studies elders: {pct} woninginbraken door "
                                 "het team.",
        "p1_team_own": "Na Amstelveens eigen cijfers: {pct} ({lo} tot {hi}).",
        "p1_team_own_missing": "Na Amstelveens eigen cijfers: nog niet berekend (de kalibratie "
                               "bevat nog geen schatting uit de eigen politiecijfers).",
        "p1_team_agrees": "De eigen cijfers spreken de studies niet tegen: de voorspelling "
                          "ligt binnen hun marge.",
        "p1_team_contradicts": "De eigen cijfers spreken de studies tegen: de voorspelling "
                               "uit studies elders ligt buiten de marge van wat de politie "
                               "in Amstelveen registreerde.",
        "p1_team_reported_in": "Gemeld voor {period}: {pct} ({source}); dat ligt binnen de "
                               "marge van de voorspelling.",
        "p1_team_reported_out": "Gemeld voor {period}: {pct} ({source}); dat ligt buiten de "
                                "marge van de voorspelling.",
    },
    "en": {
        "hist_caption": "Residential burglaries per year in Amstelveen: recorded by the "
                        "police (points; red when outside the model's band) and simulated by "
                        "the model over the same years (line and 90% band). The band holds "
                        "chance, the uncertainty of the fit to the record and the year-to-year "
                        "swings that the region's other gemeenten show (an itinerant gang, a "
                        "new method): the model does not predict such peaks, it knows only "
                        "their usual size.",
        "hist_alt": "The model against the observed years.",
        "hist_missing": "Not yet in this report: the figure that sets the model against the "
                        "observed years (observed against simulated). It needs a historical "
                        "run in the results folder; there is none here.",
        "p1_interval": "The brackets always hold a 90% interval: the margin from the model's "
                       "chance over {reps} runs (the mean lies in that range with 90% "
                       "certainty). The uncertainty in the assumptions themselves is larger, "
                       "see §{section}.",
        "p1_sens_head": "Which assumptions matter most?",
        "p1_sens_missing": "Which assumptions change the answer most was not determined for "
                           "this calculation: no sensitivity analysis was given (sim "
                           "sensitivity morris-screening, then sim report --sensitivity DIR).",
        "p1_sens_range": " ({lo} to {hi})",
        "p1_sens_morris": "{name}{range}: a step in this range moves the burglaries per year "
                          "by {v} on average.",
        "p1_sens_sobol": "{name}{range}: explains {v}% of the spread in burglaries per year.",
        "p1_sens_source": "From the sensitivity analysis ({method}) of {outcome}; the full "
                          "table is in that analysis' folder.",
        "p1_team_head": "The interventieteam: studies elsewhere and the town's own record",
        "p1_team_studies": "Predicted from studies elsewhere: the 2018–2022 team gave {pct} "
                           "burglaries in the model ({lo} to {hi}) over {years}.",
        "p1_team_studies_point": "Predicted from studies elsewhere: {pct} burglaries from the "
                                 "team.",
        "p1_team_own": "From Amstelveen's own record: {pct} ({lo} to {hi}).",
        "p1_team_own_missing": "From Amstelveen's own record: not yet estimated (the "
                               "calibration holds no estimate from the town's police record).",
        "p1_team_agrees": "The town's record does not contradict the studies: the prediction "
                          "lies within its margin.",
        "p1_team_contradicts": "The town's record contradicts the studies: the prediction "
                               "from studies elsewhere lies outside the margin of what the "
                               "police recorded in Amstelveen.",
        "p1_team_reported_in": "Reported for {period}: {pct} ({source}); within the "
                               "prediction's margin.",
        "p1_team_reported_out": "Reported for {period}: {pct} ({source}); outside the "
                                "prediction's margin.",
    },
}


def tr(lang: str, key: str, /, **kw: object) -> str:
    """A page-1 text in ``lang`` (else the report's own words), filled with ``kw``."""
    if key not in WORDS[lang]:
        return report_tr(lang, key, **kw)
    return WORDS[lang][key].format(**kw) if kw else WORDS[lang][key]

#: Figure key of the history figure (observed against simulated years) on page 1.
HISTORY = "history"


def history_file(folder: str | Path) -> Path | None:
    """A ``sim history`` result in (or beside) a comparison folder: ``history.json``."""
    folder = Path(folder)
    for path in (folder / "history.json", folder / "history" / "history.json"):
        if path.is_file():
            return path
    return None


def load_history(folder: str | Path):  # noqa: ANN201
    """A function ``lang -> Figure`` drawing the folder's history result, or None.

    ``folder``: a comparison folder holding ``history.json`` (or ``history/history.json``,
    e.g. ``sim history --out FOLDER/history``), or a ``sim history`` folder itself. The
    figure is :func:`sim.analysis.history.figure.history_figure`, the one ``sim history``
    draws.
    """
    import json
    import tempfile

    path = history_file(folder)
    if path is None:
        return None
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(rec, dict) and rec.get("years")
    except (OSError, ValueError, AssertionError):
        raise UserError("is not a 'sim history' result; rerun 'sim history --out' into this "
                        "folder or remove it.", file=str(path)) from None

    def draw(lang: str):  # noqa: ANN202
        import matplotlib.image as mpimg
        import matplotlib.pyplot as plt

        from sim.analysis.history.figure import history_figure

        with tempfile.TemporaryDirectory() as tmp:
            png = history_figure(rec, Path(tmp) / "history.png", lang=lang)
            image = mpimg.imread(png)
        h, w = image.shape[:2]
        fig = plt.figure(figsize=(w / 150, h / 150), dpi=150)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(image, interpolation="none")
        ax.set_axis_off()
        return fig

    return draw


#: The outcome whose sensitivity page 1 reports (the report's headline quantity).
OUTCOME = "woninginbraken_per_year"
#: How many assumptions page 1 names.
TOP = 3


def interval_blocks(comp: dict[str, Any], lang: str) -> list[Block]:
    """The sentence that says what the interval in brackets is."""
    return [Block("p", tr(lang, "p1_interval", reps=comp["provenance"]["replications"],
                          section=tr(lang, "h_uncertainty").split(" ", 1)[0].rstrip(".")))]


def load_sensitivity(folder: str | Path) -> dict[str, Any]:
    """The ranked parameters of a ``sim sensitivity`` folder (Morris or Sobol).

    Returns ``{"folder", "method", "outcome", "rows": [{"path", "value", "low", "high",
    "unit"}]}``, best first; a clear error when the folder holds neither table.
    """
    folder = Path(folder)
    found = [(m, c) for m, c in (("morris", "mu_star"), ("sobol", "ST"))
             if (folder / f"sensitivity_{m}.csv").is_file()]
    if not found:
        raise UserError("holds no sensitivity_morris.csv or sensitivity_sobol.csv; run 'sim "
                        "sensitivity EXPERIMENT --out DIR' and pass that folder.",
                        file=str(folder), field="--sensitivity")
    method, col = found[0]
    path = folder / f"sensitivity_{method}.csv"
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise UserError(f"unreadable ({exc}).", file=str(path)) from None
    if not {"outcome", "parameter", col} <= set(table.columns):
        raise UserError(f"lacks the columns outcome, parameter, {col}.", file=str(path))
    outcomes = list(dict.fromkeys(table["outcome"]))
    outcome = OUTCOME if OUTCOME in outcomes else outcomes[0]
    part = table[table["outcome"] == outcome].sort_values(col, ascending=False)
    bounds, samples = _bounds(folder)
    rows = [{"path": r.parameter, "value": float(getattr(r, col)),
             "low": bounds.get(r.parameter, (None, None))[0],
             "high": bounds.get(r.parameter, (None, None))[1]}
            for r in part.head(TOP).itertuples()]
    widest = float(part[f"{col}_conf"].max()) if f"{col}_conf" in part else float("nan")
    return {"folder": str(folder), "method": method, "outcome": outcome, "rows": rows,
            "samples": samples, "widest_conf": widest}


def _bounds(folder: Path) -> tuple[dict[str, tuple[float, float]], int | None]:
    """Each varied parameter's range, and the sample size (Sobol n, Morris trajectories).

    Both as the stored experiment gives them; empty and None without a store.
    """
    from sim.runs.store import ResultStore

    try:
        with ResultStore(folder, create=False) as store:
            meta = store.get_meta("experiment") or {}
            rows = store.con.execute("SELECT COUNT(*) FROM design").fetchone()[0] \
                if meta else 0
    except Exception:  # noqa: BLE001 — no store or no design: no ranges
        return {}, None
    exp = meta.get("experiment") or {}
    params = exp.get("parameters") or []
    bounds = {p["path"]: tuple(p["bounds"]) for p in params
              if len(p.get("bounds") or []) == 2}
    method = meta.get("method")
    samples = ((exp.get("design") or {}).get("n") if method == "sobol" else
               rows // (len(meta.get("names") or []) + 1) if method == "morris" else None)
    return bounds, samples


def sensitivity_blocks(sens: dict[str, Any] | None, lang: str) -> list[Block]:
    """'Welke aannames maken het meeste uit?': one line per assumption, or what is missing."""
    from sim.analysis.readable import outcome_label, parameter_label

    head = Block("h2", tr(lang, "p1_sens_head"))
    if not sens or not sens["rows"]:
        return [head, Block("p", tr(lang, "p1_sens_missing"))]
    lines = []
    for r in sens["rows"]:
        rng = ("" if r["low"] is None else
               tr(lang, "p1_sens_range", lo=num(r["low"], lang, 2 if r["low"] % 1 else 0),
                  hi=num(r["high"], lang, 2 if r["high"] % 1 else 0)))
        key = "p1_sens_morris" if sens["method"] == "morris" else "p1_sens_sobol"
        lines.append(tr(lang, key, name=parameter_label(r["path"], lang), range=rng,
                        v=num(r["value"], lang, 0) if sens["method"] == "morris" else
                        num(100 * r["value"], lang, 0)))
    from sim.analysis.caution import morris_caution, sobol_caution

    out = [head, Block("bullets", items=lines),
           Block("p", tr(lang, "p1_sens_source", method=sens["method"].capitalize(),
                         outcome=outcome_label(sens["outcome"], lang)), small=True)]
    n = sens.get("samples")
    if n is not None:  # the analysis' own caution: too few samples for a stable ranking
        caution = (morris_caution(n, lang) if sens["method"] == "morris" else
                   sobol_caution(n, sens.get("widest_conf", float("nan")), lang))
        if caution:
            out.append(Block("p", caution, small=True))
    return out


def team_estimate(comp: dict[str, Any]) -> dict[str, Any] | None:
    """Both estimates of the team's effect, as far as the comparison holds them.

    ``{"predicted", "p5", "p95", "years", "own": {"estimate", "p5", "p95", "contradicts",
    "plain_nl", "plain"} | None, "reported": [...]}``. The prediction from studies elsewhere
    is the calibration's virtual run of the 2018–2022 team; the estimate after the city's
    own record is ``comparison.json``'s ``team_estimates`` (``sim evidence --write``, study
    record_team) when written.
    """
    cal = (comp["provenance"].get("calibration") or {}).get("contents") or {}
    team = (cal.get("prediction") or {}).get("team_effect") or {}
    rec = comp.get("team_estimates") or {}
    predicted = rec.get("predicted_from_studies", team.get("predicted"))
    if predicted is None:
        return None
    own = team.get("own_record")
    if rec.get("after_record") is not None:
        own = {"estimate": rec["after_record"], "p5": rec.get("after_record_p5"),
               "p95": rec.get("after_record_p95"), "contradicts": rec.get("contradicts"),
               "plain_nl": rec.get("plain_nl"), "plain": rec.get("plain")}
    return {"predicted": predicted,
            "p5": team.get("p5") if "predicted_from_studies" not in rec else None,
            "p95": team.get("p95") if "predicted_from_studies" not in rec else None,
            "years": team.get("measured_years") or team.get("team_years"), "own": own,
            "reported": [{"period": k, **v} for k, v in (team.get("reported") or {}).items()]}


def team_blocks(comp: dict[str, Any], lang: str) -> list[Block]:
    """Both estimates of the team's effect, and whether the record contradicts the studies."""
    t = team_estimate(comp)
    if t is None:
        return []
    years = f"{t['years'][0]}–{t['years'][1]}" if t["years"] else ""

    def p(x: float | None) -> str:
        return pct(None if x is None else 100 * x, lang, 0)

    key = "p1_team_studies" if t["p5"] is not None else "p1_team_studies_point"
    items = [tr(lang, key, pct=p(t["predicted"]), lo=p(t["p5"]), hi=p(t["p95"]),
                years=years)]
    own = t["own"]
    if own and own.get("estimate") is not None:
        items.append(tr(lang, "p1_team_own", pct=p(own["estimate"]), lo=p(own.get("p5")),
                        hi=p(own.get("p95"))))
        lo, hi = own.get("p5"), own.get("p95")
        contradicts = own.get("contradicts")
        if contradicts is None:  # read from the margin of the record's estimate
            contradicts = not (lo is not None and hi is not None and lo <= t["predicted"] <= hi)
        # the study's own sentence (with its numbers) where it has one
        verdict = own.get("plain_nl" if lang == "nl" else "plain") or tr(
            lang, "p1_team_contradicts" if contradicts else "p1_team_agrees")
        t["reported"] = []  # the record's estimate supersedes the before/after press figures
    else:
        items.append(tr(lang, "p1_team_own_missing"))
        verdict = ""
    for r in t["reported"]:
        if r.get("reported") is None:
            continue
        key = "p1_team_reported_in" if r.get("inside_interval") else "p1_team_reported_out"
        items.append(tr(lang, key, period=r["period"], pct=p(r["reported"]),
                        source=str(r.get("source", "")).split(":")[0]))
    out = [Block("h2", tr(lang, "p1_team_head")), Block("bullets", items=items)]
    return out + ([Block("p", verdict)] if verdict else [])
