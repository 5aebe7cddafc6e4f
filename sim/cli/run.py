"""``sim scenarios``, ``sim validate`` and ``sim run``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim.analysis.compare.metrics import LEVEL, mean_ci
from sim.cli.app import BURN_IN, CITY, app, console, out_console, print_json, resolve_city
from sim.cli.lang import LANG_OPTION, resolve_lang, t
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
def scenarios(lang: str = LANG_OPTION) -> None:
    """List the shipped scenarios with their description and yearly cost, one line each."""
    lang = resolve_lang(lang)
    rows, notes = [], []
    for name in known_scenarios():
        sc = load_scenario(name)
        costs = sc.yearly_cost_eur()
        values = sorted(set(costs.values()))
        if len(values) == 1:
            cost = _eur(values[0], lang)
        else:  # a range, and the amount per year below the table
            cost = f"{_eur(values[0], lang)}–{_num(values[-1], lang)} *"
            notes.append((t(lang, "sc_note", name=name, costs=""),
                          [f"{y} {_eur(v, lang)}" for y, v in costs.items()]))
        text = sc.description_en if lang == "en" and sc.description_en else sc.description
        rows.append((name, " ".join(text.split()), cost))
    name_w = max((len(r[0]) for r in rows), default=4)
    cost_w = max(len(r[2]) for r in rows)
    # The description takes what the name and the cost leave, wrapped between words
    # within its cell (never cut); the cost's header wraps rather than the amounts.
    table = Table(title=t(lang, "sc_title"), title_justify="left")
    table.add_column(t(lang, "sc_name"), style="bold", no_wrap=True, min_width=name_w)
    table.add_column(t(lang, "sc_description"), overflow="fold", ratio=1)
    table.add_column(t(lang, "sc_cost"), justify="right", min_width=cost_w)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for head, items in notes:  # wrapped between years, never inside an amount
        line = f"* {head}"
        for i, item in enumerate(items):
            piece = item + ("; " if i < len(items) - 1 else "")
            if len(line) + len(piece.rstrip()) > console.width:
                console.print(line.rstrip(), highlight=False, soft_wrap=True)
                line = "    "
            line += piece
        console.print(line.rstrip(), highlight=False, soft_wrap=True)
    console.print(t(lang, "sc_more"), style="dim", highlight=False)


def _num(x: float, lang: str) -> str:
    text = f"{x:,.0f}"
    return text.replace(",", ".") if lang == "nl" else text


def _eur(x: float, lang: str) -> str:
    return ("€\u00a0" if lang == "nl" else "€") + _num(x, lang)


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


#: Outcomes of ``sim run`` given with a 90% interval over replications, and their range.
INTERVALS = {"woninginbraken_per_year": (0, None), "completed_per_year": (0, None),
             "attempted_only_per_year": (0, None), "arrests_per_year": (0, None),
             "clearance_rate": (0, 1)}


def _ci(values: list, lo_hi: tuple[float | None, float | None]) -> list[float | None]:
    """The 90% t interval of a mean over replications, kept within the quantity's range."""
    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    _, lo, hi = (float(x) for x in mean_ci(arr))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return [None, None]
    low, high = lo_hi
    lo = max(lo, low) if low is not None else lo
    hi = min(hi, high) if high is not None else hi
    return [lo, hi]


