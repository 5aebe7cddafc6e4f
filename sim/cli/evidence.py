"""``sim evidence``: virtual replications of the studies the mechanisms rest on."""

from __future__ import annotations

import time

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.analysis.evidence.natural.lockdown import lockdown_study
from sim.analysis.evidence.natural.posterior_file import write_team_record
from sim.analysis.evidence.natural.team import team_study
from sim.analysis.evidence.replications import (
    FITTABLE,
    STUDIES,
    FitResult,
    StudyResult,
    TaskResult,
    check_keys,
    evidence_tasks,
    execute_tasks,
    fit,
    study_results,
)
from sim.cli.app import app, out_console, print_json
from sim.cli.run import progress_bar
from sim.core.errors import UserError
from sim.core.jsonable import json_clean
from sim.model.scenario import load_scenario
from sim.runs.executors import default_workers, freeze_imports, make_executor
from sim.runs.runner import cached_city
from sim.runs.seeds import MAX_SEED

#: Most replications one command may ask for.
MAX_REPLICATIONS = 10_000
#: Natural experiments in the police record (sim.analysis.evidence.natural), after the studies.
NATURAL = {"record_team": team_study, "record_lockdown": lockdown_study}


def fmt(value: float | None, kind: str, signed: bool = True) -> str:
    """A study's number as it is published: effects in %, ratios with two decimals."""
    if value is None or value != value:
        return "–"
    if kind == "effect":
        return f"{value:+.0%}" if signed else f"{value:.0%}"
    if kind == "share":
        return f"{value:.0%}"
    return f"{value:.2f}"


def parse_only(only: str | None) -> list[str]:
    """``--only a,b``: the study keys, checked; all studies when not given."""
    if only is None:
        return [*STUDIES, *NATURAL]
    keys = [k.strip() for k in only.split(",") if k.strip()]
    if not keys:
        raise UserError(f"--only needs study keys; known studies: "
                        f"{', '.join([*STUDIES, *NATURAL])}.", field="--only")
    return [*check_keys([k for k in keys if k not in NATURAL]),
            *[k for k in keys if k in NATURAL]]


@app.command()
def evidence(
    replications: int = typer.Option(10, "--replications", "-r", min=1, max=MAX_REPLICATIONS,
                                     help="Replications (seeds) of every virtual study."),
    workers: int = typer.Option(None, "--workers", "-w", min=0, max=256,
                                help="Local worker processes (default: all cores; 1 = "
                                     "in-process)."),
    seed: int = typer.Option(42, "--seed", min=0, max=MAX_SEED,
                             help="Master seed; replication seeds derive from it."),
    only: str = typer.Option(None, "--only", help="Comma-separated study keys (default: all): "
                             + ", ".join([*STUDIES, *NATURAL]) + "."),
    fit_key: str = typer.Option(None, "--fit", help="Search this study's mechanism parameter "
                                "on [0, 1] for the published effect and print the value "
                                "(nothing is written): " + ", ".join(FITTABLE) + "."),
    scenario: str = typer.Option("baseline", "--scenario",
                                 help="The scenario the studies run on (calibration applied)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    write: bool = typer.Option(False, "--write", help="Write the team study's two estimates "
                               "to calibration/CITY/team_record.toml (sim compare shows "
                               "them)."),
) -> None:
    """Virtual replications of the studies behind the mechanisms: published vs simulated.

    One row per study; with --fit, the strength of one mechanism that reproduces its study.

    record_team and record_lockdown: natural experiments in the police record (observed
    and simulated figures; the team's estimate after Amstelveen's own record).
    """
    if fit_key is not None:
        check_keys([fit_key], "--fit")
        if STUDIES[fit_key].parameter is None:
            raise UserError(f"study '{fit_key}' sets no mechanism's strength; --fit takes "
                            f"one of: {', '.join(FITTABLE)}.", field="--fit")
        if only is not None:
            raise UserError("--fit and --only do not go together.", field="--only")
    keys = parse_only(only)
    natural = [k for k in keys if k in NATURAL]
    keys = [k for k in keys if k not in NATURAL]
    sc = load_scenario(scenario)
    cached_city(sc.city)  # check the city data before any run starts
    con = out_console(as_json)
    n_workers = default_workers() if workers is None else max(1, workers)
    freeze_imports()
    executor = make_executor(n_workers)
    t0 = time.perf_counter()
    try:
        if fit_key is not None:
            res = _fit(fit_key, sc, replications, seed, executor, con)
        else:
            rows = _evidence(keys, sc, replications, seed, executor, con) if keys else []
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    nat = [NATURAL[k](sc.city, replications=replications, seed=seed, workers=n_workers)
           for k in natural] if fit_key is None else []
    if write and any(n["key"] == "record_team" for n in nat):
        path = write_team_record(next(n for n in nat if n["key"] == "record_team"), sc.city)
        con.print(f"wrote {path}", highlight=False)
    secs = time.perf_counter() - t0
    if fit_key is not None:
        if as_json:
            print_json({**res.as_dict(), "seed": seed, "scenario": sc.name, "seconds": secs})
        else:
            _print_fit(res, con, secs)
        return
    if as_json:
        print_json([r.as_dict() for r in rows] + [json_clean(n) for n in nat])
        return
    if rows:
        _print_rows(rows, con, replications, seed, sc.name, secs)
    for n in nat:
        _print_natural(n, con)


