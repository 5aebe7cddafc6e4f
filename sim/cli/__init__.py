"""Command-line interface: ``sim <command>``. Each command group lives in its own module."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from sim.cli import compare as _compare  # noqa: E402,F401  (compare, report)
from sim.cli import data as _data  # noqa: E402,F401  (data show, calibrate)

# Command modules register themselves on `app` when imported.
from sim.cli import run as _run  # noqa: E402,F401  (scenarios, validate, run)
from sim.cli import sweep as _sweep  # noqa: E402,F401  (sweep, sensitivity)
from sim.cli.app import app, err_console
from sim.errors import UserError


def main() -> None:
    """Entry point of the ``sim`` console script: clear errors, exit code 2, no traceback."""
    try:
        rc = app(standalone_mode=False)
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                          soft_wrap=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err_console.print("interrupted: finished runs are kept in the results folder.")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted: finished runs are kept in the results folder.")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(rc if isinstance(rc, int) else 0)


__all__ = ["app", "main"]
