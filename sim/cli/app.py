"""The Typer application object and helpers shared by every command module."""

from __future__ import annotations

import difflib
import json
import math
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer._coercion import RuntimeParam
from typer.core import TyperArgument, TyperOption

from sim.core.jsonable import json_clean
from sim.core.userlang import say

app = typer.Typer(
    name="sim",
    help="Wijksim: neighbourhood enforcement capacity and residential burglary, simulated.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Human-readable output goes to stderr when --json is asked, so stdout stays pure JSON.
console = Console()
err_console = Console(stderr=True)


CITY = typer.Option(None, "--city", help="Run on this city instead of the scenario's: a name "
                   "under calibration/ or a city folder (e.g. one written by 'sim city import').")


BURN_IN = typer.Option(None, "--burn-in", min=0, max=10,
                       help="Years simulated before the counted period and left out of every "
                            "output (default: the scenario's burn_in_years, 1).")


# ---- help placeholders ------------------------------------------------------------------------
# Typer 0.29 shows a parameter's Python type as its placeholder: `--json <bool>`, `--seed
# <int range>`, `Usage: sim run [OPTIONS] {scenario}`. They are replaced here, once, for
# every command: a flag shows none, a value shows the word a user knows from other tools
# (INTEGER, NUMBER, TEXT, PATH, or the choices), an argument its name in capitals
# (`sim run [OPTIONS] SCENARIO`, `sim compare [OPTIONS] SCENARIOS...`). An explicit
# ``metavar=`` on a parameter still wins.
_WORDS = {"int": "INTEGER", "float": "NUMBER", "str": "TEXT", "Path": "PATH", "bool": "BOOLEAN"}


def _placeholder(param: TyperArgument | TyperOption, ctx: Any) -> str | None:
    if param.metavar is not None:
        return param.metavar
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return None
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    annotation = desc.annotation
    if desc.is_list:
        annotation = (getattr(annotation, "__args__", None) or (str,))[0]
    word = _WORDS.get(getattr(annotation, "__name__", ""), "VALUE")
    if desc.is_path:
        word = "PATH"
    return word + ("..." if param.nargs != 1 else "")


def _option_type(self: TyperOption, ctx: Any) -> str | None:
    return _placeholder(self, ctx)


def _argument_type(self: TyperArgument, ctx: Any) -> str | None:
    return None  # the argument's name (in capitals) already says what it takes


def _argument_name(self: TyperArgument) -> str:
    return self.metavar if self.metavar is not None else (self.name or "").upper()


def _argument_usage(self: TyperArgument) -> str:
    if self.metavar is not None:
        return self.metavar
    name = _argument_name(self)
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign]
TyperArgument.display_name_raw = property(_argument_name)  # type: ignore[assignment]
TyperArgument._usage_display_name = _argument_usage  # type: ignore[method-assign]


def resolve_city(value: str | None) -> str | None:
    """``--city``: a city name stays a name; a folder becomes its absolute path. Checked."""
    if value is None:
        return None
    from sim.model.city import city_folder

    if "/" in value or value.startswith(".") or Path(value).is_dir():
        folder = Path(value).resolve()
        city_folder(folder)
        return str(folder)
    city_folder(value)
    return value


def out_console(as_json: bool) -> Console:
    """The console for tables and progress: stderr when stdout carries JSON."""
    return err_console if as_json else console


def print_json(obj: Any) -> None:
    """Print one JSON document on stdout (NaN becomes null)."""
    sys.stdout.write(json.dumps(json_clean(obj), ensure_ascii=False, indent=2) + "\n")


# ---- usage errors ------------------------------------------------------------------------------
def _non_finite(value: Any) -> str | None:
    """'nan' or 'inf' when ``value`` (text from the command line) is NaN or infinite."""
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if math.isnan(number):
        return "nan"
    return "inf" if math.isinf(number) else None


_coerce = RuntimeParam.coerce


def _coerce_finite(self: RuntimeParam, value: Any, param: Any, ctx: Any) -> Any:
    """Name NaN and infinity as such (not 'should be less than or equal to 50')."""
    if getattr(getattr(param, "type_descriptor", None), "annotation", None) in (float, int):
        for item in value if isinstance(value, list | tuple) else [value]:
            kind = _non_finite(item)
            if kind:
                raise typer.BadParameter(say(kind, value=item), ctx=ctx, param=param)
    return _coerce(self, value, param, ctx)


RuntimeParam.coerce = _coerce_finite  # type: ignore[method-assign]


def suggest_long_options(exc: BaseException, message: str) -> str:
    """An unknown option's message with the long options it may mean (--reps: --replications).

    Typer's own suggestions use only string similarity, which misses an abbreviation; here
    an option that starts with what was typed (at least 3 letters) comes first, then the
    similar ones.
    """
    name = getattr(exc, "option_name", None)
    ctx = getattr(exc, "ctx", None)
    if not name or ctx is None or not name.startswith("--"):
        return message
    longs = sorted({o for p in ctx.command.params for o in getattr(p, "opts", [])
                    if o.startswith("--")} | {"--help"})
    stem = name[2:].split("=", 1)[0].lower()
    prefix = [o for o in longs if len(stem) >= 3 and (o[2:].startswith(stem[:3]))]
    similar = difflib.get_close_matches("--" + stem, longs, n=3, cutoff=0.6)
    found = (prefix or similar)[:4]
    base = getattr(exc, "message", message)
    if not found:
        return base
    return f"{base.rstrip('.')}. Did you mean {' or '.join(found)}?"


@contextmanager
def quiet_library_warnings() -> Iterator[None]:
    """Keep libraries' warnings (matplotlib, pandas, numpy …) off stderr.

    What a user must know is said by Wijksim itself, in one line; a library's
    ``UserWarning`` with its source line is noise there. ``WIJKSIM_DEBUG=1`` shows them.
    """
    if os.environ.get("WIJKSIM_DEBUG"):
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
