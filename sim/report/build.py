"""``sim report``: a council report from a comparison folder, as PDF or single-file HTML.

The report is built in two steps: :func:`build_document` turns ``comparison.json`` into a
list of :class:`Block` (title, headings, paragraphs, bullets, tables, figures) in Dutch or
English; a renderer lays the blocks out: ``sim/report/html.py`` (one HTML file, figures
embedded as base64 PNG) or ``sim/report/pdf.py`` (A4 pages via matplotlib's PDF backend).
Sections: the question (with the warnings of ``sim/analysis/compare/checks.py`` and a
summary), the scenarios with description and cost, the key table, the figures (each titled
with its message), assumptions and sources, what the uncertainty means, a glossary,
provenance.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sim.analysis.compare.checks import comparison_checks
from sim.analysis.compare.comparison import COMPARISON_SHA_KEY, FORMAT
from sim.analysis.compare.metrics import MIN_REPLICATIONS
from sim.analysis.compare.plan import run_id as compare_run_id
from sim.analysis.evidence.natural.posterior_file import RECORD_TEAM_SCENARIO, runs_team
from sim.core.errors import DiskFullError, UserError, is_disk_full
from sim.core.textio import MAX_DATA_BYTES, decode_text, read_bytes
from sim.model.scenario import MAX_YEARS
from sim.report.assumptions import assumption_rows
from sim.report.assumptions import head as assumption_head
from sim.report.document import Block
from sim.report.measures import displacement_text, measures_blocks
from sim.report.messages import figure_messages
from sim.report.page_one import (
    HISTORY,
    interval_blocks,
    load_history,
    load_sensitivity,
    sensitivity_blocks,
    team_blocks,
)
from sim.report.page_one import tr as p1_tr
from sim.report.text import (
    LANGS,
    STRINGS,
    eur,
    interval,
    label,
    num,
    paragraphs,
    pct,
    tr,
)
from sim.runs.store import ResultStore

FORMATS = ("pdf", "html")
SECTION_KEYS = ("h_question", "h_scenarios", "h_table", "h_figures", "h_assumptions",
                "h_uncertainty", "h_glossary", "h_measures", "h_provenance")
#: Figure name -> caption key (figure 3's depends on the map, see build_document).
FIGURES = ("fig1_over_time", "fig2_change_per_area", "fig3_maps", "fig4_cost_vs_prevented",
           "fig5_persistence")


def load_comparison(folder: str | Path, *, check_store: bool = True) -> dict[str, Any]:
    """Read ``comparison.json`` of a ``sim compare`` folder and check it against the store.

    Every problem is a :class:`UserError`: no folder or file, unreadable JSON, a shape that
    ``sim compare`` does not write, a store that is missing, corrupt, or holds other runs
    than the file describes (with ``check_store``).
    """
    folder = Path(folder)
    path = folder / "comparison.json"
    if not folder.is_dir():
        raise UserError(f"results folder not found: {folder}. Run 'sim compare SCENARIO... "
                        "--out DIR' first and pass that folder.")
    if not path.exists():
        raise UserError("no comparison.json here; this is not a 'sim compare' folder. Run "
                        "'sim compare SCENARIO... --out DIR' first.", file=str(path))
    raw = read_bytes(path, what="comparison file", max_bytes=MAX_DATA_BYTES)
    try:
        comp = json.loads(decode_text(raw, path=path, what="comparison file"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UserError(f"unreadable JSON ({exc}); rerun 'sim compare' with the same --out "
                        "to rebuild it.", file=str(path)) from None
    if not isinstance(comp, dict) or comp.get("format") != FORMAT:
        got = comp.get("format") if isinstance(comp, dict) else type(comp).__name__
        raise UserError(f"format {got!r} is not {FORMAT!r}; rerun 'sim compare' with this "
                        "version of Wijksim.", file=str(path), field="format")
    _check_shape(comp, path)
    if check_store:
        _check_store(folder, comp, raw, path)
    return comp


#: What ``comparison.json`` must hold: top-level key -> type, and per row / provenance.
SHAPE = {"reference": str, "rows": list, "provenance": dict, "figures": dict}
ROW_KEYS = ("scenario", "reference", "woninginbraken_per_year", "cost_by_year", "persistence")
PROVENANCE_KEYS = ("scenarios", "replications", "years", "start_year", "master_seed")


def _check_shape(comp: dict[str, Any], path: Path) -> None:
    def bad(field: str, what: str) -> UserError:
        return UserError(f"{what}: not the shape 'sim compare' writes; rerun 'sim compare' "
                         "with the same --out to rebuild it.", file=str(path), field=field)

    for key, kind in SHAPE.items():
        if not isinstance(comp.get(key), kind):
            raise bad(key, f"missing or not a {kind.__name__}")
    if not comp["rows"]:
        raise bad("rows", "empty")
    for i, row in enumerate(comp["rows"]):
        if not isinstance(row, dict):
            raise bad(f"rows[{i}]", "not an object")
        missing = [k for k in ROW_KEYS if k not in row]
        if missing:
            raise bad(f"rows[{i}]", f"lacks {', '.join(missing)}")
    prov = comp["provenance"]
    missing = [k for k in PROVENANCE_KEYS if k not in prov]
    if missing:
        raise bad("provenance", f"lacks {', '.join(missing)}")
    names = [r["scenario"] for r in comp["rows"]]
    if not isinstance(prov["scenarios"], dict) or sorted(map(str, prov["scenarios"])) != sorted(
            map(str, names)) or comp["reference"] not in names:
        raise bad("provenance.scenarios", "does not list the scenarios of the rows")


def _check_store(folder: Path, comp: dict[str, Any], raw: bytes, path: Path) -> None:
    """The store must be readable and hold exactly the runs the file was made from."""
    with ResultStore(folder, read_only=True) as store:  # reading needs no write access
        sha = store.get_meta(COMPARISON_SHA_KEY)
        if sha != hashlib.sha256(raw).hexdigest():
            raise UserError("does not match the runs in runs.sqlite (edited, or copied from "
                            "another folder); rerun 'sim compare' with the same --out to "
                            "rebuild it from the runs.", file=str(path))
        runs = store.runs()
    done = runs[runs["status"] == "done"].set_index("run_id")
    prov = comp["provenance"]
    for name, info in prov["scenarios"].items():
        for r in range(int(prov["replications"])):
            rid = compare_run_id(name, r)
            # with --parameter-draws each replication ran its own draw: its own hash
            want = (info.get("run_hashes") or [info.get("hash")] * (r + 1))[r]
            if rid not in done.index or done.loc[rid, "scenario_hash"] != want:
                raise UserError(f"lacks run {rid} of scenario '{name}' that comparison.json "
                                "was made from; rerun 'sim compare' with the same --out.",
                                file=str(folder / "runs.sqlite"))


def _costs(row: dict[str, Any], lang: str) -> str:
    """Cost by year, consecutive equal years grouped: '2024–2027: € 449.920 per jaar'."""
    items = [(int(y), v) for y, v in row["cost_by_year"].items() if v > 0]
    if not items:
        return tr(lang, "no_cost")
    groups: list[list] = []
    for y, v in items:
        if groups and groups[-1][2] == v and groups[-1][1] == y - 1:
            groups[-1][1] = y
        else:
            groups.append([y, y, v])
    parts = [f"{a}{'' if a == b else f'–{b}'}: {eur(v, lang)} {tr(lang, 'per_year')}"
             for a, b, v in groups]
    return tr(lang, "cost_line", costs="; ".join(parts))


def _settings(params: dict[str, Any], n_gebieden_city: int, lang: str) -> str:
    gebieden = len(set(params["gebied_of_wijk"].values())) or n_gebieden_city
    items = []
    t, r = params["interventieteam"], params["wijkregisseur"]
    if t["fte"] > 0:
        items.append(tr(lang, "set_team", fte=num(t["fte"], lang, 1 if t["fte"] % 1 else 0),
                        first=t["first_year"], last=t["last_year"]))
    if r["per_gebied"] > 0:
        items.append(tr(lang, "set_reg", n=r["per_gebied"] * gebieden, first=r["first_year"],
                        last=r["last_year"]))
    items.append(tr(lang, "set_gebieden", n=gebieden))
    items.append(tr(lang, "set_boa", fte=num(params["boa"]["fte"], lang)))
    items.append(tr(lang, "set_agents", fte=num(params["wijkagenten"]["fte"], lang)))
    return tr(lang, "settings", items="; ".join(items))


def _summary(comp: dict[str, Any], lang: str) -> list[Block]:
    ref = label(comp["reference"], lang)
    bullets, clear = [], []
    for r in (r for r in comp["rows"] if not r["reference"]):
        lo, hi = r["interval"]
        kw = dict(name=label(r["scenario"], lang), pct=pct(r["change_vs_reference_pct"], lang),
                  lo=pct(lo, lang), hi=pct(hi, lang), ref=ref)
        if _fewer(r):
            free = not r["cost_eur_per_year"]
            text = tr(lang, "sum_clear_down_free" if free else "sum_clear_down",
                      prev=num(r["prevented_per_year"], lang),
                      cpp=eur(r["cost_per_prevented_eur"], lang), **kw)
            if r["cost_per_prevented_eur"] is not None and not free:
                clear.append(r)
        elif lo is not None and lo > 0:
            text = tr(lang, "sum_clear_up", **kw)
        else:
            text = tr(lang, "sum_unclear", **kw)
        p = r["persistence"]
        if p["after_years"] and p["after_change_pct"] is not None:
            years = f"{p['after_years'][0]}–{p['after_years'][-1]}"
            text += tr(lang, "sum_after", years=years, pct=pct(p["after_change_pct"], lang),
                       lo=pct(p["after_interval"][0], lang), hi=pct(p["after_interval"][1], lang))
        bullets.append(text)
    out = [Block("h1", tr(lang, "h_summary")), Block("bullets", items=bullets)]
    if clear:
        best = min(clear, key=lambda r: r["cost_per_prevented_eur"])
        out.append(Block("p", tr(lang, "sum_best", name=label(best["scenario"], lang),
                                 cpp=eur(best["cost_per_prevented_eur"], lang))))
        caveat = _record_caveat(comp, comp["rows"], clear, best, lang)
        if caveat:
            out.append(Block("p", caveat))
    elif bullets:
        out.append(Block("p", tr(lang, "sum_none_clear", ref=ref)))
    return out


def _record_caveat(comp: dict[str, Any], rows: list[dict[str, Any]],
                   clear: list[dict[str, Any]], best: dict[str, Any], lang: str) -> str:
    """When the cheapest option is a team whose effect the city's record contradicts.

    The ranking sentence then says what the ranking becomes with the team after the record
    (scenario :data:`RECORD_TEAM_SCENARIO`, when the comparison holds it).
    """
    est = comp.get("team_estimates") or {}
    if not est.get("contradicts"):
        return ""

    def team(r: dict[str, Any]) -> bool:
        return runs_team(comp, r["scenario"])

    if not team(best) or best["scenario"] == RECORD_TEAM_SCENARIO:
        return ""
    rec_row = next((r for r in rows if r["scenario"] == RECORD_TEAM_SCENARIO), None)
    if rec_row is None:
        rec = tr(lang, "sum_rec_missing", name=RECORD_TEAM_SCENARIO)
    elif rec_row in clear:
        rec = tr(lang, "sum_rec_row", name=RECORD_TEAM_SCENARIO,
                 cpp=eur(rec_row["cost_per_prevented_eur"], lang))
    else:
        rec = tr(lang, "sum_rec_row_none", name=RECORD_TEAM_SCENARIO)
    others = [r for r in clear if not team(r) or r["scenario"] == RECORD_TEAM_SCENARIO]
    alt = ""
    if others:
        b2 = min(others, key=lambda r: r["cost_per_prevented_eur"])
        alt = tr(lang, "sum_rec_alt", name=label(b2["scenario"], lang),
                 cpp=eur(b2["cost_per_prevented_eur"], lang))
    return tr(lang, "sum_best_record", rec=rec, alt=alt)


def _fewer(row: dict[str, Any]) -> bool:
    """A demonstrable effect: the paired interval of prevented burglaries lies above zero.

    (Rows of an older comparison.json have no "effect": it is read from the interval.)
    """
    if "effect" in row:
        return row["effect"] == "fewer"
    lo, hi = row.get("prevented_interval") or (None, None)
    return lo is not None and hi is not None and lo > 0


def _cpp(row: dict[str, Any], lang: str) -> str:
    """Cost per prevented burglary: only for a demonstrable effect that costs money."""
    if row["reference"]:
        return "–"
    if not _fewer(row):
        return tr(lang, "no_effect")
    if not row["cost_eur_per_year"] or row["cost_per_prevented_eur"] is None:
        return "–"
    return _both(row["cost_per_prevented_eur"], row["cost_per_prevented_interval"], lang, "eur")


def _both(value: float | None, iv: list, lang: str, kind: str = "num", decimals: int = 0) -> str:
    """A value with its interval on a second line (no line when the interval is unknown)."""
    f = {"num": lambda v: num(v, lang, decimals), "pct": lambda v: pct(v, lang, decimals),
         "eur": lambda v: eur(v, lang)}[kind]
    text = interval(iv[0], iv[1], lang, kind, decimals)
    return f(value) if iv[0] is None and iv[1] is None else f"{f(value)}\n{text}"


def _tables(comp: dict[str, Any], lang: str, first: int, last: int) -> list[Block]:
    p = comp["provenance"]
    rows_a, rows_b = [], []
    for r in comp["rows"]:
        name = label(r["scenario"], lang) + (tr(lang, "reference_tag") if r["reference"] else "")
        after = r["persistence"]
        ref = r["reference"]  # its change against itself is 0 by definition: shown as '–'
        rows_a.append([
            name,
            _both(r["woninginbraken_per_year"], r["woninginbraken_interval"], lang),
            "–" if ref else _both(r["change_vs_reference_pct"], r["interval"], lang, "pct", 1),
            "–" if ref else _both(r["prevented_per_year"], r["prevented_interval"], lang),
            eur(r["cost_eur_per_year"], lang),
            _cpp(r, lang),
        ])
        rows_b.append([
            name,
            _both(r["arrests_per_year"], r["arrests_interval"], lang),
            "–" if ref else displacement_text(r, lang),
            _both(after["after_change_pct"], after["after_interval"], lang, "pct", 1),
        ])
    keys_a = ("t_scenario", "t_burglaries", "t_change", "t_prevented", "t_cost", "t_cpp")
    keys_b = ("t_scenario", "t_arrests", "t_displacement", "t_after")
    treated = ", ".join(w["name"] for w in comp["figures"]["wijken"]
                        if w["code"] in p["wdq_areas"]["treated"])
    return [
        Block("p", tr(lang, "table_intro", first=first, last=last, reps=p["replications"],
                      ref=label(comp["reference"], lang))),
        Block("table", header=[tr(lang, k, first=first, last=last) for k in keys_a],
              items=rows_a, widths=[1.3, 1.25, 1.4, 1.0, 1.1, 1.45]),
        Block("h2", tr(lang, "table2_intro")),
        Block("table", header=[tr(lang, k) for k in keys_b], items=rows_b,
              widths=[1.4, 1.1, 2.4, 1.1]),
        *(Block("p", n, small=True) for n in paragraphs(lang, "notes", first=first, last=last,
                                                        treated=f"({treated})",
                                                        minreps=MIN_REPLICATIONS)),
    ]


def _assumptions(comp: dict[str, Any], lang: str) -> list[Block]:
    """The assumptions table, generated from the run (:mod:`sim.report.assumptions`)."""
    return [Block("p", tr(lang, "assumptions_intro", ref=label(comp["reference"], lang))),
            Block("table", header=assumption_head(lang), items=assumption_rows(comp, lang),
                  widths=[2.0, 1.2, 2.8])]


def _years(years: float, lang: str) -> str:
    return num(years, lang, 2 if years % 1 else 0)


def _provenance(comp: dict[str, Any], lang: str) -> list[Block]:
    p = comp["provenance"]
    cal = p["calibration"]
    cal_text = (f"{cal['file']} (sha256 {cal['sha256']})" if cal.get("used")
                else tr(lang, "p_cal_none"))
    areas = p["wdq_areas"]
    names = {w["code"]: w["name"] for w in comp["figures"]["wijken"]}
    resumed = [f"{r.get('command', '')} ({str(r.get('at', ''))[:16].replace('T', ' ')})"
               for r in p.get("resumed_by") or []]
    pairs = [
        (tr(lang, "p_version"), p["package_version"]),
        (tr(lang, "p_created"), p["created_at"]),
        (tr(lang, "p_command"), p["command"] or "–"),
        *([(tr(lang, "p_resumed"), "\n".join(resumed))] if resumed else []),
        (tr(lang, "p_folder"), p["results_dir"] or "–"),
        (tr(lang, "p_seed"), str(p["master_seed"])),
        (tr(lang, "p_reps"), f"{p['replications']} × {_years(p['years'], lang)}"),
        (tr(lang, "p_seeds"), ", ".join(str(s) for s in p["replication_seeds"])),
        (tr(lang, "p_hashes"), ", ".join(
            (f"{label(k, lang)} ({k})" if label(k, lang) != k else k) + f": {v['hash']}"
            for k, v in p["scenarios"].items())),
        (tr(lang, "p_calibration"), cal_text),
        (tr(lang, "p_wdq"), " / ".join(", ".join(names.get(c, c) for c in areas[k]) or "–"
                                       for k in ("treated", "buffer", "control"))),
    ]
    return [Block("table", header=[], items=[list(x) for x in pairs], widths=[1.4, 4.0])]


def warnings_text(comp: dict[str, Any], lang: str) -> list[str]:
    """The warnings a reader must see first: too few replications, a short horizon.

    The same checks as ``sim compare`` prints (``sim/analysis/compare/checks.py``); computed
    from the comparison itself, so an older comparison.json is checked too.
    """
    checks = comparison_checks(comp)
    out = []
    if checks["too_few_replications"]:
        out.append(tr(lang, "w_reps", reps=checks["replications"],
                      min=checks["min_replications"]))
        if checks["needed_replications"]:
            out[-1] += " " + tr(lang, "w_reps_need", n=checks["needed_replications"],
                                half=num(checks["target_half_width_pct"], lang))
    for item in checks["programmes_past_horizon"]:
        what = tr(lang, "w_part", part=tr(lang, "part_" + item["part"]),
                  name=label(item["scenario"], lang))
        out.append(tr(lang, "w_horizon", end=checks["horizon_end"], what=what,
                      first=item["first"], last=item["last"]))
    return out


def _programme_text(prog: list[int] | None, last: int, lang: str) -> str:
    """'Programma: 2024–2027.', structural, or running on past the horizon."""
    if not prog:
        return tr(lang, "no_programme")
    if prog[1] <= last:
        return tr(lang, "programme", first=prog[0], last=prog[1])
    if prog[1] - prog[0] >= MAX_YEARS:  # e.g. last_year = 2100: no end date
        return tr(lang, "structural")
    return tr(lang, "past_horizon", first=prog[0], last=prog[1], end=last)


def _page_one(comp: dict[str, Any], lang: str, sensitivity: dict[str, Any] | None,
              history: bool) -> list[Block]:
    """After the summary: what the interval is, the history figure, the team, what matters."""
    out = interval_blocks(comp, lang)
    if history:  # inline (small), under the summary
        out.append(Block("figure", p1_tr(lang, "hist_caption"), key=HISTORY, small=True,
                         alt=p1_tr(lang, "hist_alt")))
    else:
        out.append(Block("p", p1_tr(lang, "hist_missing"), small=True))
    return out + sensitivity_blocks(sensitivity, lang) + team_blocks(comp, lang)


def build_document(comp: dict[str, Any], lang: str = "nl",
                   sensitivity: dict[str, Any] | None = None,
                   history: bool = False) -> list[Block]:
    """The report as blocks, in ``lang`` ('nl' or 'en').

    ``sensitivity``: :func:`sim.report.page_one.load_sensitivity` of a sensitivity folder
    (page 1 names the assumptions that matter most); ``history``: a history figure
    (observed against simulated) is available for page 1.
    """
    if lang not in LANGS:
        raise UserError(f"unknown language '{lang}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")
    p = comp["provenance"]
    first = p["start_year"]
    last = first + int(-(-p["years"] // 1)) - 1
    yearly = comp["figures"]["yearly_totals"][comp["reference"]]
    full = int(p["years"] // 1)
    totals = [v for run in yearly for v in run[:full]]  # full years only
    ref = label(comp["reference"], lang)
    warn = warnings_text(comp, lang)
    doc = [Block("title", tr(lang, "title"),
                 items=[tr(lang, "subtitle", n=len(comp["rows"]), reps=p["replications"],
                           years=_years(p["years"], lang),
                           first=first, last=last, date=p["created_at"][:10])]),
           *([Block("warning", tr(lang, "h_warnings"), items=warn)] if warn else []),
           *_summary(comp, lang),
           *_page_one(comp, lang, sensitivity, history),
           Block("h1", tr(lang, "h_question")),
           *(Block("p", t) for t in paragraphs(lang, "question", nw=len(comp["figures"]["wijken"]),
                                               ref=ref)),
           Block("h1", tr(lang, "h_scenarios"))]
    n_geb = len(comp["figures"]["gebieden"])
    for r in comp["rows"]:
        params = p["scenarios"][r["scenario"]]["params"]
        doc.append(Block("h2", label(r["scenario"], lang)
                         + (tr(lang, "reference_tag") if r["reference"] else "")))
        if lang == "en" and r.get("description_en"):
            doc.append(Block("p", r["description_en"]))
        elif r["description"]:
            note = tr(lang, "descr_note") + " " if lang != "nl" else ""
            doc.append(Block("p", note + r["description"]))
        prog_text = _programme_text(r["programme"], last, lang)
        doc.append(Block("p", f"{_settings(params, n_geb, lang)}\n{prog_text}\n{_costs(r, lang)}"))
    doc += [Block("h1", tr(lang, "h_table")), *_tables(comp, lang, first, last),
            Block("h1", tr(lang, "h_figures"))]
    wijken = comp["figures"]["wijken"]
    polygons = bool(comp["figures"].get("map", {}).get("outlines"))
    if polygons:  # the map labels each wijk by the last two digits of its code
        key = ", ".join(f"{w['code'][-2:]} {w['name']}" + (f" ({w['code']})"
                                                          if w["name"] != w["code"] else "")
                        for w in wijken)
    else:
        key = ", ".join(f"{i + 1} {w['name']}" for i, w in enumerate(wijken))
    quarters = float(p["years"]) < 2 and bool(comp["figures"].get("quarterly_totals"))
    captions = {"fig1_over_time": tr(lang, "f1_caption",
                                     quarters=tr(lang, "f1_caption_q") if quarters else ""),
                "fig2_change_per_area": tr(lang, "f2_caption", first=first, last=last),
                "fig3_maps": tr(lang, "f3p_caption" if polygons else "f3_caption",
                                ref=ref) + " " + tr(lang, "wijk_key", key=key),
                "fig4_cost_vs_prevented": tr(lang, "f4_caption"),
                "fig5_persistence": tr(lang, "f5_caption")}
    messages = figure_messages(comp, lang)
    doc += [Block("figure", text=captions[k], key=k, alt=messages[k]) for k in FIGURES]
    doc += [Block("h1", tr(lang, "h_assumptions")), *_assumptions(comp, lang),
            Block("h1", tr(lang, "h_uncertainty")),
            *(Block("p", t) for t in paragraphs(
                lang, "uncertainty", reps=p["replications"], ref=ref,
                min=num(min(totals), lang) if totals else "–",
                max=num(max(totals), lang) if totals else "–")[: None if totals else -1]),
            Block("h1", tr(lang, "h_glossary")),
            Block("table", header=list(STRINGS[lang]["glossary_head"]),
                  items=[list(row) for row in STRINGS[lang]["glossary"]], widths=[1.6, 4.4]),
            *measures_blocks(comp, lang),
            Block("h1", tr(lang, "h_provenance")), *_provenance(comp, lang)]
    return doc


def build_report(folder: str | Path, fmt: str = "pdf", lang: str = "nl",
                 out: str | Path | None = None,
                 robustness: str | Path | None = None,
                 sensitivity: str | Path | None = None,
                 history: str | Path | None = None) -> Path:
    """Write the report of a comparison folder; returns the file written.

    ``robustness``: a ``sim robustness`` folder whose section "Hoe robuust is de keuze?"
    is added before the assumptions (see :mod:`sim.report.robustness`). ``sensitivity``: a
    ``sim sensitivity`` folder; page 1 names the assumptions that move the answer most.
    A history result (``sim history``: observed against simulated years) in the comparison
    folder, or in the folder ``history`` names, is shown on page 1; without one, page 1
    says it is missing.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}.",
                        field="--format")
    if lang not in LANGS:
        raise UserError(f"unknown language '{lang}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")
    comp = load_comparison(folder)
    sens = load_sensitivity(sensitivity) if sensitivity is not None else None
    draw_history = load_history(history if history is not None else folder)
    if history is not None and draw_history is None:
        raise UserError("holds no history.json; run 'sim history --out DIR' and pass that "
                        "folder.", file=str(history), field="--history")
    doc = build_document(comp, lang, sens, draw_history is not None)
    section = None
    if robustness is not None:
        from sim.report.robustness import load_section

        section = load_section(robustness)
    out = Path(out) if out else Path(folder) / f"report-{lang}.{fmt}"
    if out.is_dir():
        raise UserError("is a folder; give the report's file name.", file=str(out),
                        field="--out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder ({exc.strerror}).", file=str(out.parent),
                        field="--out") from None
    import matplotlib.pyplot as plt

    from sim.report.figures import STYLE, make_figures

    with plt.rc_context(STYLE):
        figures = make_figures(comp, lang, in_report=True)
        if draw_history is not None:
            figures[HISTORY] = draw_history(lang)
        if "shock" in comp:  # sim compare --shock: "Als er een inbraakgolf komt"
            from sim.report.shock import add_section as add_shock

            doc, figures = add_shock(doc, figures, comp, lang, before=tr(lang, "h_assumptions"))
        if section is not None:
            from sim.report.robustness import add_section

            doc, figures = add_section(doc, figures, section, lang,
                                       before=tr(lang, "h_assumptions"))
        try:
            _render(doc, figures, out, fmt, lang, comp)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(f"the report {out}") from None
            raise UserError(f"cannot write the report ({exc.strerror or exc}).", file=str(out),
                            field="--out") from None
        finally:
            for f in figures.values():
                plt.close(f)
    return out


def _render(doc: list[Block], figures: dict[str, Any], out: Path, fmt: str, lang: str,
            comp: dict[str, Any]) -> None:
    """Lay the document out as HTML or PDF into ``out``."""
    if fmt == "html":
        from sim.report.html import render_html

        out.write_text(render_html(doc, figures, lang), encoding="utf-8")
    else:
        from sim.report.pdf import render_pdf

        render_pdf(doc, figures, out, lang, comp)
