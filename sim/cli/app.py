"""The Typer application object and helpers shared by every command module."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

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
    sys.stdout.write(json.dumps(_clean(obj), ensure_ascii=False, indent=2) + "\n")


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return None if obj != obj or obj in (float("inf"), float("-inf")) else obj
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):  # numpy scalar
        return _clean(obj.item())
    return obj
