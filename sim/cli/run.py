"""``sim scenarios``, ``sim validate`` and ``sim run``."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim.cli.app import BURN_IN, CITY, app, console, out_console, print_json, resolve_city
from sim.core.errors import UserError
from sim.model.scenario import MAX_YEARS, known_scenarios, load_scenario
from sim.runs.executors import freeze_imports, make_executor
from sim.runs.export import export_csv
from sim.runs.folders import MadeBy, results_folder
from sim.runs.runner import RunRecord, RunSpec, cached_city, check_spec, run_specs
from sim.runs.seeds import MAX_SEED
from sim.runs.store import ResultStore

#: Most replications one command may ask for.
MAX_REPLICATIONS = 10_000
#: Most local worker processes.
MAX_WORKERS = 256
WORKERS = typer.Option(1, "--workers", "-w", min=0, max=MAX_WORKERS,
                       help="Local worker processes.")


@app.command()
def scenarios() -> None:
    """List the shipped scenarios with their description and yearly cost."""
    table = Table(title="Shipped scenarios (scenarios/*.toml)")
    table.add_column("name", style="bold")
    table.add_column("description")
    table.add_column("extra cost per year", justify="right")
    for name in known_scenarios():
        sc = load_scenario(name)
        costs = sc.yearly_cost_eur()
        values = sorted(set(costs.values()))
        if len(values) == 1:
            cost = f"€{values[0]:,.0f}"
        else:
            cost = ", ".join(f"{y}: €{v:,.0f}" for y, v in costs.items())
        first = textwrap.shorten(" ".join(sc.description.split()), width=110, placeholder=" …")
        table.add_row(name, first, cost)
    console.print(table)


@app.command()
def validate(file: Path = typer.Argument(..., help="Scenario TOML file to check.")) -> None:
    """Check a scenario file; print what is wrong, or "ok"."""
    load_scenario(file)
    console.print("ok")


def progress_bar(con) -> Progress:  # noqa: ANN001
    """A progress bar with runs done, rate and ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=con, transient=True,
    )


def run_into_store(specs: list[RunSpec], store: ResultStore, workers: int | None,
                   scheduler: str | None, con, label: str, batch_size: int = 1) -> list[RunRecord]:  # noqa: ANN001
    """Run specs through the executor, committing each finished run; returns the records."""
    for spec in specs:  # everything that can fail late is checked before the first run
        check_spec(spec)
    records: list[RunRecord] = []
    freeze_imports()  # the per-run gc.collect() then skips import-time objects
    executor = make_executor(workers, scheduler)
    start = dt.datetime.now()
    with progress_bar(con) as bar, executor:
        task = bar.add_task(label, total=len(specs), rate="")

        def on_record(rec: RunRecord) -> None:
            store.add_run(rec, detail=rec.output is not None)
            records.append(rec)
            secs = (dt.datetime.now() - start).total_seconds()
            bar.update(task, advance=1, rate=f"{len(records) / max(secs, 1e-9):.2f} runs/s")

        run_specs(specs, executor, on_record, batch_size=batch_size)
    failed = [r for r in records if r.status != "done"]
    if failed:
        raise UserError(
            f"{len(failed)} run(s) failed, e.g. {failed[0].run_id}: {failed[0].error}. "
            f"Finished runs are in {store.path}."
        )
    return sorted(records, key=lambda r: r.replication)


