"""Issue 19, item 7: reading needs no write access (``report``, ``serve``, ``discover``).

The store is opened through SQLite's ``mode=ro`` URI. Tests run as root here, and
``chmod`` does not stop root; so the proof is twofold: (1) on any machine, every store
opened by the readers is a ``mode=ro`` connection and the folder's bytes are unchanged,
with no journal files left; (2) where the kernel allows it (``unshare -m``), the same
readers run on a read-only bind mount, which stops root too.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import invoke_cli

from sim.runs import store as store_mod

EXPERIMENT = """
name = "ro"
policies = ["baseline", "interventieteam"]
master_seed = 3
replications = 1
years = 0.05
burn_in_years = 0
outcomes = ["woninginbraken_per_year"]

[design]
method = "lhs"
n = 6

[[parameters]]
path = "offenders.active_offenders"
unit = "offenders"
bounds = [35, 55]
"""
WHERE = "baseline.woninginbraken_per_year > 0"


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("ro")
    mp = pytest.MonkeyPatch()
    cap = _Cap()
    try:
        comp = base / "cmp"
        code, _, err = invoke_cli(["compare", "baseline", "interventieteam", "-r", "2",
                                   "--years", "0.05", "--burn-in", "0", "--out", str(comp),
                                   "--json"], cap, mp)
        assert code == 0, err
        exp = base / "ro.toml"
        exp.write_text(textwrap.dedent(EXPERIMENT), encoding="utf-8")
        rob = base / "rob"
        code, _, err = invoke_cli(["robustness", str(exp), "--workers", "1", "--out",
                                   str(rob), "--json"], cap, mp)
        assert code == 0, err
    finally:
        mp.undo()
    return comp, rob


class _Cap:
    """A stand-in for pytest's capsys in a module fixture (output is not checked there)."""

    def readouterr(self):  # noqa: ANN201
        class R:
            out = ""
            err = ""
        return R()


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_readers_open_the_store_mode_ro_and_change_nothing(folders, tmp_path, capsys,
                                                          monkeypatch):
    pytest.importorskip("ema_workbench")
    comp, rob = folders
    before = _snapshot(comp), _snapshot(rob)
    opened: list[str] = []
    real = sqlite3.connect

    def spy(database, *args, **kwargs):  # noqa: ANN001, ANN202
        opened.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(store_mod.sqlite3, "connect", spy)
    from sim.report.build import load_comparison

    load_comparison(comp)  # what `sim serve` (meeting mode) and `sim report` read
    code, _, err = invoke_cli(["report", str(comp), "--format", "html", "--out",
                               str(tmp_path / "r.html")], capsys, monkeypatch)
    assert code == 0, err
    code, _, err = invoke_cli(["discover", str(rob), "--where", WHERE, "--out",
                               str(tmp_path / "disc"), "--json"], capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "disc" / "discovery.json").is_file(), "discover writes where --out says"
    assert opened and all("mode=ro" in d for d in opened), opened
    assert (_snapshot(comp), _snapshot(rob)) == before, "reading changed the folders"


def _can_bind_read_only(tmp_path: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    src, dst = tmp_path / "s", tmp_path / "d"
    src.mkdir()
    dst.mkdir()
    r = subprocess.run(["unshare", "-m", "sh", "-c",
                        f"mount --bind -o ro {src} {dst} && ! touch {dst}/x"],
                       capture_output=True)
    return r.returncode == 0


def test_report_serve_and_discover_on_a_read_only_mount(folders, tmp_path):
    pytest.importorskip("ema_workbench")
    if not _can_bind_read_only(tmp_path):
        pytest.skip("no read-only bind mount here (needs unshare -m); the mode=ro test "
                    "above still holds")
    comp, rob = folders
    ro_comp, ro_rob = tmp_path / "ro_cmp", tmp_path / "ro_rob"
    ro_comp.mkdir()
    ro_rob.mkdir()
    script = textwrap.dedent(f"""
        import sys
        from sim.report.build import build_report, load_comparison
        load_comparison({str(ro_comp)!r})
        build_report({str(ro_comp)!r}, "html", "nl", {str(tmp_path / "r.html")!r})
        sys.argv = ["sim", "discover", {str(ro_rob)!r}, "--where", {WHERE!r},
                    "--out", {str(tmp_path / "disc")!r}, "--json"]
        from sim.cli import main
        main()
    """)
    cmd = (f"mount --bind -o ro {comp} {ro_comp} && mount --bind -o ro {rob} {ro_rob} && "
           f"touch {ro_comp}/probe 2>/dev/null && exit 9; "
           f"{sys.executable} -c \"$0\"")
    r = subprocess.run(["unshare", "-m", "sh", "-c", cmd, script], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "r.html").is_file() and (tmp_path / "disc" / "discovery.json").is_file()


def test_report_into_a_read_only_folder_names_out(folders, tmp_path, capsys, monkeypatch):
    """Without --out, writing beside the results fails in one line that names --out."""
    comp, _ = folders

    def refuse(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(30, "Read-only file system")

    import sim.report.build as build

    monkeypatch.setattr(build, "_render", refuse)
    code, _, err = invoke_cli(["report", str(comp), "--format", "html"], capsys, monkeypatch)
    assert code == 2 and "--out" in err and "Read-only" in err, err
    assert len(err.strip().splitlines()) == 1 or "let op" in err, err
