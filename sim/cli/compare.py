"""``sim compare`` (scenarios side by side, same seeds) and ``sim report`` (PDF / HTML)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.table import Table

from sim.analysis.compare import plan_comparison, run_comparison
from sim.cli.app import BURN_IN, CITY, app, console, out_console, print_json, resolve_city
from sim.cli.run import MAX_REPLICATIONS, WORKERS, default_out, run_into_store
from sim.core.errors import UserError
from sim.model.scenario import MAX_YEARS
from sim.report.text import LANGS
from sim.runs.export import export_csv
from sim.runs.folders import MadeBy, results_folder
from sim.runs.runner import check_spec
from sim.runs.seeds import MAX_SEED
from sim.runs.store import ResultStore

#: Keys left out of ``--json`` rows (they are in comparison.json, for the figures).
HEAVY_KEYS = ("areas", "per_wijk_per_1000_households", "per_wijk_change_per_1000_households",
              "description")


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise UserError(f"unknown language '{lang}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")


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
    lang: str = typer.Option("nl", "--lang", help="Language of the figures: nl or en."),
    city: str = CITY,
    burn_in: float = BURN_IN,
    parameter_draws: int = typer.Option(
        None, "--parameter-draws", min=1, max=MAX_REPLICATIONS,
        help="Spread the replications over N draws of the calibrated parameters from "
             "calibrated.toml's [uncertainty] (replication r uses draw r mod N in every "
             "scenario), so intervals include parameter uncertainty."),
    as_json: bool = typer.Option(False, "--json", help="Print the key table as JSON."),
) -> None:
    """Run scenarios with the same seeds; print the key table, write figures and JSON."""
    _check_lang(lang)
    plan = plan_comparison(scenarios, years, replications, seed, city=resolve_city(city),
                           burn_in=burn_in, parameter_draws=parameter_draws)
    out = out or default_out("compare")
    con = out_console(as_json)
    command = "sim " + " ".join(shlex.quote(a) for a in sys.argv[1:])

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
        comp = run_comparison(plan, out, runner, command)
        with ResultStore(out) as store:
            export_csv(store, out)
        from sim.report.figures import write_figures  # matplotlib only when needed

        write_figures(comp, Path(out) / "figures", lang)
    if as_json:
        print_json([{k: v for k, v in row.items() if k not in HEAVY_KEYS}
                    for row in comp["rows"]])
        return
    _print_table(comp, out)


def _iv(values: list, fmt: str) -> str:
    lo, hi = values
    if lo is None or hi is None or lo != lo or hi != hi:
        return ""
    return f"\n[dim]{fmt.format(lo)}…{fmt.format(hi)}[/]"


def _v(x: float | None, fmt: str) -> str:
    return "–" if x is None or x != x else fmt.format(x)


def _print_table(comp: dict, out: Path) -> None:
    p = comp["provenance"]
    last = p["start_year"] + int(-(-p["years"] // 1)) - 1
    t = Table(title=f"Against '{comp['reference']}': {p['replications']} replication(s) x "
                    f"{p['years']:g} year(s) ({p['start_year']}-{last}), seed "
                    f"{p['master_seed']}. Means per year; 90% interval below.")
    t2 = Table(title="Side effects and persistence")
    for table, cols in ((t, ("burglaries", "change %", "prevented", "extra cost €",
                             "€ per prevented")),
                        (t2, ("arrests", "WDQ", "spread (CV)", "after end %"))):
        table.add_column("scenario", no_wrap=True)
        for col in cols:
            table.add_column(col, justify="right")
    for r in comp["rows"]:
        after = r["persistence"]
        t.add_row(
            r["scenario"],
            _v(r["woninginbraken_per_year"], "{:,.0f}") + _iv(r["woninginbraken_interval"],
                                                             "{:,.0f}"),
            "–" if r["reference"] else
            _v(r["change_vs_reference_pct"], "{:+.1f}") + _iv(r["interval"], "{:+.0f}"),
            "–" if r["reference"] else
            _v(r["prevented_per_year"], "{:,.0f}") + _iv(r["prevented_interval"], "{:,.0f}"),
            _v(r["cost_eur_per_year"], "{:,.0f}"),
            _v(r["cost_per_prevented_eur"], "{:,.0f}"),
        )
        t2.add_row(
            r["scenario"],
            _v(r["arrests_per_year"], "{:,.1f}") + _iv(r["arrests_interval"], "{:,.1f}"),
            _v(r["wdq"], "{:.2f}") + _iv(r["wdq_interval"], "{:.2f}"),
            _v(r["spread_cv"], "{:.2f}") + _iv(r["spread_cv_interval"], "{:.2f}"),
            _v(after["after_change_pct"], "{:+.1f}") + _iv(after["after_interval"], "{:+.1f}"),
        )
    console.print(t)
    console.print(t2)
    console.print(
        "extra cost: mean per year over the whole horizon; WDQ: displacement (<0) or diffusion "
        "(>0) around the hotspot wijken, '–' when they do not clearly improve; spread: "
        "coefficient of variation of burglaries per 1,000 households between wijken; after "
        "end: change in the years after the programme's last year.", style="dim")
    draws = p.get("parameter_draws")
    if draws:
        console.print(f"intervals include parameter uncertainty: replication r ran with draw "
                      f"r mod {draws['n']} of the calibrated parameters "
                      f"({', '.join(draws['parameters'])}) from {draws['file']}.", style="dim",
                      highlight=False)
    console.print(f"results: {out}  (comparison.json, runs.sqlite, figures/*.png|svg)\n"
                  f"report:  sim report {out} [--format pdf|html] [--lang nl|en]")


@app.command()
def report(
    folder: Path = typer.Argument(..., help="A folder written by 'sim compare'."),
    fmt: str = typer.Option("pdf", "--format", help="pdf or html (a single file)."),
    lang: str = typer.Option("nl", "--lang", help="nl (default) or en."),
    out: Path = typer.Option(None, "--out", help="Output file (default "
                                                 "FOLDER/report-<lang>.<format>)."),
) -> None:
    """Build the council report of a comparison folder (PDF or single-file HTML)."""
    from sim.report.build import build_report

    path = build_report(folder, fmt, lang, out)
    console.print(f"report: {path}")
