"""``sim describe``: the parameter catalogue (name, unit, default, bounds, source)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from sim.cli.app import app, console, print_json
from sim.core.errors import UserError
from sim.core.textio import read_text
from sim.model.parameters import (
    bounds_text,
    default_text,
    parameter_rows,
    replace_generated,
    to_markdown,
    to_records,
)

FORMATS = ("text", "md", "json")


@app.command()
def describe(
    fmt: str = typer.Option("text", "--format", help="text (a table), md (Markdown, as in "
                            "docs/ODD.md) or json."),
    into: Path = typer.Option(None, "--into", help="With --format md: replace the generated "
                              "tables between the markers in this file (e.g. docs/ODD.md)."),
) -> None:
    """Every scenario parameter with its unit, default, allowed range and source."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}.",
                        field="--format")
    rows = parameter_rows()
    if into is not None:
        if fmt != "md":
            raise UserError("--into needs --format md.", field="--into")
        text = read_text(into, what="Markdown file")
        try:
            new = replace_generated(text, to_markdown(rows))
        except ValueError as exc:
            raise UserError(str(exc), file=str(into)) from None
        try:
            into.write_text(new, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write ({exc.strerror}).", file=str(into)) from None
        console.print(f"updated the parameter tables in {into}")
        return
    if fmt == "md":
        sys.stdout.write(to_markdown(rows))
    elif fmt == "json":
        print_json(to_records(rows))
    elif console.width < WIDE_TABLE:
        _print_stacked(rows)
    else:
        t = Table(title="Scenario parameters (sim/model/scenario.py)")
        t.add_column("parameter", no_wrap=True)
        for col in ("unit", "default", "allowed", "source"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(r.path, r.unit, default_text(r.default), bounds_text(r), r.source)
        console.print(t)


#: From this terminal width on, the catalogue is one table; below it, one block per
#: parameter (a table of five columns would cut the source into slices of a few letters).
WIDE_TABLE = 140


def _print_stacked(rows: list) -> None:
    """One block per parameter: its name, then unit, default and range, then the source.

    Every line wraps at the terminal's width between words, so nothing is cut.
    """
    from rich.padding import Padding
    from rich.text import Text

    console.print("Scenario parameters (sim/model/scenario.py)", style="bold", highlight=False)
    for r in rows:
        console.print(Text(r.path, style="bold"), highlight=False)
        facts = f"unit: {r.unit or '–'}; default: {default_text(r.default)}; allowed: " \
                f"{bounds_text(r)}"
        console.print(Padding(Text(facts), (0, 0, 0, 4), expand=False), highlight=False)
        source = Text(f"source: {r.source}", style="dim")
        console.print(Padding(source, (0, 0, 0, 4), expand=False), highlight=False)