def _print_natural(n: dict, con: Console) -> None:
    """A natural experiment in a few plain lines."""
    if n["key"] == "record_lockdown":
        con.print(f"[bold]record_lockdown[/] ({escape(n['source'])}): {escape(n['plain'])}",
                  highlight=False)
        return
    o, s, p = n["observed"], n["simulated"], n["posterior"]
    d, sc = o["did_others"], o["synthetic_control"]
    con.print(
        f"[bold]record_team[/] ({escape(n['source'])}), team years {o['post']} vs "
        f"{o['pre']}: DiD vs the other gemeenten {d['effect']:+.0%} (placebos "
        f"{d['placebo_interval'][0]:+.0%} … {d['placebo_interval'][1]:+.0%}), vs national "
        f"{o['did_national']['effect']:+.0%}, synthetic control {sc['effect']:+.0%} "
        f"(placebos {sc['placebo_interval'][0]:+.0%} … {sc['placebo_interval'][1]:+.0%}); "
        f"over choices of years DiD {min(x['did_others'] for x in o['sensitivity']):+.0%} … "
        f"{max(x['did_others'] for x in o['sensitivity']):+.0%}. Model (same years, with vs "
        f"without the team): {s['effect']:+.0%} ({s['p5']:+.0%} … {s['p95']:+.0%}). "
        f"Predicted from studies elsewhere {p['predicted_from_studies']:+.0%}; after "
        f"Amstelveen's own record {p['after_record']:+.0%} ({p['after_record_p5']:+.0%} … "
        f"{p['after_record_p95']:+.0%}). {escape(p['plain'])} Confounders: "
        f"{escape('; '.join(o['confounders']))}.", highlight=False)


def _evidence(keys: list[str], sc, replications: int, seed: int, executor,  # noqa: ANN001
              con: Console) -> list[StudyResult]:
    tasks = evidence_tasks(keys, sc, replications, seed)
    with progress_bar(con) as bar:
        task = bar.add_task("virtual studies", total=len(tasks), rate="")
        start = time.perf_counter()
        done = [0]

        def on_result(_: TaskResult) -> None:
            done[0] += 1
            rate = done[0] / max(time.perf_counter() - start, 1e-9)
            bar.update(task, advance=1, rate=f"{rate:.2f} runs/s")

        results = execute_tasks(tasks, executor, on_result)
    return study_results(keys, results)


def _fit(key: str, sc, replications: int, seed: int, executor,  # noqa: ANN001
         con: Console) -> FitResult:
    study = STUDIES[key]
    con.print(f"fitting {study.parameter} to {study.source} ({fmt(study.published, study.kind)}"
              f"), {replications} replications per candidate, seed {seed}")

    def show(x: float, res: StudyResult) -> None:
        con.print(f"  {study.parameter} = {x:.4f}: simulated {fmt(res.simulated, study.kind)}"
                  f" ± {fmt(res.se, study.kind, signed=False)}", highlight=False)

    return fit(key, sc, replications, seed, executor, on_evaluation=show)


