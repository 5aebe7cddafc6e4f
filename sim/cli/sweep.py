"""``sim sweep`` and ``sim sensitivity``: batch runs of an experiment, and their analysis."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from sim.analysis import readable as rd
from sim.analysis.caution import analysis_caution, replication_caution
from sim.analysis.design import experiment_hash, load_design
from sim.analysis.experiment import Experiment, load_experiment
from sim.analysis.sensitivity import (
    Analysis,
    analyze,
    export_outcomes,
    outcome_matrix,
    parameter_info,
    write_figures,
    write_tables,
)
from sim.analysis.sweep import SUMMARY_EACH, SweepStatus, point_summary, run_sweep
from sim.cli.app import (
    BURN_IN,
    CITY,
    app,
    err_console,
    out_console,
    print_json,
    resolve_city,
)
from sim.cli.lang import LANG_OPTION, resolve_lang, t
from sim.core.errors import UserError
from sim.runs.executors import check_scheduler, default_workers, freeze_imports, make_executor
from sim.runs.folders import MadeBy, results_folder
from sim.runs.store import ResultStore

EXPERIMENT_ARG = typer.Argument(..., help="Shipped experiment name (experiments/*.toml) or a path.")
WORKERS = typer.Option(None, "--workers", "-w", min=0, max=256,
                       help="Local worker processes (default: all cores; 1 = in-process).")
SCHEDULER = typer.Option(None, "--scheduler",
                         help="Dask scheduler address (tcp://host:8786) or 'slurm'.")
OUT = typer.Option(None, "--out", help="Results folder (default results/<experiment>); "
                   "re-running with the same folder resumes.")
N = typer.Option(None, "--n", min=1, max=1_000_000,
                help="Override design n (Sobol: a power of 2; LHS size).")
TRAJ = typer.Option(None, "--trajectories", min=2, max=10_000, help="Override Morris trajectories.")
REPS = typer.Option(None, "--replications", "-r", min=1, max=10_000,
                   help="Override replications per point.")
YEARS = typer.Option(None, "--years", min=0.001, max=50, help="Override simulated years per run.")
BATCH = typer.Option(None, "--batch-size", min=1, max=10_000,
                    help="Runs per task (default: automatic).")
JSON = typer.Option(False, "--json", help="Print the result as one JSON object.")


def _load(experiment: str, n: int | None, trajectories: int | None, replications: int | None,
          years: float | None, scheduler: str | None = None,
          city: str | None = None, burn_in: float | None = None) -> tuple[Experiment, str]:
    check_scheduler(scheduler)
    exp = load_experiment(experiment, n=n, trajectories=trajectories,
                          replications=replications, years=years, city=resolve_city(city),
                          burn_in_years=burn_in)
    suffix = "".join(f"-{k}{v:g}" for k, v in (("n", n), ("t", trajectories),
                                                ("r", replications), ("y", years)) if v)
    return exp, f"{exp.name}{suffix}"


def _sweep(exp: Experiment, out: Path, workers: int | None, scheduler: str | None,
           batch_size: int | None, con: Console) -> SweepStatus:
    """Run the sweep with a progress bar; Ctrl-C stops cleanly (exit 130), keeping runs."""
    n_workers = default_workers() if workers is None else max(1, workers)
    with results_folder(out, sweep_made_by(exp)):
        return _sweep_locked(exp, out, workers, n_workers, scheduler, batch_size, con)


def sweep_made_by(exp: Experiment) -> MadeBy:
    """What a sweep (or sensitivity run) of ``exp`` records in its folder."""
    digest, _ = experiment_hash(exp)
    return MadeBy("sweep", f"a sweep of experiment '{exp.name}' (hash {digest}, "
                           f"{exp.planned_runs():,} runs)",
                  {"experiment": exp.name, "hash": digest})


def _sweep_locked(exp: Experiment, out: Path, workers: int | None, n_workers: int,
                  scheduler: str | None, batch_size: int | None, con: Console) -> SweepStatus:
    freeze_imports()  # cheap per-run gc.collect when runs execute in this process (-w 1)
    executor = make_executor(workers if workers is not None else n_workers, scheduler)
    with ResultStore(out) as store:
        bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]}"), console=con, transient=True)
        start, first = time.perf_counter(), [None]

        def progress(done: int, total: int) -> None:
            if first[0] is None:
                first[0] = done - 1
            new = done - first[0]
            rate = new / max(time.perf_counter() - start, 1e-9)
            eta = (total - done) / rate if rate > 0 else float("inf")
            bar.update(task, completed=done, total=total,
                       rate=f"{rate:.2f} runs/s  ETA {_clock(eta)}")

        try:
            with bar:
                task = bar.add_task(exp.name, total=None, rate="starting…")
                status = run_sweep(exp, store, executor, workers=n_workers,
                                   batch_size=batch_size, on_progress=progress)
        except KeyboardInterrupt:  # the entry point says how many runs are kept
            executor.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        design = load_design(store)
        export_outcomes(store, design, out)
    if status.failed:
        raise UserError(f"{len(status.failed)} run(s) failed (e.g. {status.failed[0]}); see the "
                        f"'error' column of the runs table in {out / 'runs.sqlite'}. Finished "
                        "runs are kept; re-running retries the failed ones.")
    return status


def _clock(seconds: float) -> str:
    if seconds == float("inf"):
        return "–"
    m, s = divmod(int(seconds + 0.5), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


@app.command()
def sweep(experiment: str = EXPERIMENT_ARG, workers: int = WORKERS, scheduler: str = SCHEDULER,
          out: Path = OUT, n: int = N, trajectories: int = TRAJ, replications: int = REPS,
          years: float = YEARS, batch_size: int = BATCH, city: str = CITY,
          burn_in: float = BURN_IN, lang: str = LANG_OPTION, as_json: bool = JSON) -> None:
    """Run an experiment's design × replications (resumable); summarise the design points."""
    lang = resolve_lang(lang)
    exp, default = _load(experiment, n, trajectories, replications, years, scheduler, city,
                         burn_in)
    out = out or Path("results") / default
    con = out_console(as_json)
    t0 = time.perf_counter()
    status = _sweep(exp, out, workers, scheduler, batch_size, con)
    secs = time.perf_counter() - t0
    with ResultStore(out, read_only=True) as store:
        design = load_design(store)
        info = parameter_info(store)
        points = point_summary(design.names, design.X, outcome_matrix(store, design))
    result = {"experiment": exp.name, "results_dir": str(out), "runs": status.total,
              "already_done": status.done_before, "ran_now": status.done_now,
              "seconds": secs, "runs_per_second": status.done_now / secs if secs else None,
              "summary": {"main_outcome": points.attrs["main"], "shown": points.attrs["shown"],
                          "design_points": points.attrs["points"],
                          "points": points.to_dict(orient="records")}}
    if as_json:
        print_json(result)
        return
    con.print(t(lang, "sw_done", name=exp.name, total=status.total, dir=out,
                before=status.done_before, now=status.done_now,
                rate=rd.num(result["runs_per_second"] or 0, lang, 2)), highlight=False)
    caution = replication_caution(design.replications, lang)
    if caution:  # before the table it is about
        err_console.print(f"[bold yellow]{escape(caution)}[/]", highlight=False)
    print_points(points, design.names, list(points.columns[len(design.names) + 1:]), con, lang,
                 info, design.replications, exp.name)
    con.print(t(lang, "sw_files", csv=out / "outcomes.csv", name=experiment), style="dim",
              highlight=False)


