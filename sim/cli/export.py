"""``sim export``: a results folder as tidy tables (Parquet or CSV), see docs/results.md."""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli.app import app, console


@app.command()
def export(
    folder: Path = typer.Argument(..., help="A results folder (with runs.sqlite)."),
    fmt: str = typer.Option("parquet", "--format", metavar="parquet|csv",
                            help="parquet (pyarrow) or csv."),
    out: Path = typer.Option(None, "--out", help="Folder for the tables (default "
                                                 "FOLDER/export-<format>)."),
) -> None:
    """Write a results folder's runs as tidy tables: runs, metrics, daily, events, outcomes.

    Every column is documented in docs/results.md.
    """
    from sim.analysis.tidy import export as write

    paths = write(folder, out or folder / f"export-{fmt}", fmt)
    console.print(f"tables: {', '.join(str(p) for p in paths)}", highlight=False)
