"""The documentation stands on its own and cannot go stale (issue 10).

* docs/ODD.md's parameter tables are exactly what ``sim describe --format md`` prints;
* the README links only to files inside the repository, and its "How the code is
  organised" section names every package under ``sim/``;
* no code, data or documentation file cites a source by an id a user cannot look up
  (the brief's S0…S4 or its sections), and every source a default names is in
  docs/sources.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.model.parameters import generated_part, parameter_rows, to_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def project_files() -> list[Path]:
    skip = {".git", ".venv", "results", ".pytest_cache", ".ruff_cache", ".hypothesis"}
    return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.parts)
            and p.suffix in (".py", ".toml", ".csv", ".md", ".txt", ".json", ".geojson")]


def test_odd_parameter_tables_match_the_schema(capsys, monkeypatch):
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    expected = to_markdown(parameter_rows())
    assert generated_part(odd) == expected, (
        "docs/ODD.md's parameter tables differ from the schema: run "
        "`sim describe --format md --into docs/ODD.md`")
    from conftest import invoke_cli

    code, out, _ = invoke_cli(["describe", "--format", "md"], capsys, monkeypatch)
    assert code == 0 and out == expected, "the command prints what the docs hold"


def test_odd_has_every_section_of_the_protocol():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    for heading in ("Purpose and patterns", "Entities, state variables and scales",
                    "Process overview and scheduling", "Design concepts", "Initialisation",
                    "Input data", "Submodels", "Parameters"):
        assert re.search(rf"^## (\d+\. )?{re.escape(heading)}", odd, re.M), heading


def test_odd_names_functions_that_exist():
    """Every `sim.x.y.name` the ODD names resolves to a real module attribute."""
    import importlib

    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`(sim(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\(\))?`", odd))
    assert len(names) >= 10, "the submodels name the functions that implement them"
    missing = []
    for dotted in sorted(names):
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                missing.append(dotted)
            break
        else:
            missing.append(dotted)
    assert not missing, f"docs/ODD.md names what does not exist: {missing}"


def test_readme_links_stay_inside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme and "DESIGN.md" not in readme
    for target in re.findall(r"\]\(([^)#\s]+)", readme):
        if re.match(r"https?://", target):
            continue
        assert not target.startswith(("/", "..")), f"link leaves the repository: {target}"
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"


def test_readme_shows_how_the_code_is_organised():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is organised", 1)
    assert len(section) == 2, "README has a 'How the code is organised' section"
    text = section[1].split("\n## ", 1)[0]
    packages = sorted(p.parent.name for p in (ROOT / "sim").glob("*/__init__.py"))
    for pkg in packages:
        assert re.search(rf"^\s+{pkg}/", text, re.M), f"the tree does not show sim/{pkg}/"


#: Lines where S1/S2 are Sobol indices, not source ids.
SOBOL = re.compile(r"(?i)sobol|S[12]_conf|\"S[12]\"|S2 (of|on|too)|other S2|S1/ST|estimate S2|"
                   r"first order|S2 on resume")


def test_no_source_is_cited_by_an_id_a_user_cannot_look_up():
    bad = re.compile(r"\bS[0-4]\b|DESIGN\s*§|\.\./shared|DESIGN\.md")
    hits = []
    for p in project_files():
        if p.name == "test_docs.py" or p.name.startswith("."):
            continue
        for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(),
                                 1):
            if bad.search(line) and not SOBOL.search(line):
                hits.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()[:90]}")
    assert not hits, "cite sources by name (docs/sources.md):\n" + "\n".join(hits[:30])


#: A citation inside a source text: "Name 2011", "Name & Name 2005", "Name et al. 2007".
CITATION = re.compile(r"\b(?!(?:January|February|March|April|May|June|July|August|September|"
                      r"October|November|December) )"
                      r"([A-Z][A-Za-zü]+(?: et al\.| & (?:van |Van )?[A-Z][A-Za-z]+)? "
                      r"(?:19|20)\d\d)\b")


def test_every_cited_source_is_in_sources_md():
    keys = set(re.findall(r"^### \*\*(.+?)\*\*", (DOCS / "sources.md").read_text(
        encoding="utf-8"), re.M))
    texts = [r.source for r in parameter_rows()]
    for p in [*ROOT.glob("calibration/*/*.toml"), *ROOT.glob("calibration/*/wijken.csv"),
              *ROOT.glob("scenarios/*.toml"), *ROOT.glob("experiments/*.toml")]:
        texts += p.read_text(encoding="utf-8").splitlines()
    cited = {c for t in texts for c in CITATION.findall(t)}
    assert len(cited) >= 8, f"the checker finds the citations: {sorted(cited)}"
    missing = sorted(c for c in cited if not any(c in k or k in c for k in keys))
    assert not missing, f"cited but absent from docs/sources.md: {missing}"
