"""``sim robustness``, ``sim discover`` and ``sim robustness-report``: robust choices.

``sim robustness EXPERIMENT`` runs (or finishes) an experiment with policies — every policy
in every sampled world, the same seeds — and reports per policy the share of worlds in
which it is best, its regret, its outcomes over the worlds, and for each pair the share of
worlds in which one beats the other. ``sim discover DIR --where EXPR`` finds, with PRIM
and feature scoring (EMA Workbench), what must be true of a world for EXPR to hold.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from sim.analysis.design import load_design
from sim.analysis.policies import world_table
from sim.analysis.robustness import (
    analyse_folder,
    check_criterion,
    write_figures,
    write_result,
)
from sim.cli.app import BURN_IN, CITY, app, console, out_console, print_json
from sim.cli.sweep import (
    BATCH,
    EXPERIMENT_ARG,
    JSON,
    OUT,
    REPS,
    SCHEDULER,
    WORKERS,
    YEARS,
    _load,
    _sweep,
    sweep_made_by,
)
from sim.core.errors import UserError
from sim.runs.folders import folder_lock, results_folder
from sim.runs.store import ResultStore

LANGS = ("nl", "en")
CRITERION = typer.Option("woninginbraken_per_year", "--criterion",
                         help="What 'best' means: woninginbraken_per_year (default), "
                              "prevented_per_year, cost_per_prevented_eur, ...")
LANG = typer.Option("nl", "--lang", help="Language of the figures and report: nl or en.")
WORLDS = typer.Option(None, "--n", min=1, max=1_000_000,
                      help="Override the number of worlds (LHS size; Sobol: base n, a power "
                           "of 2).")


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise UserError(f"unknown language '{lang}'; choose one of: {', '.join(LANGS)}.",
                        field="--lang")


@app.command()
def robustness(experiment: str = EXPERIMENT_ARG, n: int = WORLDS, years: float = YEARS,
               replications: int = REPS, workers: int = WORKERS, scheduler: str = SCHEDULER,
               out: Path = OUT, criterion: str = CRITERION, lang: str = LANG,
               batch_size: int = BATCH, city: str = CITY, burn_in: float = BURN_IN,
               as_json: bool = JSON) -> None:
    """Every policy in every sampled world: share best, regret, outcomes, pairwise wins."""
    check_criterion(criterion)
    _check_lang(lang)
    exp, default = _load(experiment, n, None, replications, years, scheduler, city, burn_in)
    if not exp.policies:
        raise UserError("declares no policies; robustness needs 'policies = [\"baseline\", "
                        "\"interventieteam\", ...]' beside its [[parameters]] (see "
                        "experiments/robuustheid.toml).", file=exp.source or experiment)
    out = out or Path("results") / default
    con = out_console(as_json)
    t0 = time.perf_counter()
    status = _sweep(exp, out, workers, scheduler, batch_size, con)
    seconds = time.perf_counter() - t0
    with results_folder(out, sweep_made_by(exp), announce_resume=False):
        res, table = analyse_folder(out, criterion, {"command": shlex.join(["sim",
                                                                            *sys.argv[1:]]),
                                                     "results_dir": str(out)})
        with ResultStore(out, read_only=True) as store:
            design = load_design(store)
        files = write_result(res, table, design.names, design.X, out)
        files += write_figures(res, table, out, lang)
    if as_json:
        print_json({"policies": res["policies"], "pairwise": res["pairwise"],
                    "criterion": res["criterion"], "lower_is_better": res["lower_is_better"],
                    "worlds": res["worlds"], "reference": res["reference"],
                    "results_dir": str(out), "runs": status.total,
                    "already_done": status.done_before, "ran_now": status.done_now,
                    "seconds": seconds, "files": [str(f) for f in files]})
        return
    _print(res, con)
    con.print(f"{status.total} runs in {out} ({status.done_before} already done, "
              f"{status.done_now} run now). Files: {', '.join(str(f) for f in files)}")


def _fmt(v: float | None, digits: int = 0) -> str:
    return "–" if v is None or v != v else f"{v:,.{digits}f}"


def _cost_cell(o: dict, cell) -> str:  # noqa: ANN001
    """€ per prevented burglary, '–' where on average none were prevented.

    A negative or zero count makes the ratio meaningless, whatever the worlds with some
    prevented say.
    """
    prevented = o["prevented_per_year"]["mean"]
    if prevented is None or prevented != prevented or prevented <= 0:
        return "–"
    return cell("cost_per_prevented_eur")


def _policy_table(res: dict, intervals: bool) -> Table:
    """The robustness table, with the 90% ranges under each mean or without them."""
    crit = res["criterion"]
    t = Table(title=f"Robustness over {res['worlds']} worlds (criterion: {crit}, "
                    f"{'lower' if res['lower_is_better'] else 'higher'} is better; "
                    f"reference {res['reference']})")
    tag = " (90%)" if intervals else " (mean)"
    for c in ("policy", "share best", "regret max", "regret p90", "woninginbraken/yr" + tag,
              "prevented/yr" + tag, "€ per prevented" + tag):
        t.add_column(c, justify="left" if c == "policy" else "right")
    for p in res["policies"]:
        o = p["outcomes"]

        def cell(key: str, digits: int = 0, o: dict = o) -> str:
            v = o[key]
            if not intervals:
                return _fmt(v["mean"], digits)
            return (f"{_fmt(v['mean'], digits)}\n({_fmt(v['low'], digits)} – "
                    f"{_fmt(v['high'], digits)})")

        t.add_row(p["name"], f"{100 * (p['share_best'] or 0):.0f}%",
                  _fmt(p["regret_max"], 1), _fmt(p["regret_p90"], 1),
                  cell("woninginbraken_per_year"), cell("prevented_per_year"),
                  _cost_cell(o, cell))
    return t


def _fits(table: Table, width: int) -> bool:
    """Whether ``table`` prints at its natural width (no cell squeezed) in ``width``."""
    from rich.console import Console

    return Console(width=10_000).measure(table).maximum <= width


def _print(res: dict, con) -> None:  # noqa: ANN001
    t = _policy_table(res, intervals=True)
    if not _fits(t, con.width):  # too narrow: means only, and the headers say so
        t = _policy_table(res, intervals=False)
        t.caption = "means only: the 90% ranges need a wider terminal (or use --json)"
    con.print(t)
    pt = Table(title="A beats B (share of worlds, 90% Wilson interval)")
    for c in ("A", "B", "A better", "90% interval", "B better", "tied"):
        pt.add_column(c, justify="left" if c in ("A", "B") else "right")
    for r in res["pairwise"]:
        def pc(v: float | None) -> str:
            return "–" if v is None or v != v else f"{100 * v:.0f}%"

        pt.add_row(r["a"], r["b"], pc(r["share_a_better"]),
                   f"{pc(r['low'])} – {pc(r['high'])}", pc(r["share_b_better"]),
                   pc(r["share_tied"]))
    con.print(pt)


@app.command()
def discover(folder: Path = typer.Argument(..., help="A folder written by 'sim robustness'."),
             where: str = typer.Option(..., "--where", help="A condition on the policies' "
                                       "outcomes per world, e.g. 'wijkregisseur.cost_per_"
                                       "prevented_eur < interventieteam.cost_per_prevented_eur'."),
             boxes: int = typer.Option(1, "--boxes", min=1, max=10,
                                       help="How many PRIM boxes to find (one after another)."),
             min_density: float = typer.Option(
                 None, "--min-density", min=0.0, max=1.0,
                 help="Choose the box of highest coverage with at least this density "
                      "(default: the box with the best F1 of coverage and density)."),
             label: str = typer.Option(None, "--label",
                                       help="Plain words for the condition in the report, "
                                            "e.g. 'wijkregisseurs kosten minder per "
                                            "voorkomen inbraak'."),
             out: Path = typer.Option(None, "--out", help="Folder for discovery.json and the "
                                      "figures (default FOLDER/discoveries/<hash of EXPR>); "
                                      "the results folder itself is only read."),
             lang: str = LANG, as_json: bool = JSON) -> None:
    """Scenario discovery: PRIM boxes and feature scores of where EXPR holds (EMA Workbench)."""
    from sim.analysis.discovery import discover as run_discovery
    from sim.analysis.discovery import discovery_folder, parse_where, write_discovery

    _check_lang(lang)
    if label is not None and len(label) > 300:
        raise UserError("is longer than 300 characters.", field="--label")
    if not folder.is_dir():
        raise UserError(f"results folder not found: {folder}. Run 'sim robustness EXPERIMENT "
                        "--out DIR' first and pass that folder.", field="FOLDER")
    with ResultStore(folder, read_only=True) as store:  # reading needs no write access
        design = load_design(store)
        table = world_table(store, design)
        meta = store.get_meta("experiment")
    parse_where(where, design.policies, list(table.columns))  # bad EXPR: exit 2, early
    con = out_console(as_json)
    res = run_discovery(design, table, where, boxes=boxes, min_density=min_density)
    if label:
        res["label"] = label
    provenance = {"experiment": meta["name"], "hash": meta["hash"], "results_dir": str(folder),
                  "command": shlex.join(["sim", *sys.argv[1:]])}
    if out is not None:  # elsewhere: the results folder is only read
        files = write_discovery(res, out, provenance, lang)
    else:
        with folder_lock(folder):
            files = write_discovery(res, discovery_folder(folder, where), provenance, lang)
    if as_json:
        print_json({"base_rate": res["base_rate"], "boxes": res["boxes"],
                    "feature_scores": res["feature_scores"], "where": where,
                    "worlds": res["worlds"], "cases": res["cases"],
                    "files": [str(f) for f in files], **({"note": res["note"]}
                                                         if "note" in res else {})})
        return
    con.print(f"[bold]{escape(where)}[/]: holds in {res['cases']} of {res['worlds']} worlds "
              f"(base rate {100 * res['base_rate']:.0f}%).")
    if "note" in res:
        con.print(res["note"])
    for k, b in enumerate(res["boxes"]):
        t = Table(title=f"PRIM box {k + 1}: coverage {b['coverage']:.2f}, density "
                        f"{b['density']:.2f}, mass {b['mass']:.2f}")
        for c in ("uncertainty", "low", "high", "quasi-p low", "quasi-p high"):
            t.add_column(c, justify="left" if c == "uncertainty" else "right")
        for name, (lo, hi) in b["limits"].items():
            q = b["quasi_p"].get(name, [None, None])
            t.add_row(name, f"{lo:.4g}", f"{hi:.4g}",
                      *("–" if v is None else f"{v:.2g}" for v in q))
        con.print(t)
    if res["feature_scores"]:
        t = Table(title="Feature scores (extra trees)")
        t.add_column("uncertainty")
        t.add_column("score", justify="right")
        for name, s in res["feature_scores"].items():
            t.add_row(name, f"{s:.3f}")
        con.print(t)
    con.print(f"files: {', '.join(str(f) for f in files)}")


@app.command("robustness-report")
def robustness_report(
    folder: Path = typer.Argument(..., help="A folder written by 'sim robustness'."),
    fmt: str = typer.Option("html", "--format", help="html (a single file) or pdf."),
    lang: str = LANG,
    out: Path = typer.Option(None, "--out", help="Output file (default "
                                                 "FOLDER/robustness-<lang>.<format>)."),
) -> None:
    """The report section 'Hoe robuust is de keuze?' on its own (HTML or PDF)."""
    from sim.report.robustness import build_robustness_report

    _check_lang(lang)
    path = build_robustness_report(folder, fmt, lang, out)
    console.print(f"report: {path}")
