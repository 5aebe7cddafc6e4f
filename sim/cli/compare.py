"""``sim compare`` (scenarios side by side, same seeds) and ``sim report`` (PDF / HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.analysis.compare.checks import comparison_checks
from sim.analysis.compare.comparison import plan_comparison, run_comparison
from sim.analysis.compare.metrics import MIN_REPLICATIONS
from sim.analysis.evidence.natural.posterior_file import RECORD_TEAM_SCENARIO, runs_team
from sim.cli.app import (
    BURN_IN,
    CITY,
    app,
    console,
    err_console,
    out_console,
    print_json,
    resolve_city,
)
from sim.cli.lang import LANG_OPTION, resolve_lang, t
from sim.cli.run import MAX_REPLICATIONS, WORKERS, default_out, run_into_store
from sim.model.scenario import MAX_YEARS
from sim.report.build import warnings_text
from sim.report.text import round_money
from sim.report.text import tr as report_tr
from sim.runs.export import export_csv
from sim.runs.folders import MadeBy, command_line, folder_history, results_folder
from sim.runs.runner import check_spec
from sim.runs.seeds import MAX_SEED
from sim.runs.store import ResultStore

#: Keys left out of ``--json`` rows (they are in comparison.json, for the figures).
HEAVY_KEYS = ("areas", "per_wijk_per_1000_households", "per_wijk_change_per_1000_households",
              "description")


def print_checks(comp: dict[str, Any], lang: str, con: Console = err_console) -> list[str]:
    """Print the comparison's warnings (too few replications, short horizon) on stderr.

    Returns the lines printed (without markup). The same checks as the report's "Let op".
    """
    lines = warnings_text(comp, lang)  # the report's "Let op", word for word
    for line in lines:
        con.print(f"[yellow]{t(lang, 'warning')}:[/] {escape(line)}", highlight=False,
                  soft_wrap=True)
    return lines


@app.command()
def compare(
    scenarios: list[str] = typer.Argument(
        ..., help="Scenario names or .toml paths; the first is the reference (e.g. baseline)."),
    years: float = typer.Option(
        None, "--years", min=0.01, max=MAX_YEARS,
        help="Simulated years (default: every programme's end plus 2 years; 6 for the "
             "shipped scenarios, 2024-2029)."),
    replications: int = typer.Option(10, "--replications", "-r", min=1, max=MAX_REPLICATIONS,
                                     help="Replications per scenario (the same seeds for all)."),
    seed: int = typer.Option(42, "--seed", min=0, max=MAX_SEED, help="Master seed."),
    workers: int = WORKERS,
    out: Path = typer.Option(None, "--out", help="Results folder (default "
                                                 "results/compare-<time>/); reruns resume."),
    lang: str = LANG_OPTION,
    city: str = CITY,
    burn_in: float = BURN_IN,
    parameter_draws: int = typer.Option(
        None, "--parameter-draws", min=1, max=MAX_REPLICATIONS,
        help="Spread the replications over N draws of the calibrated parameters from "
             "calibrated.toml's [uncertainty] (replication r uses draw r mod N in every "
             "scenario), so intervals include parameter uncertainty."),
    as_json: bool = typer.Option(False, "--json", help="Print the key table as JSON."),
    shock: str = typer.Option(
        None, "--shock", help="A scenario with [[shocks]] (e.g. inbraakgolf): every option "
                              "also runs with its wave; prints per option the extra "
                              "burglaries and the weeks until the excess halves."),
) -> None:
    """Run scenarios with the same seeds; print the key table, write figures and JSON.

    Warns (on stderr) below 10 replications, with how many would give ±5% intervals, and
    when the horizon ends before a programme does.
    """
    lang = resolve_lang(lang)
    plan = plan_comparison(scenarios, years, replications, seed, city=resolve_city(city),
                           burn_in=burn_in, parameter_draws=parameter_draws, shock=shock)
    out = out or default_out("compare")
    con = out_console(as_json)
    command = command_line()

    def runner(specs: list, store: ResultStore) -> None:
        run_into_store(specs, store, workers, None, con, "compare")

    for spec in plan.specs():
        check_spec(spec)
    names = ", ".join(sc.name for sc in plan.scenarios)
    identity = {"scenarios": {sc.name: sc.content_hash() for sc in plan.scenarios},
                "order": [sc.name for sc in plan.scenarios], "seed": seed,
                "years": plan.years, "replications": plan.replications}
    draws_text = ""
    if plan.draws:  # the draws are part of what the folder holds (absent: none)
        identity["parameter_draws"] = len(plan.draws)
        identity["calibration"] = plan.draw_info["sha256"]
        draws_text = f", {len(plan.draws)} parameter draw(s)"
    made_by = MadeBy("compare", f"'sim compare {names}' (seed {seed}, {plan.replications} "
                                f"replication(s), {plan.years:g} years{draws_text})", identity)
    with results_folder(out, made_by):
        with ResultStore(out) as store:
            history = folder_history(store)  # the creating command, and later resumes
        comp = run_comparison(plan, out, runner, command, history)
        with ResultStore(out) as store:
            export_csv(store, out)
        from sim.report.figures import write_figures  # matplotlib only when needed

        write_figures(comp, Path(out) / "figures", lang)
    if as_json:
        print_checks(comp, lang)
        rows = [{k: v for k, v in row.items() if k not in HEAVY_KEYS}
                | _team_estimates(comp, row) for row in comp["rows"]]
        # per option: the wave's excess and recovery (sim.analysis.compare.shock)
        if "shock" in comp:
            by_name = {o["scenario"]: o for o in comp["shock"]["options"]}
            for row in rows:
                o = by_name.get(row["scenario"])
                if o is not None:
                    row["shock"] = {k: v for k, v in o.items() if not k.startswith("weekly")}
        print_json(rows)
        return
    _print_table(comp, out, lang)
    if "shock" in comp:
        _print_shock(comp["shock"], lang)
    print_checks(comp, lang)
    _print_team_estimates(comp, lang)


def _team_estimates(comp: dict, row: dict) -> dict:
    """A team option's row carries both estimates of the team's effect (sim evidence)."""
    est = comp.get("team_estimates")
    return {"team_estimates": est} if est and runs_team(comp, row["scenario"]) else {}


def _signed(x: float) -> str:
    """A signed whole percentage; 0% without a sign (never "-0%")."""
    return "0%" if round(100 * x) == 0 else f"{x:+.0%}"


def _print_team_estimates(comp: dict, lang: str) -> None:
    est = comp.get("team_estimates")
    if not est or not any(runs_team(comp, r["scenario"]) for r in comp["rows"]):
        return
    pred, own = _signed(est["predicted_from_studies"]), _signed(est["after_record"])
    lo, hi = _signed(est["after_record_p5"]), _signed(est["after_record_p95"])
    k = (est.get("team_after_record") or {}).get("strength")
    ran = any(r["scenario"] == RECORD_TEAM_SCENARIO for r in comp["rows"])
    if lang == "nl":
        console.print(f"Effect van een inbrakenteam: voorspeld uit studies elders {pred}; na "
                      f"Amstelveens eigen cijfers {own} ({lo} … {hi}). {est['plain_nl']}",
                      highlight=False)
        if k is not None:
            console.print(f"Het team met het effect dat de eigen cijfers toelaten "
                          f"(aanhoudingen en identificaties x {k:g}) is het scenario "
                          f"{RECORD_TEAM_SCENARIO}"
                          + ("." if ran else "; zet het in de vergelijking om het ernaast te "
                                             "zien."), highlight=False)
    else:
        console.print(f"Team effect: predicted from studies elsewhere {pred}; after the city's "
                      f"own record {own} ({lo} … {hi}). {est['plain']}", highlight=False)
        if k is not None:
            console.print(f"The team with the effect the city's own record allows (arrests and "
                          f"identifications x {k:g}) is the scenario {RECORD_TEAM_SCENARIO}"
                          + ("." if ran else "; add it to the comparison to see it beside "
                                             "the others."), highlight=False)


def _print_shock(shock: dict[str, Any], lang: str) -> None:
    """Per option: the wave's extra burglaries and the weeks until the excess halves."""
    nl = lang == "nl"
    tb = Table(title=(f"Als er een inbraakgolf komt ({shock['technique']}, vanaf "
                      f"{shock['start']})" if nl else
                      f"If a burglary wave comes ({shock['technique']}, from {shock['start']})"))
    for col in (("optie", "extra inbraken door de golf", "minder dan zonder optie",
                 "weken tot de helft") if nl else
                ("option", "extra burglaries from the wave", "fewer than without the option",
                 "weeks to half")):
        tb.add_column(col, justify="right" if col not in ("optie", "option") else "left")
    for o in shock["options"]:
        weeks = o["half_recovery_weeks"]
        tb.add_row(o["scenario"],
                   _v(o["excess_burglaries"], "{:,.0f}", lang)
                   + _iv(o["excess_interval"], "{:,.0f}", lang),
                   "–" if o["fewer_than_reference"] is None else
                   _v(o["fewer_than_reference"], "{:,.0f}", lang)
                   + _iv(o["fewer_interval"], "{:,.0f}", lang),
                   ("niet binnen de horizon" if nl else "not within the horizon")
                   if weeks is None else str(weeks))
    console.print(tb)


