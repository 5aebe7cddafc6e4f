"""Wijksim: agent-based simulation of neighbourhood enforcement and residential burglary."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wijksim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
