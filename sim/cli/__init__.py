"""Command-line interface: ``sim <command>``. Each command group lives in its own module.

Exit codes: 0 ok; 2 bad input or usage (one line naming the file or option, the field and
what is allowed); 130 interrupted (finished runs are kept); 70 an internal error (a bug:
one line, the traceback with ``WIJKSIM_DEBUG=1``). No input ever gives a traceback.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.markup import escape

from sim.cli import city as _city  # noqa: F401  (city import, city show)
from sim.cli import compare as _compare  # noqa: F401  (compare, report)
from sim.cli import data as _data  # noqa: F401  (data show, calibrate)
from sim.cli import describe as _describe  # noqa: F401  (describe)
from sim.cli import evidence as _evidence  # noqa: F401  (evidence)
from sim.cli import history as _history  # noqa: F401  (history)

# Command modules register themselves on `app` when imported.
from sim.cli import robustness as _robustness  # noqa: F401  (robustness, discover, …-report)
from sim.cli import run as _run  # noqa: F401  (scenarios, validate, run)
from sim.cli import serve as _serve  # noqa: F401  (serve)
from sim.cli import sweep as _sweep  # noqa: F401  (sweep, sensitivity)
from sim.cli.app import app, err_console
from sim.core.errors import UserError

#: Exit code of an unexpected error (BSD EX_SOFTWARE): never bad input, always a bug.
INTERNAL_ERROR = 70
INTERRUPTED = "interrupted: finished runs are kept in the results folder."


def _click_classes() -> tuple[type[BaseException], type[BaseException], type[BaseException]]:
    """(ClickException, Abort, Exit) as the installed Typer raises them.

    Typer up to 0.2x re-exported click's own classes; Typer 0.29 bundles a copy of click
    (``typer._click``) whose exceptions are not click's. Both are found from what Typer
    itself exports, so the entry point is right whichever copy raises.
    """
    base = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return base, typer.Abort, typer.Exit


CLICK_EXCEPTION, ABORT, EXIT = _click_classes()


def _usage_error(exc: BaseException) -> int:
    """Print a usage error in two lines (the usage, then the error); its exit code (2)."""
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        err_console.print(escape(ctx.get_help()), highlight=False)
        return 2
    if ctx is not None:
        err_console.print(escape(ctx.get_usage()), highlight=False)
        hint = f"Try '{ctx.command_path} --help' for help."
    else:
        hint = "Try 'sim --help' for help."
    message = message.rstrip().rstrip(".") + "."
    err_console.print(f"[bold red]error:[/] {escape(message)} {escape(hint)}", highlight=False,
                      soft_wrap=True)
    return int(getattr(exc, "exit_code", 2) or 2)


def main() -> None:
    """Entry point of the ``sim`` console script: clear errors, exit code 2, no traceback."""
    try:
        rc = app(standalone_mode=False)
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                          soft_wrap=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, ABORT):
        err_console.print(INTERRUPTED)
        sys.exit(130)
    except EXIT as exc:
        sys.exit(int(getattr(exc, "exit_code", 0) or 0))
    except CLICK_EXCEPTION as exc:
        sys.exit(_usage_error(exc))
    except BrokenPipeError:  # `sim ... | head`: the reader left; nothing to report
        sys.exit(0)
    except Exception as exc:  # a bug, not bad input: say so in one line, keep the detail
        if os.environ.get("WIJKSIM_DEBUG"):
            raise
        err_console.print(f"[bold red]internal error[/] (a bug in Wijksim, please report it): "
                          f"{escape(type(exc).__name__)}: {escape(str(exc))}. Set "
                          "WIJKSIM_DEBUG=1 to see the traceback. Finished runs are kept.",
                          highlight=False, soft_wrap=True)
        sys.exit(INTERNAL_ERROR)
    sys.exit(rc if isinstance(rc, int) else 0)


__all__ = ["app", "main"]