#: Most outcome columns in one table of design points (more go into further tables).
OUTCOME_COLUMNS = 4
#: Up to this many parameters the table shows their values; beyond, the point's number.
PARAMETER_COLUMNS = 3


def print_points(points: pd.DataFrame, names: list[str], outcomes: list[str], con: Console,
                 lang: str, info: dict[str, dict], reps: int, title: str,
                 all_outcomes: bool = False) -> None:
    """Design points as tables: parameters with units, outcomes with units, '–' explained.

    The sweep's summary shows the first :data:`OUTCOME_COLUMNS` outcomes (naming the rest);
    ``all_outcomes`` prints them all, :data:`OUTCOME_COLUMNS` per table.
    """
    shown = points.attrs.get("shown", "all")
    head = (t(lang, "sw_title_all", name=title, points=points.attrs.get("points", len(points)),
              reps=reps) if shown == "all" else
            t(lang, "sw_title_ext", name=title, each=SUMMARY_EACH,
              points=points.attrs.get("points"), reps=reps,
              main=rd.outcome_label(points.attrs["main"], lang)))
    chunks = [outcomes[i:i + OUTCOME_COLUMNS] for i in range(0, len(outcomes), OUTCOME_COLUMNS)]
    if not all_outcomes:
        chunks = chunks[:1]
    by_value = len(names) <= PARAMETER_COLUMNS
    for k, chunk in enumerate(chunks):
        table = Table(title=head if k == 0 else None, title_justify="left")
        headers = ([_param(p, lang, info) for p in names] if by_value
                   else [t(lang, "point")]) + [rd.outcome_text(o, lang) for o in chunk]
        scales = {o: float(points[o].abs().median()) if points[o].notna().any() else None
                  for o in chunk}
        rows = []
        for _, r in points.iterrows():
            cells = ([rd.level(r[p], lang) for p in names] if by_value
                     else [str(int(r["point"]))])
            rows.append(cells + [rd.value(r[o], o, lang, scale=scales[o]) for o in chunk])
        _fill(table, headers, ["right"] * len(headers), rows, con.width)
        con.print(table)
        _undefined_notes(points, chunk, con, lang)
    rest = outcomes[OUTCOME_COLUMNS:] if not all_outcomes else []
    if rest:
        con.print(t(lang, "sw_more", csv="outcomes.csv",
                    outcomes=", ".join(rd.outcome_label(o, lang) for o in rest)),
                  style="dim", highlight=False)