def run_intervals(summaries: list[dict]) -> dict:
    """90% intervals over replications of the headline outcomes and of each gebied's count.

    ``None`` ends with one replication (no spread to estimate).
    """
    out: dict = {k: _ci([s.get(k) for s in summaries], rng) for k, rng in INTERVALS.items()}
    gebieden = summaries[0].get("per_gebied", {})
    out["per_gebied"] = {g: _ci([s["per_gebied"].get(g) for s in summaries], (0, None))
                         for g in gebieden}
    return out


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
    lang: str = LANG_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Run one scenario and print woninginbraken per gebied, arrests and hours spent.

    With -r N: means with 90% intervals over the replications. To compare options use
    'sim compare' (the same seeds for every option, paired).
    """
    lang = resolve_lang(lang)
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
        "interval_level": LEVEL,
        "intervals": run_intervals(list(runs["summary"])),
        "yearly_cost_eur": {str(k): v for k, v in sc.yearly_cost_eur().items()},
        "seconds_per_run": float(np.mean([r.seconds for r in records])) if records else None,
        "resumed_runs": replications - len(records),
        "results_dir": str(out),
    }
    if as_json:
        print_json(result)
        return
    _print_summary(result, sc, lang)


def _local(text: str, lang: str) -> str:
    """A number formatted in English (1,234.5) the Dutch way (1.234,5) for lang 'nl'."""
    if lang != "nl":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _with_iv(value: float, iv: list, fmt: str, lang: str) -> str:
    """A value and, when known, its 90% interval on a second (dim) line."""
    text = _local(fmt.format(value), lang)
    if iv and iv[0] is not None and iv[1] is not None:
        text += f"\n[dim]{_local(fmt.format(iv[0]), lang)}…{_local(fmt.format(iv[1]), lang)}[/]"
    return text


def _print_summary(res: dict, sc, lang: str) -> None:  # noqa: ANN001
    city = cached_city(sc.city)
    iv = res["intervals"]
    many = res["replications"] > 1
    tb = Table(title=t(lang, "run_title", scenario=res["scenario"], reps=res["replications"],
                       years=_local(f"{res['years']:g}", lang), seed=res["seed"],
                       iv=t(lang, "iv_note") if many else ""))
    tb.add_column(t(lang, "gebied"))
    tb.add_column(t(lang, "per_year"), justify="right")
    for g, v in sorted(res["per_gebied"].items(), key=lambda kv: int(kv[0])):
        tb.add_row(f"{g} {city.gebied_names.get(int(g), '')}",
                   _with_iv(v, iv["per_gebied"].get(g), "{:,.1f}", lang))
    tb.add_row(f"[bold]{t(lang, 'total')}", "[bold]" + _with_iv(
        res["woninginbraken_per_year"], iv["woninginbraken_per_year"], "{:,.1f}", lang))
    console.print(tb)
    t2 = Table(title=t(lang, "outcomes"))
    t2.add_column(t(lang, "measure"))
    t2.add_column(t(lang, "value"), justify="right")
    for key, word, fmt in (("woninginbraken_per_year", "burglaries", "{:,.1f}"),
                           ("completed_per_year", "completed", "{:,.1f}"),
                           ("attempted_only_per_year", "attempted", "{:,.1f}"),
                           ("arrests_per_year", "arrests", "{:,.1f}")):
        t2.add_row(t(lang, word), _with_iv(res[key], iv[key], fmt, lang))
    lo, hi = iv["clearance_rate"]
    t2.add_row(t(lang, "clearance"), _local(f"{res['clearance_rate']:.1%}", lang) + (
        f"\n[dim]{_local(f'{lo:.1%}', lang)}…{_local(f'{hi:.1%}', lang)}[/]"
        if lo is not None else ""))
    if res["knox_ratio"] is not None:
        t2.add_row(t(lang, "knox"), _local(f"{res['knox_ratio']:.2f}", lang))
    console.print(t2)
    t3 = Table(title=t(lang, "hours"))
    t3.add_column(t(lang, "task"))
    t3.add_column(t(lang, "hours_col"), justify="right")
    for k, v in res["hours_per_year"].items():
        t3.add_row(k.replace("_", " "), _local(f"{v:,.0f}", lang))
    console.print(t3)
    if not many:
        console.print(t(lang, "one_rep"), style="dim", highlight=False)
    other = "interventieteam" if res["scenario"] == "baseline" else res["scenario"]
    console.print(t(lang, "to_compare", pair=f"baseline {other}"), highlight=False)
    console.print(t(lang, "results", dir=res["results_dir"]), highlight=False)
