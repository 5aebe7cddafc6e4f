"""The code shows the model: packages by concern, dependencies one way, no import cycles.

The import graph is built from the source (every ``import`` anywhere: module level, inside
functions, under ``TYPE_CHECKING``). Layers, from the bottom::

    core → data → model → runs → analysis → report → serve → cli

A module may import its own layer or a lower one, never a higher one; and the graph of
modules has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"

#: Package -> layer (higher may import lower).
LAYERS = {"sim.core": 0, "sim.data": 1, "sim.model": 2, "sim.runs": 3, "sim.analysis": 4,
          "sim.report": 5, "sim.serve": 6, "sim.cli": 7}
#: The few modules allowed at the top of sim/: the package (its version) and ``-m sim``.
TOP_LEVEL = {"sim": 0, "sim.__main__": 8}


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(SIM.rglob("*.py")):
        parts = list(p.relative_to(SIM.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def layer(module: str) -> int:
    if module in TOP_LEVEL:
        return TOP_LEVEL[module]
    for pkg, level in LAYERS.items():
        if module == pkg or module.startswith(pkg + "."):
            return level
    raise AssertionError(f"{module} belongs to no layer: put it in one of {sorted(LAYERS)}")


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The sim modules ``module`` imports (``from a import b`` counts b when it is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                     for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rsplit(".", 1)[0] if "." in name else ""
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(m, p, set(mods)) for m, p in mods.items()}


def test_every_module_lives_in_a_package_by_concern():
    top = [m for m in modules() if m.count(".") == 1 and m not in TOP_LEVEL
           and m not in LAYERS]
    assert not top, f"modules at the top of sim/ (move them into a package): {top}"


def test_dependencies_point_one_way():
    wrong = [f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
             for a, deps in graph().items() for b in deps if layer(b) > layer(a)]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_no_import_cycles():
    g = graph()
    # package __init__ files that only document their package are leaves; an __init__ that
    # re-exports is an ordinary node
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(g.get(m, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_the_checker_sees_function_level_and_type_checking_imports(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                 "    from sim.cli import app\ndef f():\n    import sim.report.build\n",
                 encoding="utf-8")
    found = imports("sim.model.x", p, {"sim.cli", "sim.report.build", "sim.model.x"})
    assert found == {"sim.cli", "sim.report.build"}