def column_widths(headers: list[str], cells: list[list[str]], width: int) -> list[int]:
    """Column widths that fit ``width`` and never cut a word of a header or a value.

    Each column gets at least its longest header word and its widest value; what the
    terminal leaves is shared so that headers need fewer lines. Only when even that does not
    fit do the widest columns give way (to 6), and then words are folded, never dropped:
    rich would crop a table whose columns are wider than the terminal.
    """
    def longest(text: str) -> int:
        return max((len(w) for line in text.split("\n") for w in line.split()), default=1)

    need = [max([longest(h)] + [max(map(len, c.split("\n"))) for c in col])
            for h, col in zip(headers, cells, strict=True)]
    full = [max(n, len(h)) for n, h in zip(need, headers, strict=True)]
    room = width - 3 * len(headers) - 1  # borders and padding
    widths = list(need)
    while sum(widths) > room and max(widths) > 6:
        widths[widths.index(max(widths))] -= 1
    spare = room - sum(widths)
    while spare > 0 and any(w < f for w, f in zip(widths, full, strict=True)):
        for i, f in enumerate(full):
            if spare > 0 and widths[i] < f:
                widths[i] += 1
                spare -= 1
    return widths


def _param(path: str, lang: str, info: dict[str, dict]) -> str:
    return rd.parameter_text(path, lang, info.get(path, {}).get("unit", ""))


def _undefined_notes(frame: pd.DataFrame, outcomes: list[str], con: Console, lang: str) -> None:
    for o in outcomes:
        if frame[o].isna().any():
            con.print(f"{rd.outcome_label(o, lang)}: " + t(
                lang, "undefined_note", why=rd.undefined_reason(o, lang)), style="dim",
                highlight=False)


