"""``sim history``: the model against the police record, year by year."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from sim.analysis.history.figure import history_figure
from sim.analysis.history.fit import fit_record, write_record_fit
from sim.analysis.history.run import FIRST_YEAR, TEAMS, run_history
from sim.cli.app import app, out_console, print_json
from sim.cli.run import progress_bar
from sim.core.errors import UserError
from sim.core.jsonable import json_clean
from sim.core.paths import RESULTS
from sim.data.record import LAST_FIT_YEAR
from sim.runs.executors import freeze_imports
from sim.runs.runner import cached_city
from sim.runs.seeds import MAX_SEED


@app.command()
def history(
    city: str = typer.Argument("amstelveen", help="City name (a folder under calibration/)."),
    replications: int = typer.Option(40, "--replications", "-r", min=1, max=2000,
                                     help="Runs; spread over parameter draws of the record "
                                          "fit (one draw per 2 runs)."),
    from_year: int = typer.Option(FIRST_YEAR, "--from", min=FIRST_YEAR, max=2100,
                                  help=f"First simulated year ({FIRST_YEAR} or later)."),
    to_year: int = typer.Option(LAST_FIT_YEAR, "--to", min=FIRST_YEAR, max=2100,
                                help="Last simulated year (the record ends in 2023)."),
    out: Path = typer.Option(None, "--out", help="Folder for history.json and the figure "
                             "(default results/history-CITY-TIMESTAMP/)."),
    seed: int = typer.Option(42, "--seed", min=0, max=MAX_SEED, help="Master seed."),
    workers: int = typer.Option(None, "--workers", "-w", min=0, max=256,
                                help="Local worker processes (default: all cores)."),
    lang: str = typer.Option("nl", "--lang", help="Language of the figure: nl or en."),
    fit: bool = typer.Option(False, "--fit", help="Fit the level and the offending driver to "
                             "the record (2012-2019, forecast test 2020-2023, refit up to "
                             "2023) and write calibration/CITY/record_fit.toml first."),
    local_shocks: bool = typer.Option(
        True, "--local-shocks/--no-local-shocks",
        help="Each run draws yearly local shocks of the size the record shows in the other "
             "gemeenten (default); --no-local-shocks gives the band of replications and "
             "parameter draws alone."),
    team: str = typer.Option(
        "record", "--team",
        help="The team inputs the programmes that ran are worked with: 'record' (default: "
             "after the city's own record, team_record.toml, where written) or 'studies' "
             "(the priors: as predicted from studies elsewhere)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """The historical period with its drivers and programmes, against the police record.

    Per year: observed (CBS/Politie 47018NED), simulated mean, 90% band, inside or not.

    Also: the share of years inside the band, rmse of the log counts, and a figure.

    --json: {"city", "years": [{"year", "observed", "simulated", "low", "high",
    "inside"}], "coverage", "rmse_log"} and provenance keys.
    """
    if to_year < from_year:
        raise UserError(f"--to {to_year} is before --from {from_year}.", field="--to")
    if team not in TEAMS:
        raise UserError(f"--team {team!r}: allowed {', '.join(TEAMS)}.", field="--team")
    if lang not in ("nl", "en"):
        raise UserError(f"--lang {lang!r}: allowed nl or en.", field="--lang")
    cached_city(city)  # the city's data are checked before any run
    con = out_console(as_json)
    freeze_imports()
    t0 = time.perf_counter()
    fitted = None
    if fit:
        fitted = fit_record(city, workers=workers, say=lambda s: con.print(s, highlight=False))
        path = write_record_fit(fitted, city)
        con.print(f"wrote {path}", highlight=False)
    with progress_bar(con) as bar:
        task = bar.add_task("history", total=replications, rate="")
        res = run_history(city, replications=replications, from_year=from_year,
                          to_year=to_year, seed=seed, workers=workers,
                          local_shocks=local_shocks, team=team,
                          progress=lambda d, n: bar.update(task, completed=d))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = out or RESULTS / f"history-{city}-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    rec = json_clean({**res.record(), "seconds": round(time.perf_counter() - t0, 1),
                      **({"fit": fitted} if fitted else {})})
    (out / "history.json").write_text(__import__("json").dumps(rec, indent=1,
                                                                ensure_ascii=False))
    fig = history_figure(res, out / f"history_{lang}.png", lang=lang)
    if as_json:
        print_json(rec)
        return
    shocks = (f", yearly local shocks sd {res.local_shock_sd:.2f}" if res.local_shock_sd
              else ", no local shocks")
    shocks += (", team after the city's record" if res.team == "record" and res.programmes
               else ", team as predicted from studies" if res.programmes else "")
    t = Table(title=f"{city}: police record vs model ({res.replications} runs, "
                    f"{res.draws} parameter draws{shocks}, seed {seed})",
              box=box.SIMPLE_HEAD)
    for col in ("year", "observed", "simulated", "90% band", "inside"):
        t.add_column(col, justify="right")
    for r in res.rows():
        t.add_row(str(r["year"]), "–" if r["observed"] is None else f"{r['observed']:,}",
                  f"{r['simulated']:,.0f}", f"{r['low']:,.0f} … {r['high']:,.0f}",
                  "–" if r["inside"] is None else ("yes" if r["inside"] else "[red]no[/]"))
    con.print(t)
    cov = res.coverage()
    rmse = res.rmse_log()
    if cov is not None:
        n = sum(1 for r in res.rows() if r["inside"] is not None)
        con.print(f"inside the 90% band: {round(cov * n)} of {n} years ({cov:.0%}); rmse of "
                  f"log counts {rmse:.3f}", highlight=False)
    con.print(f"wrote {out / 'history.json'} and {fig}", highlight=False)
