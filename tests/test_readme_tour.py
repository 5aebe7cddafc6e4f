"""The README's commands work as written on a fresh clone (issue 15, item 6).

Every ``sim …`` line of the README's ```bash blocks is parsed by the real command line
(command, options, option values and their ranges) without being run; the cheap ones
(``sim scenarios``, ``validate``, ``describe``, ``data show``, ``city show``) are run, from
the repository's root, and must exit 0 when the files they name are shipped. The sample
files they use live in ``examples/``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from conftest import invoke_cli

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
CHEAP = {("scenarios",), ("validate",), ("describe",), ("data", "show"), ("city", "show")}


def readme_commands() -> list[str]:
    """The ``sim`` command lines of the README's bash blocks (continuations joined)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        block = block.replace("\\\n", " ")
        for line in block.splitlines():
            line = line.split("  #", 1)[0].split(" # ", 1)[0].strip()
            if line.startswith("sim "):
                out.append(line)
    return out


COMMANDS = readme_commands()


def test_the_tour_uses_the_shipped_samples():
    data = [c for c in COMMANDS if c.startswith("sim data show")]
    assert data and all("examples/" in c for c in data), data
    for name in ("police_47018NED.csv", "police_47022NED.csv", "kwb_2023.csv", "README.md"):
        assert (ROOT / "examples" / name).is_file(), f"examples/{name} is shipped"
    assert not any(re.search(r"sim run \S+ .*--seed 1\b", c) for c in COMMANDS), (
        "no invitation to compare options with separate, unpaired runs")
    assert any(c.startswith("sim compare baseline interventieteam") for c in COMMANDS)


def _parse(args: list[str]) -> list[str]:
    """Parse ``sim ARGS`` as the command line would, without running it; its path."""
    cmd = typer.main.get_command(app)
    ctx = cmd.make_context("sim", list(args))
    path = []
    while hasattr(cmd, "resolve_command"):  # a group: descend to the subcommand
        # typer 0.29's bundled click keeps the subcommand in a private field
        protected = getattr(ctx, "protected_args", None) or getattr(ctx, "_protected_args", [])
        rest = [*protected, *ctx.args]
        name, cmd, rest = cmd.resolve_command(ctx, rest)
        path.append(name)
        ctx = cmd.make_context(name, rest, parent=ctx)
    return path


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_parses(line):
    if "<" in line or "[" in line:  # a synopsis with placeholders, not a command
        pytest.skip("synopsis")
    path = _parse(shlex.split(line)[1:])
    assert path, line


def _inputs_exist(args: list[str]) -> bool:
    """Whether the files and city folders a cheap command names are in the repository."""
    if args[:2] == ["city", "show"]:
        name = args[2]
        return (ROOT / name).exists() or (ROOT / "calibration" / name).is_dir()
    paths = [a for a in args if "/" in a or re.search(r"\.(csv|toml|gpkg|geojson)$", a)]
    return all((ROOT / a).exists() for a in paths)


RUNNABLE = [c for c in COMMANDS if any(tuple(shlex.split(c)[1:1 + len(k)]) == k for k in CHEAP)]


def test_the_cheap_commands_are_there():
    kinds = {tuple(shlex.split(c)[1:3]) for c in RUNNABLE}
    assert ("data", "show") in kinds and ("scenarios",) in {k[:1] for k in kinds}
    assert len(RUNNABLE) >= 8, RUNNABLE


@pytest.mark.parametrize("line", RUNNABLE)
def test_cheap_readme_command_runs(line, capsys, monkeypatch):
    args = shlex.split(line)[1:]
    if not _inputs_exist(args):
        pytest.skip("needs a download the README names (not shipped)")
    assert "--into" not in args, "the tour must not rewrite files of the repository"
    monkeypatch.chdir(ROOT)
    code, out, err = invoke_cli(args, capsys, monkeypatch)
    assert code == 0, f"{line}: exit {code}: {err.strip()[:300]}"
    assert out.strip(), f"{line}: printed nothing"