@app.command()
def sensitivity(experiment: str = EXPERIMENT_ARG, workers: int = WORKERS,
                scheduler: str = SCHEDULER, out: Path = OUT, n: int = N,
                trajectories: int = TRAJ, replications: int = REPS, years: float = YEARS,
                batch_size: int = BATCH, city: str = CITY, burn_in: float = BURN_IN,
                lang: str = LANG_OPTION, as_json: bool = JSON) -> None:
    """Run (or finish) an experiment's sweep, then its sensitivity analysis: tables, figures."""
    lang = resolve_lang(lang)
    exp, default = _load(experiment, n, trajectories, replications, years, scheduler, city,
                         burn_in)
    out = out or Path("results") / default
    con = out_console(as_json)
    _sweep(exp, out, workers, scheduler, batch_size, con)
    with results_folder(out, sweep_made_by(exp)):
        with ResultStore(out) as store:
            design = load_design(store)
            res = analyze(design, outcome_matrix(store, design))
            res.parameters = parameter_info(store)
        files = write_tables(res, out) + write_figures(res, out, lang)
    warnings = sobol_warnings(res, lang)
    if as_json:
        print_json({"experiment": exp.name, "method": res.method, "results_dir": str(out),
                    "skipped": res.skipped, "warnings": warnings,
                    "files": [str(f) for f in files],
                    "tables": {k: t.to_dict(orient="records") for k, t in res.tables.items()}})
        for line in warnings:
            err_console.print(f"[yellow]{t(lang, 'warning')}:[/] {escape(line)}",
                              highlight=False)
        return
    for line in warnings:  # before the tables they are about
        err_console.print(f"[yellow]{t(lang, 'warning')}:[/] {escape(line)}", highlight=False)
    print_analysis(res, con, lang, exp.name)
    con.print(t(lang, "files", files=", ".join(str(f) for f in files)), style="dim",
              highlight=False)


def _outcomes(res: Analysis) -> list[str]:
    """The outcomes an analysis has tables for."""
    out: list[str] = []
    for name, table in res.tables.items():
        if name == "grid":
            out += [c for c in table.columns if c not in table.attrs["parameters"]]
        elif "outcome" in table.columns:
            out += list(dict.fromkeys(table["outcome"]))
    return list(dict.fromkeys(out))


def sobol_warnings(res: Analysis, lang: str) -> list[str]:
    """One line per outcome whose Sobol estimates are impossible (S1 < 0, S1 > ST)."""
    def names(paths: list[str]) -> str:
        labels = [rd.parameter_label(p, lang) for p in paths]
        more = len(labels) - 3
        return "; ".join(labels[:3]) + (t(lang, "and_more", k=more) if more > 0 else "")

    lines = []
    for w in res.warnings:
        what = []
        if w["negative"]:
            what.append(t(lang, "neg_s1", p=names(w["negative"])))
        if w["above_total"]:
            what.append(t(lang, "s1_above", p=names(w["above_total"])))
        n = w["n"] or 0
        lines.append(t(lang, "sobol_warn", o=rd.outcome_label(w["outcome"], lang),
                       what=" / ".join(what), n=n, n4=max(4 * n, 64)))
    return lines


def print_analysis(res: Analysis, con: Console, lang: str, name: str = "") -> None:
    """The analysis tables: readable parameter labels with units, values with units.

    A caution (too few replications, samples or trajectories: :mod:`sim.analysis.caution`)
    comes before the tables it is about.
    """
    cautions = dict.fromkeys(c for c in (analysis_caution(res, o, lang) for o in
                                         _outcomes(res) or [None]) if c)
    for line in cautions:
        err_console.print(f"[bold yellow]{escape(line)}[/]", highlight=False)
    for kind, table in res.tables.items():
        if kind == "grid":
            params = list(table.attrs["parameters"])
            points = table.copy()
            points.insert(0, "point", range(len(points)))
            points.attrs.update(shown="all", points=len(points), main=None)
            outcomes = [c for c in table.columns if c not in params]
            print_points(points, params, outcomes, con, lang, res.parameters, res.replications,
                         name or t(lang, "grid_title", reps=res.replications),
                         all_outcomes=True)
            continue
        for outcome, part in table.groupby("outcome", sort=False):
            con.print(_analysis_table(kind, outcome, part, lang, res.parameters, con.width))
    for outcome in res.skipped:
        label = rd.outcome_label(outcome, lang)
        if outcome in res.undefined:
            k, n = res.undefined[outcome]
            line = t(lang, "skip_undefined", o=label, why=rd.undefined_reason(outcome, lang),
                     k=k, n=n)
        else:
            line = t(lang, "skip_flat", o=label)
        con.print(f"[yellow]–[/] {escape(line)}", highlight=False)