def _local(text: str, lang: str) -> str:
    if lang != "nl":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _iv(values: list, fmt: str, lang: str) -> str:
    lo, hi = values
    if lo is None or hi is None or lo != lo or hi != hi:
        return ""
    return f"\n[dim]{_local(fmt.format(lo), lang)}…{_local(fmt.format(hi), lang)}[/]"


def _v(x: float | None, fmt: str, lang: str) -> str:
    return "–" if x is None or x != x else _local(fmt.format(x), lang)


def _money(x: float | None, lang: str) -> str:
    return _v(None if x is None else round_money(x), "{:,.0f}", lang)


def _cpp(r: dict[str, Any], lang: str) -> str:
    """€ per prevented burglary: only where the prevented interval excludes 0."""
    if r["reference"]:
        return "–"
    if r.get("effect", "fewer") != "fewer":
        return t(lang, "no_effect")
    if r["cost_per_prevented_eur"] is None:
        return "–"
    lo, hi = r["cost_per_prevented_interval"]
    iv = ("" if lo is None or hi is None else
          f"\n[dim]{_money(lo, lang)}…{_money(hi, lang)}[/]")
    return _money(r["cost_per_prevented_eur"], lang) + iv


def _print_table(comp: dict, out: Path, lang: str) -> None:
    p = comp["provenance"]
    last = p["start_year"] + int(-(-p["years"] // 1)) - 1
    tb = Table(title=t(lang, "cmp_title", ref=comp["reference"], reps=p["replications"],
                       years=_local(f"{p['years']:g}", lang), first=p["start_year"], last=last,
                       seed=p["master_seed"]))
    t2 = Table(title=t(lang, "cmp_title2"))
    for table, cols in ((tb, ("c_burglaries", "c_change", "c_prevented", "c_cost", "c_cpp")),
                        (t2, ("c_arrests", "c_wdq", "c_spread", "c_after"))):
        table.add_column(t(lang, "scenario"), no_wrap=True)
        for col in cols:
            table.add_column(t(lang, col), justify="right")
    for r in comp["rows"]:
        after = r["persistence"]
        tb.add_row(
            r["scenario"],
            _v(r["woninginbraken_per_year"], "{:,.0f}", lang)
            + _iv(r["woninginbraken_interval"], "{:,.0f}", lang),
            "–" if r["reference"] else
            _v(r["change_vs_reference_pct"], "{:+.1f}", lang) + _iv(r["interval"], "{:+.0f}",
                                                                   lang),
            "–" if r["reference"] else
            _v(r["prevented_per_year"], "{:,.0f}", lang)
            + _iv(r["prevented_interval"], "{:,.0f}", lang),
            _money(r["cost_eur_per_year"], lang),
            _cpp(r, lang),
        )
        t2.add_row(
            r["scenario"],
            _v(r["arrests_per_year"], "{:,.1f}", lang) + _iv(r["arrests_interval"], "{:,.1f}",
                                                             lang),
            _v(r["wdq"], "{:.2f}", lang) + _iv(r["wdq_interval"], "{:.2f}", lang),
            _v(r["spread_cv"], "{:.2f}", lang) + _iv(r["spread_cv_interval"], "{:.2f}", lang),
            _v(after["after_change_pct"], "{:+.1f}", lang)
            + _iv(after["after_interval"], "{:+.1f}", lang),
        )
    console.print(tb)
    console.print(t2)
    console.print(t(lang, "cmp_note", minreps=MIN_REPLICATIONS), style="dim", highlight=False)
    draws = p.get("parameter_draws")
    if draws:
        clipped = ", ".join(f"{k} {v}" for k, v in draws.get("clipped", {}).items() if v)
        console.print(t(lang, "draws", n=draws["n"], params=", ".join(draws["parameters"]),
                        file=draws["file"], clipped=clipped or "0"), style="dim",
                      highlight=False)
        for r in comp["rows"]:
            d = r.get("draw_effect")
            if d and d.get("median") is not None:
                top = ", ".join(f"{s['input']} ({s['share']:.0%})" for s in d["spread"][:3])
                console.print(t(lang, "draw_effect", name=r["scenario"], n=d["draws"],
                                median=d["median"], p5=d["p5"], p95=d["p95"],
                                top=top or "–"), highlight=False)
    for item in comparison_checks(comp)["structural_programmes"]:
        console.print(t(lang, "structural", name=item["scenario"],
                        part=report_tr(lang, "part_" + item["part"])), style="dim",
                      highlight=False)
    console.print(t(lang, "cmp_results", dir=out) + "\n" + t(lang, "cmp_report", dir=out),
                  highlight=False)


@app.command()
def report(
    folder: Path = typer.Argument(..., help="A folder written by 'sim compare'."),
    fmt: str = typer.Option("pdf", "--format", metavar="pdf|html",
                            help="pdf or html (a single file)."),
    lang: str = typer.Option("nl", "--lang", metavar="nl|en",
                             help="Language of the report and of this command's output: nl "
                                  "(default: the report is for the gemeenteraad) or en."),
    out: Path = typer.Option(None, "--out", help="Output file (default "
                                                 "FOLDER/report-<lang>.<format>)."),
    robustness: Path = typer.Option(None, "--robustness", help="A 'sim robustness' folder: "
                                    "adds the section 'Hoe robuust is de keuze?'."),
    sensitivity: Path = typer.Option(None, "--sensitivity", help="A 'sim sensitivity' folder "
                                     "(Morris or Sobol): page 1 names the assumptions that "
                                     "move the answer most."),
    history: Path = typer.Option(None, "--history", help="A 'sim history' folder: page 1 "
                                 "shows the model against the police record (default: "
                                 "FOLDER/history.json or FOLDER/history/ when present)."),
) -> None:
    """Build the council report of a comparison folder (PDF or single-file HTML).

    Warns (on stderr, and in the report) below 10 replications and when the horizon ends
    before a programme does.
    """
    from sim.report.build import build_report, load_comparison

    lang = resolve_lang(lang)
    path = build_report(folder, fmt, lang, out, robustness=robustness,
                        sensitivity=sensitivity, history=history)
    print_checks(load_comparison(folder, check_store=False), lang)
    console.print(t(lang, "report", path=path), highlight=False)