def _print_rows(rows: list[StudyResult], con: Console, replications: int, seed: int,
                scenario: str, secs: float) -> None:
    t = Table(title=f"Virtual replications on '{scenario}': {replications} replication(s), "
                    f"seed {seed}", box=box.SIMPLE_HEAD)
    t.add_column("study", overflow="fold")
    t.add_column("published", justify="right", no_wrap=True)
    t.add_column("range", justify="right", no_wrap=True)
    t.add_column("simulated", justify="right", no_wrap=True)
    t.add_column("se", justify="right", no_wrap=True)
    t.add_column("90% of reps", justify="right", no_wrap=True)
    t.add_column("role", no_wrap=True)
    t.add_column("", no_wrap=True)
    for r in rows:
        s = r.study
        verdict = ("[green]ok[/]" if r.within else
                   "[red]controls moved[/]" if not r.clean else "[red]off[/]")
        t.add_row(s.key, fmt(s.published, s.kind), f"{fmt(s.low, s.kind)} … {fmt(s.high, s.kind)}",
                  fmt(r.simulated, s.kind), fmt(r.se, s.kind, signed=False),
                  f"{fmt(r.low, s.kind)} … {fmt(r.high, s.kind)}", s.role, verdict)
    con.print(t)
    for r in rows:
        s = r.study
        extra = "; ".join(f"{k} {_extra(k, v)}" for k, v in r.extra.items()
                          if not k.endswith("_per_1000")  # (those are in --json)
                          and k != "control_vs_placebo")  # (its own sentence below)
        con.print(f"[bold]{s.key}[/] ({escape(s.source)}; {escape(s.mechanism)}; "
                  f"{s.role}: {escape(s.role_note)}): {escape(s.design)}."
                  + (f" Extra: {escape(extra)}." if extra else "")
                  + (f" Control group against the same-seed placebo: "
                     f"{_extra('control_vs_placebo_did', r.extra['control_vs_placebo'])} ± "
                     f"{fmt(r.placebo_se, 'effect', signed=False)} "
                     f"({'within noise' if r.clean else 'MOVED: the study is contaminated'})."
                     if "control_vs_placebo" in r.extra else ""), highlight=False)
    con.print(f"simulated: pooled over replications (DiD) or their mean; 90%: the 5th-95th "
              f"percentile of single replications; role: fitted = its published figure set a "
              f"parameter (agreement by construction), independent = nothing was fitted to "
              f"it; {secs:.0f} s.", highlight=False)


def _extra(name: str, value: float) -> str:
    if value != value:
        return "n/a"
    if name.endswith("_did") or name.endswith("_minus_1"):
        return fmt(value, "effect")
    if name.endswith("_share"):
        return fmt(value, "share")
    return fmt(value, "ratio")


def _print_fit(res: FitResult, con: Console, secs: float) -> None:
    s = res.study
    t = Table(title=f"{s.parameter}: candidates ({res.replications} replications each)")
    t.add_column(s.parameter, justify="right")
    t.add_column("simulated ± se", justify="right")
    t.add_column("90% of replications", justify="right")
    for x, m, lo, hi, se in res.evaluations:
        t.add_row(f"{x:.4f}", f"{fmt(m, s.kind)} ± {fmt(se, s.kind, signed=False)}",
                  f"{fmt(lo, s.kind)} … {fmt(hi, s.kind)}")
    con.print(t)
    if not res.reachable:
        (_, f0, *_, se0), (_, f1, *_, se1) = res.evaluations[:2]
        con.print(f"[red]out of reach:[/] {s.parameter} = 0 gives {fmt(f0, s.kind)} ± "
                  f"{fmt(se0, s.kind, signed=False)}, = 1 gives {fmt(f1, s.kind)} ± "
                  f"{fmt(se1, s.kind, signed=False)}: not the published "
                  f"{fmt(s.published, s.kind)} ({s.source}). If that is within the noise, "
                  f"more --replications decide. {secs:.0f} s.", highlight=False)
        return
    con.print(f"[bold]{s.parameter} = {res.value:.3f}[/] (± {res.value_se:.3f}) gives the "
              f"published {fmt(s.published, s.kind)} of {s.source} in its virtual "
              "replication (where the weighted line through the candidates meets it). "
              "Not written: set it as the schema default in sim/model/scenario.py. "
              f"{secs:.0f} s.", highlight=False)
