"""Command-line interface: ``sim <command>``. Each command group lives in its own module.

Exit codes: 0 ok; 2 bad input or usage (one line naming the file or option, the field and
what is allowed); 74 disk full (finished runs are kept); 130 interrupted (one line: how many
finished runs are kept where, and the command that resumes them); 70 an internal error (a bug:
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
from sim.cli import export as _export  # noqa: F401  (export)
from sim.cli import history as _history  # noqa: F401  (history)

# Command modules register themselves on `app` when imported.
from sim.cli import robustness as _robustness  # noqa: F401  (robustness, discover, …-report)
from sim.cli import run as _run  # noqa: F401  (scenarios, validate, run)
from sim.cli import serve as _serve  # noqa: F401  (serve)
from sim.cli import sweep as _sweep  # noqa: F401  (sweep, sensitivity)
from sim.cli.app import app, err_console, quiet_library_warnings, suggest_long_options
from sim.cli.lang import locale_lang
from sim.core.errors import DISK_FULL_EXIT, DiskFullError, UserError, is_disk_full
from sim.core.userlang import say, set_lang, usage_text
from sim.runs import folders
from sim.runs.store import ResultStore

#: Exit code of an unexpected error (BSD EX_SOFTWARE): never bad input, always a bug.
INTERNAL_ERROR = 70
#: Exit code of Ctrl-C (128 + SIGINT).
INTERRUPTED_EXIT = 130


def _click_classes() -> tuple[type[BaseException], type[BaseException], type[BaseException]]:
    """(ClickException, Abort, Exit) as the installed Typer raises them.

    Typer up to 0.2x re-exported click's own classes; Typer 0.29 bundles a copy of click
    (``typer._click``) whose exceptions are not click's. Both are found from what Typer
    itself exports, so the entry point is right whichever copy raises.
    """
    base = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return base, typer.Abort, typer.Exit


CLICK_EXCEPTION, ABORT, EXIT = _click_classes()


def _say_error(text: str) -> None:
    """One line on stderr: 'error: …' (in the chosen language), no markup read from text."""
    err_console.print(f"[bold red]{say('error')}:[/] {escape(text)}", highlight=False,
                      soft_wrap=True)


def _usage_error(exc: BaseException) -> int:
    """Print a usage error in one line (the error and where to find help); its exit code (2)."""
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        err_console.print(escape(ctx.get_help()), highlight=False)
        return 2
    message = " ".join(suggest_long_options(exc, message).split())
    message = message.rstrip()
    message = usage_text(message if message.endswith(("?", ".")) else message + ".")
    hint = say("help_hint", command=ctx.command_path if ctx is not None else "sim")
    _say_error(f"{message} {hint}")
    return int(getattr(exc, "exit_code", 2) or 2)


def _user_error_text(exc: UserError) -> str:
    """The error's text with its frame (file, field) in the chosen language."""
    where = f"{exc.file}: " if exc.file else ""
    if exc.field:
        where += f"{say('field')} '{exc.field}': "
    return where + exc.message


def _interrupted() -> int:
    """The Ctrl-C line: how many runs are kept where, and the command that resumes them."""
    claimed = folders.LAST_CLAIMED
    if claimed is None:
        text = say("interrupted_plain")
    else:
        try:
            with ResultStore(claimed.folder, read_only=True) as store:
                n = len(store.finished_run_ids())
        except (UserError, OSError):
            n = 0
        text = (say("interrupted", n=n, folder=claimed.folder,
                    command=folders.resume_command(claimed)) if n
                else say("interrupted_none"))
    err_console.print(escape(text), highlight=False, soft_wrap=True)
    return INTERRUPTED_EXIT


def _disk_full(exc: BaseException) -> int:
    what = getattr(exc, "what", None) or getattr(exc, "filename", None) or "the results"
    err_console.print(escape(say("disk_full", what=what)), highlight=False, soft_wrap=True)
    return DISK_FULL_EXIT


def _argv_lang(argv: list[str]) -> str:
    """The ``--lang`` of the command line (before Typer parses it), else the locale's."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return locale_lang()


def main() -> None:
    """Entry point of the ``sim`` console script: clear errors, exit code 2, no traceback."""
    set_lang(_argv_lang(sys.argv[1:]))
    folders.announce = lambda text: err_console.print(escape(text), highlight=False,
                                                      soft_wrap=True)
    with quiet_library_warnings():
        sys.exit(_main())


def _main() -> int:
    try:
        rc = app(standalone_mode=False, prog_name="sim")
    except DiskFullError as exc:
        return _disk_full(exc)
    except UserError as exc:
        _say_error(_user_error_text(exc))
        return exc.exit_code
    except (KeyboardInterrupt, ABORT):
        return _interrupted()
    except EXIT as exc:
        code = int(getattr(exc, "exit_code", 0) or 0)
        if code == INTERRUPTED_EXIT:  # Typer 0.29 turns KeyboardInterrupt into Exit(130)
            return _interrupted()
        return code
    except CLICK_EXCEPTION as exc:
        return _usage_error(exc)
    except BrokenPipeError:  # `sim ... | head`: the reader left; nothing to report
        return 0
    except Exception as exc:  # a bug, not bad input: say so in one line, keep the detail
        if is_disk_full(exc):
            return _disk_full(exc)
        if os.environ.get("WIJKSIM_DEBUG"):
            raise
        err_console.print(escape(say("internal", what=f"{type(exc).__name__}: {exc}")),
                          highlight=False, soft_wrap=True)
        return INTERNAL_ERROR
    if rc == INTERRUPTED_EXIT:  # Typer 0.29: KeyboardInterrupt → Exit(130) → returned
        return _interrupted()
    return rc if isinstance(rc, int) else 0


__all__ = ["app", "main"]
