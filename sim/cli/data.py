"""``sim data show`` (read an open-data export) and ``sim calibrate`` (fit the model)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.app import app, console, err_console, out_console, print_json, resolve_city
from sim.cli.run import progress_bar
from sim.core.errors import UserError
from sim.data import KwbData, PoliceData, load_export

data_app = typer.Typer(
    name="data", help="Read official open-data exports (police 47018NED/47022NED, CBS KWB).",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")

PERIODS_PER_TABLE = 10


@data_app.command("show")
def show(
    file: Path = typer.Argument(..., help="A police export (47018NED / 47022NED) or a KWB export."),
    gemeente: str = typer.Option(None, "--gemeente", "-g", help="Only this gemeente (GM0362)."),
    level: str = typer.Option("wijk", "--level", help="wijk or buurt."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of records (all "
                                 "the table shows, gemeente totals included with wijk null)."),
) -> None:
    """Parse a police or CBS export and print what was read, per wijk and period.

    Warnings (suppressed cells, incomplete years, months that miss the yearly row) go to stderr.

    --json: one JSON list of flat records holding all the table shows, per gemeente.

    First the gemeente totals, with "wijk": null (and "buurt": null), then its wijken (buurten).

    Police: gemeente, wijk (and buurt), period ("2018", "2018-01"), woninginbraken.

    Police totals are per year: the gemeente row, else the sum of its wijken.

    KWB: gemeente, wijk (or buurt), name, inhabitants, households, dwellings.

    KWB totals are the gemeente's own row. A missing or suppressed count is null.
    """
    if level not in ("wijk", "buurt"):
        raise typer.BadParameter("must be 'wijk' or 'buurt'", param_hint="--level")
    data = load_export(file)
    if gemeente:
        data = data.select(gemeente)
    for w in data.warnings():
        err_console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False, soft_wrap=True)
    if as_json:
        print_json(data.records(level, totals=True))
        return
    con = out_console(as_json)
    if isinstance(data, PoliceData):
        _show_police(data, level, con)
    else:
        _show_kwb(data, level, con)


def _fmt(v: int | None) -> str:
    return "." if v is None else f"{v:,}"


def _show_police(data: PoliceData, level: str, con) -> None:  # noqa: ANN001
    con.print(f"{data.path}: police export ({data.form}); woninginbraken (code 1.1.1), "
              f"{data.subtotal_rows} subtotal row(s) kept apart; '.' = suppressed")
    recs = data.records(level)
    for g in data.gemeenten():
        mine = [r for r in recs if r["gemeente"] == g]
        periods = sorted({r["period"] for r in mine})
        regions = sorted({r[level] for r in mine})
        cell = {(r[level], r["period"]): r["woninginbraken"] for r in mine}
        width = 13 if level == "wijk" else 15
        per_table = max(1, min(PERIODS_PER_TABLE, (con.width - width - 4) // 10))
        for i in range(0, max(len(periods), 1), per_table):
            chunk = periods[i : i + per_table]
            t = Table(title=f"{g}: woninginbraken per {level} and period")
            t.add_column(level, no_wrap=True, min_width=width - 3)
            for p in chunk:
                t.add_column(p, justify="right", no_wrap=True, min_width=7)
            for reg in regions:
                t.add_row(reg, *(_fmt(cell.get((reg, p))) if (reg, p) in cell else ""
                                 for p in chunk))
            con.print(t)
        totals = data.yearly_totals(g)
        if totals:
            con.print(f"{g} per year (gemeente row, else sum of wijken; '.' = missing): "
                      + ", ".join(f"{y}: {_fmt(v)}" for y, v in totals.items()))


def _show_kwb(data: KwbData, level: str, con) -> None:  # noqa: ANN001
    con.print(f"{data.path}: CBS Kerncijfers wijken en buurten; columns read: "
              + ", ".join(f"{k} <- '{v}'" for k, v in data.columns.items()))
    recs = data.records(level, totals=True)
    for g in data.gemeenten():
        rows = [r for r in recs if r["gemeente"] == g and r[level] is not None]
        if not rows:
            continue
        t = Table(title=f"{g}: {level}en")
        for col in (level, "name", "inhabitants", "households", "dwellings"):
            t.add_column(col, justify="left" if col in (level, "name") else "right")
        for r in rows:
            t.add_row(r[level], r["name"], _fmt(r["inhabitants"]), _fmt(r["households"]),
                      _fmt(r["dwellings"]))
        for r in (r for r in recs if r["gemeente"] == g and r[level] is None):
            t.add_section()
            t.add_row(f"{g} (gemeente row)", r["name"], _fmt(r["inhabitants"]),
                      _fmt(r["households"]), _fmt(r["dwellings"]))
        con.print(t)


@app.command()
def calibrate(
    city_arg: str = typer.Argument(None, metavar="[CITY]",
                                   help="City name (amstelveen) or a city folder."),
    police: Path = typer.Option(None, "--police", help="Police export: observed levels per wijk."),
    kwb: Path = typer.Option(None, "--kwb", help="CBS KWB export: checks households per wijk."),
    replications: int = typer.Option(None, "--replications", "-r", min=1,
                                     help="Replications per candidate (default: targets.toml)."),
    workers: int = typer.Option(None, "--workers", "-w", min=0,
                                help="Local worker processes (default: all cores)."),
    out: Path = typer.Option(None, "--out", help="Output file (default "
                             "calibration/<city>/calibrated.toml); the figure goes beside it."),
    results: Path = typer.Option(None, "--results", help="Folder for the runs' store "
                                 "(default results/calibrate-<city>-<time>/)."),
    seed: int = typer.Option(None, "--seed", min=0, max=2**63 - 1,
                             help="Master seed (default: targets.toml)."),
    city_opt: str = typer.Option(None, "--city", help="The same as CITY (a name under "
                                 "calibration/ or a city folder)."),
    accept_inconsistent: bool = typer.Option(
        False, "--accept-inconsistent", help="Calibrate on a police export that contradicts "
        "itself (wijken summing to more than the gemeente row, or a wijk's burglaries above "
        "its total crime); refused otherwise."),
) -> None:
    """Fit the free parameters to calibration/<city>/targets.toml; write calibrated.toml."""
    from sim.analysis.calibration.run import run_calibration
    from sim.report.calibration_plot import plot_fits

    if city_arg and city_opt and city_arg != city_opt:
        raise UserError(f"two cities given ('{city_arg}' and --city '{city_opt}'); give one.",
                        field="--city")
    city = resolve_city(city_arg or city_opt)
    if city is None:
        raise UserError("name the city to calibrate: 'sim calibrate amstelveen' or "
                        "'sim calibrate --city DIR'.", field="CITY")

    t0 = time.perf_counter()
    with progress_bar(console) as bar:
        task = bar.add_task("calibrating", total=None, rate="")

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label,
                       rate=f"{time.perf_counter() - t0:.0f} s")

        res = run_calibration(city, police=police, kwb=kwb, replications=replications,
                              workers=workers, out=out, results=results, seed=seed,
                              con=console, progress=progress,
                              accept_inconsistent=accept_inconsistent)
    figs = plot_fits(res, res.out.parent)  # calibration_fit.png (Dutch) and _en.png
    res.write(wall_seconds=time.perf_counter() - t0, figure=figs["nl"])
    _print_fit(res)
    console.print(f"wrote {res.out}, {figs['nl']} and {figs['en']} in "
                  f"{time.perf_counter() - t0:.0f} s; runs in {res.results}")


def _print_fit(res) -> None:  # noqa: ANN001
    t = Table(title=f"Calibration fit (loss {res.loss:.3f}; validation with "
                    f"{res.validation_replications} replications; simulated: mean; fits: "
                    "within the accepted distance)")
    for col in ("target", "observed", "simulated", "5–95%", "z", "fits"):
        t.add_column(col, justify="left" if col == "target" else "right",
                     no_wrap=col != "target", overflow="fold")
    for row in res.fit_rows():
        t.add_row(*row)
    console.print(t)
    s = res.summary
    p_text = "n/a (not over-identified)" if s["df"] <= 0 else f"{s['p']:.3g}"
    console.print(f"global fit: J = {s['j']:.2f} on {s['df']} degrees of freedom "
                  f"({s['targets']} targets, {s['free']} free parameters), p = {p_text}",
                  highlight=False)
    p = Table(title="Fitted parameters (± SMM standard error)")
    for col in ("parameter", "value", "± s.e.", "bounds", "informs"):
        num = col in ("value", "± s.e.")
        p.add_column(col, justify="right" if num else "left", no_wrap=num, overflow="fold")
    for fp, v, se in zip(res.free, res.x, res.standard_errors(), strict=True):
        p.add_row(fp.path, f"{v:.4g}", "–" if not math.isfinite(se) else f"± {se:.2g}",
                  f"[{fp.lower:g}, {fp.upper:g}]", fp.informs)
    console.print(p)
    if res.holdout:
        h = res.holdout
        console.print(
            f"hold-out year {h['year']}: observed {h['observed']:.0f}, predicted "
            f"{h['predicted']:.0f} (90% of simulated years {h['p5']:.0f}–{h['p95']:.0f}), "
            f"error {h['rel_error']:+.1%}")
    if res.prediction:
        pr = res.prediction
        a, b = pr["measured_years"]
        console.print(
            f"prediction (not fitted): the former interventieteam ({pr['fte']:g} FTE, "
            f"{pr['team_years'][0]}–{pr['team_years'][1]}) changes woninginbraken by "
            f"{pr['predicted']:+.1%} over {a}–{b} (5–95% of replications {pr['p5']:+.1%} to "
            f"{pr['p95']:+.1%})", highlight=False)
        for years, r in pr["reported"].items():
            console.print(f"  {years}: predicted {r['predicted']:+.1%}, reported "
                          f"{r['reported']:+.0%} ({r['source']})", highlight=False)
        console.print("  before/after figures of one town, without a control group, during a "
                      "national decline: weak evidence (see [prediction] in the file)",
                      style="dim", markup=False)
    for w in res.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False, soft_wrap=True)