def _interval(x: float, conf: float, fmt, low: float | None = None,  # noqa: ANN001
              high: float | None = None) -> str:
    """The value, and below it its interval kept within the quantity's range [low, high]."""
    if rd.is_missing(conf) or rd.is_missing(x):
        return fmt(x)
    lo, hi = x - conf, x + conf
    lo, hi = (lo if low is None else max(lo, low)), (hi if high is None else min(hi, high))
    return f"{fmt(x)}\n[dim]{fmt(lo)} – {fmt(hi)}[/]"


def _analysis_table(kind: str, outcome: str, part: pd.DataFrame, lang: str,
                    info: dict[str, dict], width: int = 100) -> Table:
    o = rd.outcome_label(outcome, lang)
    idx = lambda v: rd.index(v, lang)  # noqa: E731
    if kind == "sobol":
        table = Table(title=t(lang, "sobol_title", o=o), title_justify="left")
        cols = [("parameter", "left"), ("S1", "right"), ("ST", "right")]
        rows = [[_param(r["parameter"], lang, info),
                 _interval(r["S1"], r["S1_conf"], idx, 0, 1),
                 _interval(r["ST"], r["ST_conf"], idx, 0, 1)] for _, r in part.iterrows()]
    elif kind == "sobol_s2":
        table = Table(title=t(lang, "sobol_s2_title", o=o), title_justify="left")
        cols = [("parameter_1", "left"), ("parameter_2", "left"), ("S2", "right")]
        rows = [[rd.parameter_label(r["parameter_1"], lang),
                 rd.parameter_label(r["parameter_2"], lang),
                 _interval(r["S2"], r["S2_conf"], idx, 0, 1)] for _, r in part.iterrows()]
    elif kind == "morris":
        unit = rd.outcome_unit(outcome, lang, effect=True)
        unit = f" ({unit})" if unit and rd.outcome_kind(outcome) != "count" else ""
        table = Table(title=t(lang, "morris_title", o=o, u=unit), title_justify="left")
        cols = [("parameter", "left"), ("mu_star", "right"), ("sigma", "right"),
                ("mu", "right")]
        scale = float(part["mu_star"].abs().max()) or None
        eff = lambda v: rd.value(v, outcome, lang, effect=True, scale=scale)  # noqa: E731
        rows = [[_param(r["parameter"], lang, info),
                 _interval(r["mu_star"], r["mu_star_conf"], eff, 0), eff(r["sigma"]),
                 eff(r["mu"])] for _, r in part.iterrows()]
    else:
        table = Table(title=t(lang, "rank_title", o=o), title_justify="left")
        cols = [("parameter", "left"), ("rho", "right"), ("p_value", "right")]
        rows = [[_param(r["parameter"], lang, info), idx(r["spearman_rho"]),
                 _p_value(r["p_value"], lang)] for _, r in part.iterrows()]
    _fill(table, [t(lang, k) for k, _ in cols], [j for _, j in cols], rows, width)
    return table


def _fill(table: Table, headers: list[str], justify: list[str], rows: list[list[str]],
          width: int) -> None:
    plain = [[Text.from_markup(c).plain for c in col] for col in zip(*rows, strict=True)] \
        if rows else [[] for _ in headers]
    for h, j, w in zip(headers, justify, column_widths(headers, plain, width), strict=True):
        table.add_column(h, justify=j, overflow="fold", width=w)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)


def _p_value(p: float, lang: str) -> str:
    if rd.is_missing(p):
        return "–"
    return "< " + rd.num(0.001, lang, 3) if p < 0.001 else rd.num(p, lang, 3)