def default_out(name: str) -> Path:
    """``results/<scenario>-<timestamp>/``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{name}-{stamp}"


def mean_summary(summaries: list[dict]) -> dict:
    """Mean of run summaries over replications (nested dicts averaged key by key)."""

    def avg(values: list):  # noqa: ANN202
        if isinstance(values[0], dict):
            return {k: avg([v[k] for v in values]) for k in values[0]}
        if isinstance(values[0], int | float) and not isinstance(values[0], bool):
            arr = np.array([np.nan if v is None else v for v in values], dtype=float)
            return float(np.nanmean(arr)) if np.isfinite(arr).any() else None
        return values[0]

    return avg(summaries)


@app.command()
def run(
    scenario: str = typer.Argument(
        ..., help="Shipped scenario name (see `sim scenarios`) or a .toml path."),
    years: float = typer.Option(
        None, "--years", min=0.01, max=MAX_YEARS,
        help="Simulated years (default: the scenario's)."),
    replications: int = typer.Option(
        1, "--replications", "-r", min=1, max=MAX_REPLICATIONS, help="Replications (seeds)."),
    seed: int = typer.Option(
        42, "--seed", min=0, max=MAX_SEED, help="Master seed; replication seeds derive from it."),
    out: Path = typer.Option(
        None, "--out", help="Results folder (default results/<scenario>-<time>/)."),
    workers: int = WORKERS,
    city: str = CITY,
    burn_in: float = BURN_IN,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Run one scenario and print woninginbraken per gebied, arrests and hours spent."""
    sc = load_scenario(scenario, city=resolve_city(city))
    if years is not None:
        sc = sc.model_copy(update={"years": float(years)})
    if burn_in is not None:
        sc = sc.with_overrides({"burn_in_years": float(burn_in)})
    cached_city(sc.city)  # check the city data before any run starts
    out = out or default_out(sc.name)
    con = out_console(as_json)
    specs = [RunSpec(sc, seed, r) for r in range(replications)]
    made_by = MadeBy("run", f"'sim run {sc.name}' (seed {seed}, {replications} replication(s), "
                            f"{sc.years:g} years)",
                     {"scenario": sc.name, "scenario_hash": sc.content_hash(), "seed": seed,
                      "years": sc.years, "burn_in_years": sc.burn_in_years,
                      "replications": replications})
    with results_folder(out, made_by), ResultStore(out) as store:
        done = store.finished_run_ids()
        todo = [s for s in specs if s.run_id not in done]
        records = run_into_store(todo, store, workers, None, con, f"{sc.name}") if todo else []
        export_csv(store, out)
        runs = store.runs().set_index("run_id").loc[[s.run_id for s in specs]]
    mean = mean_summary(list(runs["summary"]))
    result = {
        "scenario": sc.name,
        "scenario_hash": str(runs["scenario_hash"].iloc[0]),
        "seed": seed,
        "years": float(runs["years"].iloc[0]),
        "replications": replications,
        "woninginbraken_per_year": mean["woninginbraken_per_year"],
        "completed_per_year": mean["completed_per_year"],
        "attempted_only_per_year": mean["attempted_only_per_year"],
        "arrests_per_year": mean["arrests_per_year"],
        "attempt_share": mean["attempt_share"],
        "clearance_rate": mean["clearance_rate"],
        "knox_ratio": mean["knox_ratio"],
        "per_gebied": mean["per_gebied"],
        "per_wijk": mean["per_wijk"],
        "by_year": mean["by_year"],
        "hours_per_year": mean["hours_per_year"],
        "yearly_cost_eur": {str(k): v for k, v in sc.yearly_cost_eur().items()},
        "seconds_per_run": float(np.mean([r.seconds for r in records])) if records else None,
        "resumed_runs": replications - len(records),
        "results_dir": str(out),
    }
    if as_json:
        print_json(result)
        return
    _print_summary(result, sc)


def _print_summary(res: dict, sc) -> None:  # noqa: ANN001
    city = cached_city(sc.city)
    t = Table(title=f"{res['scenario']}: {res['replications']} replication(s) x "
                    f"{res['years']:g} year(s), seed {res['seed']} (mean per year)")
    t.add_column("gebied")
    t.add_column("woninginbraken / year", justify="right")
    for g, v in sorted(res["per_gebied"].items(), key=lambda kv: int(kv[0])):
        t.add_row(f"{g} {city.gebied_names.get(int(g), '')}", f"{v:,.1f}")
    t.add_row("[bold]total", f"[bold]{res['woninginbraken_per_year']:,.1f}")
    console.print(t)
    t2 = Table(title="Outcomes per year")
    t2.add_column("measure")
    t2.add_column("value", justify="right")
    t2.add_row("woninginbraken (attempts included)", f"{res['woninginbraken_per_year']:,.1f}")
    t2.add_row("  completed", f"{res['completed_per_year']:,.1f}")
    t2.add_row("  attempted only (failed)", f"{res['attempted_only_per_year']:,.1f}")
    t2.add_row("arrests", f"{res['arrests_per_year']:,.1f}")
    t2.add_row("clearance rate", f"{res['clearance_rate']:.1%}")
    if res["knox_ratio"] is not None:
        t2.add_row("Knox ratio (≤200 m, ≤14 days)", f"{res['knox_ratio']:.2f}")
    console.print(t2)
    t3 = Table(title="Productive hours spent per year")
    t3.add_column("agent type and task")
    t3.add_column("hours", justify="right")
    for k, v in res["hours_per_year"].items():
        t3.add_row(k.replace("_", " "), f"{v:,.0f}")
    console.print(t3)
    console.print(f"results: {res['results_dir']}  (runs.sqlite, summary.csv, daily.csv)")
