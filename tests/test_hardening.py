"""Issue 9: every bad input gets one clear line (exit 2), no result is overwritten or mixed.

One test per point of the issue; the property-based attack on the whole CLI is in
``test_fuzz_cli.py``. Point 10 (data loaders) is in ``test_data_police.py`` and
``test_data_kwb.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import invoke_cli

SIM = [sys.executable, "-m", "sim"]
TINY_RUN = ["--years", "0.02"]


def cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    return invoke_cli([str(a) for a in args], capsys, monkeypatch)


def one_line_error(code: int, err: str, *needles: str) -> str:
    """Exit 2, no traceback, and the message names what it must."""
    assert code == 2, f"exit code should be 2, got {code}: {err}"
    assert "Traceback" not in err, err
    flat = " ".join(err.split())
    for n in needles:
        assert n in flat, f"error should mention {n!r}: {flat}"
    return flat


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def scenario_file(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


# ---- 1. usage errors --------------------------------------------------------------------------
def test_no_command_prints_the_help_and_exits_2(capsys, monkeypatch):
    code, out, err = cli([], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in out + err
    assert "Usage" in out + err and "compare" in out + err


@pytest.mark.parametrize("args, needle", [
    (["run"], "Missing argument"),
    (["run", "baseline", "--bogus"], "No such option: --bogus"),
    (["run", "baseline", "-r", "0"], "--replications"),
    (["run", "baseline", "--seed", "-1"], "--seed"),
    (["run", "baseline", "--years", "0"], "--years"),
    (["sweep", "capaciteit", "--scheduler", "foo"], "--scheduler"),
    (["compare", "baseline", "--workers", "x"], "--workers"),
    (["nonsense"], "No such command"),
])
def test_usage_errors_exit_2_without_traceback(args, needle, capsys, monkeypatch):
    code, _, err = cli(args, capsys, monkeypatch)
    one_line_error(code, err, needle)


def test_entry_point_catches_the_installed_typers_exceptions():
    import typer

    from sim.cli import ABORT, CLICK_EXCEPTION, EXIT

    assert issubclass(typer.BadParameter, CLICK_EXCEPTION), "usage errors are caught"
    assert ABORT is typer.Abort and EXIT is typer.Exit


# ---- 2. files that are not UTF-8 text ---------------------------------------------------------
def test_non_utf8_files_say_what_is_wrong(tmp_path, capsys, monkeypatch):
    binary = tmp_path / "bin.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    code, _, err = cli(["validate", binary], capsys, monkeypatch)
    one_line_error(code, err, "bin.toml", "binary", "UTF-8")

    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    code, _, err = cli(["validate", latin], capsys, monkeypatch)
    one_line_error(code, err, "latin.toml", "not UTF-8", "line 1")

    u16 = tmp_path / "u16.toml"
    u16.write_bytes('name = "u16"\n'.encode("utf-16-le"))  # no byte-order mark
    code, _, err = cli(["validate", u16], capsys, monkeypatch)
    one_line_error(code, err, "u16.toml", "UTF-16 without a byte-order mark")


def test_utf8_with_bom_and_utf16_with_bom_are_read(tmp_path, capsys, monkeypatch):
    for enc, name in (("utf-8-sig", "bom8.toml"), ("utf-16", "bom16.toml")):
        p = tmp_path / name
        p.write_bytes('extends = "baseline"\nname = "x"\n'.encode(enc))
        code, out, err = cli(["validate", p], capsys, monkeypatch)
        assert code == 0 and out.strip() == "ok", err


# ---- 3. paths never escape ---------------------------------------------------------------------
@pytest.mark.parametrize("text, field", [
    ('name = "/somewhere/else"', "name"),
    ('name = "../../x"', "name"),
    ('name = "x"\ncity = "../x"', "city"),
    ('name = "x"\ncity = "/etc"', "city"),
])
def test_names_are_slugs_and_cities_stay_under_calibration(text, field, tmp_path, capsys,
                                                            monkeypatch):
    f = scenario_file(tmp_path, 'extends = "baseline"\n' + text + "\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(["run", f, *TINY_RUN], capsys, monkeypatch)
    one_line_error(code, err, f"'{field}'")
    assert not (tmp_path / "results").exists() and not Path("/somewhere").exists()


def test_experiment_name_is_a_slug(tmp_path, capsys, monkeypatch):
    src = (Path(__file__).parent.parent / "experiments" / "capaciteit.toml").read_text()
    f = tmp_path / "e.toml"
    f.write_text('name = "../../escape"\n' + src.replace('name = "capaciteit"', ""))
    code, _, err = cli(["sweep", f], capsys, monkeypatch)
    one_line_error(code, err, "e.toml", "'name'", "slug")


def test_unnamed_scenario_file_gets_a_slug_from_its_file_name(tmp_path):
    from sim.model.scenario import load_scenario

    f = scenario_file(tmp_path, 'extends = "baseline"\n', name="My Plan (v2).toml")
    assert load_scenario(f).name == "my-plan-v2"


# ---- 4. results are never overwritten or mixed -----------------------------------------------
@pytest.fixture(scope="module")
def comparison_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "council"
    proc = subprocess.run([*SIM, "compare", "baseline", "interventieteam", "--years", "0.05",
                           "-r", "2", "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_results_folders_are_never_overwritten_or_mixed(comparison_folder, tmp_path, capsys,
                                                        monkeypatch):
    before = snapshot(comparison_folder)
    # a run into a comparison folder
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", comparison_folder], capsys,
                       monkeypatch)
    one_line_error(code, err, "holds 'sim compare baseline, interventieteam'", "--out")
    assert snapshot(comparison_folder) == before, "the comparison is untouched"

    # two runs with different seeds into one folder
    out = tmp_path / "one"
    assert cli(["run", "baseline", *TINY_RUN, "--out", out], capsys, monkeypatch)[0] == 0
    first = snapshot(out)
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--seed", "7", "--out", out], capsys,
                       monkeypatch)
    one_line_error(code, err, "seed 42", "seed 7", "differs in: seed")
    assert snapshot(out) == first

    # a run into a sweep folder, and a sweep into a run folder
    sweep = tmp_path / "sweep"
    code, _, err = cli(["sweep", "capaciteit", "--years", "0.005", "-w", "1", "--out", sweep],
                       capsys, monkeypatch)
    assert code == 0, err
    swept = snapshot(sweep)
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", sweep], capsys, monkeypatch)
    one_line_error(code, err, "sweep of experiment 'capaciteit'")
    code, _, err = cli(["sensitivity", "capaciteit", "--years", "0.005", "-w", "1", "--out",
                        out], capsys, monkeypatch)
    one_line_error(code, err, "holds 'sim run baseline'")
    assert snapshot(sweep) == swept and snapshot(out) == first

    # a folder of other files is not a results folder
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("mine")
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", docs], capsys, monkeypatch)
    one_line_error(code, err, "not Wijksim results", "notes.txt")
    assert sorted(p.name for p in docs.iterdir()) == ["notes.txt"]


def test_an_exact_resume_is_allowed_and_changes_no_run(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r"
    args = ["run", "baseline", *TINY_RUN, "-r", "2", "--out", out, "--json"]
    code, first, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    code, again, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    a, b = json.loads(first), json.loads(again)
    assert b["resumed_runs"] == 2 and b["woninginbraken_per_year"] == a["woninginbraken_per_year"]


# ---- 5. late failures are checked before the first run ---------------------------------------
def test_out_of_range_seeds_fail_before_any_run(tmp_path, capsys, monkeypatch):
    out = tmp_path / "o"
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--seed", str(2**64 - 1), "--out", out],
                       capsys, monkeypatch)
    one_line_error(code, err, "--seed")
    assert not out.exists(), "nothing ran, nothing was written"
    src = (Path(__file__).parent.parent / "experiments" / "capaciteit.toml").read_text()
    f = tmp_path / "big-seed.toml"
    f.write_text(src.replace("master_seed = ", f"master_seed = {2**70}\n# was ", 1))
    code, _, err = cli(["sweep", f, "--out", out], capsys, monkeypatch)
    one_line_error(code, err, "master_seed")
    assert not out.exists()


# ---- 6. unbounded inputs -----------------------------------------------------------------------
@pytest.mark.parametrize("body, needles", [
    ("[offenders]\nactive_offenders = 100000000", ("active_offenders", "5,000 offenders")),
    ("[offenders]\nactive_offenders = 1e8", ("active_offenders",)),
    ("[offenders]\noutings_per_offender_day = 1e9", ("outings_per_offender_day",
                                                      "outings per offender per day")),
    ("[offenders]\noutings_per_offender_day = inf", ("finite",)),
    ("[boa]\nfte = nan", ("boa.fte", "finite")),
    ("[boa]\nfte = 1e12", ("boa.fte", "FTE")),
    ("years = 1000", ("years", "50 years")),
])
def test_every_parameter_is_bounded_with_its_unit(body, needles, tmp_path, capsys,
                                                   monkeypatch):
    f = scenario_file(tmp_path, f'extends = "baseline"\nname = "x"\n{body}\n')
    code, _, err = cli(["validate", f], capsys, monkeypatch)
    one_line_error(code, err, *needles)


def test_every_numeric_parameter_has_bounds_a_unit_and_a_source():
    from sim.model.scenario import Scenario, allowed_range, field_info, parameter_paths

    for path in parameter_paths():
        info = field_info(tuple(path.split(".")))
        extra = info.json_schema_extra or {}
        assert extra.get("unit"), f"{path} has no unit"
        assert extra.get("source"), f"{path} names no source (or 'estimate')"
        rng = allowed_range(info)
        assert " to " in rng, f"{path} has no upper bound: {rng!r}"
    assert Scenario.model_config["allow_inf_nan"] is False


def test_extends_chains_deep_files_and_devices_are_refused(tmp_path, capsys, monkeypatch):
    for i in range(40):
        scenario_file(tmp_path, f'extends = "c{i + 1}.toml"\nname = "c{i}"\n', f"c{i}.toml")
    scenario_file(tmp_path, 'name = "c40"\n', "c40.toml")
    code, _, err = cli(["validate", tmp_path / "c0.toml"], capsys, monkeypatch)
    one_line_error(code, err, "'extends'", "16 files")

    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = cli(["validate", deep], capsys, monkeypatch)
    one_line_error(code, err, "deep.toml", "nested too deeply")

    zero = scenario_file(tmp_path, 'extends = "/dev/zero"\n', "zero.toml")
    code, _, err = cli(["validate", zero], capsys, monkeypatch)
    one_line_error(code, err, "/dev/zero", "not a regular file")

    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * (2 << 20) + "\n")
    code, _, err = cli(["validate", huge], capsys, monkeypatch)
    one_line_error(code, err, "huge.toml", "at most 1.0 MiB")


def test_experiment_sizes_are_bounded(tmp_path, capsys, monkeypatch):
    src = (Path(__file__).parent.parent / "experiments" / "sobol-onzekerheid.toml").read_text()
    f = tmp_path / "e.toml"
    f.write_text(src)
    code, _, err = cli(["sweep", f, "--n", str(2**19), "--out", tmp_path / "o"], capsys,
                       monkeypatch)
    one_line_error(code, err, "runs", "1,000,000")
    assert not (tmp_path / "o").exists()


# ---- 7. the store -----------------------------------------------------------------------------
def test_corrupt_or_truncated_store_gives_one_line(comparison_folder, tmp_path, capsys,
                                                   monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(comparison_folder, broken)
    db = broken / "runs.sqlite"
    db.write_bytes(db.read_bytes()[:3000])  # truncated
    for args in (["run", "baseline", *TINY_RUN, "--out", broken],
                 ["report", broken, "--format", "html", "--out", tmp_path / "r.html"]):
        code, _, err = cli(args, capsys, monkeypatch)
        one_line_error(code, err, "runs.sqlite")
    assert not (tmp_path / "r.html").exists(), "no report from a corrupt store"
    db.write_bytes(b"this is not a database" * 100)
    code, _, err = cli(["report", broken], capsys, monkeypatch)
    one_line_error(code, err, "runs.sqlite", "not a readable Wijksim result store")


def test_report_checks_comparison_json_against_the_store(comparison_folder, tmp_path, capsys,
                                                         monkeypatch):
    bad = tmp_path / "bad"
    shutil.copytree(comparison_folder, bad)
    comp = json.loads((bad / "comparison.json").read_text())
    for change, needle in (
        (lambda c: c.pop("rows"), "rows"),
        (lambda c: c.update(rows="nonsense"), "rows"),
        (lambda c: c["rows"].__setitem__(0, 5), "rows[0]"),
        (lambda c: c["provenance"].pop("replications"), "provenance"),
        (lambda c: c.update(reference="elders"), "provenance.scenarios"),
        (lambda c: c["rows"][0].update(woninginbraken_per_year=1.0), "does not match the runs"),
    ):
        edited = json.loads(json.dumps(comp))
        change(edited)
        (bad / "comparison.json").write_text(json.dumps(edited))
        code, _, err = cli(["report", bad, "--out", tmp_path / "r.pdf"], capsys, monkeypatch)
        one_line_error(code, err, "comparison.json", needle)
    (bad / "comparison.json").write_text("[1, 2")
    code, _, err = cli(["report", bad], capsys, monkeypatch)
    one_line_error(code, err, "unreadable JSON")


def test_store_missing_runs_is_refused_by_report(comparison_folder, tmp_path, capsys,
                                                 monkeypatch):
    import sqlite3

    thin = tmp_path / "thin"
    shutil.copytree(comparison_folder, thin)
    con = sqlite3.connect(thin / "runs.sqlite")
    with con:
        con.execute("DELETE FROM runs WHERE run_id = 'interventieteam-r0001'")
    con.close()
    code, _, err = cli(["report", thin, "--out", tmp_path / "r.pdf"], capsys, monkeypatch)
    one_line_error(code, err, "interventieteam-r0001")


def _make_read_only(folder: Path) -> bool:
    """Make ``folder`` read-only, for root too (``chattr +i``); False when impossible."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return True
    return subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0


def _make_writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


def test_read_only_results_folder_gives_one_line(comparison_folder, tmp_path, capsys,
                                                 monkeypatch):
    ro = tmp_path / "ro"
    shutil.copytree(comparison_folder, ro)
    if not _make_read_only(ro):
        pytest.skip("cannot make a folder read-only here (no chattr)")
    try:
        # another command is refused for what the folder holds (read without writing) ...
        code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", ro], capsys, monkeypatch)
        one_line_error(code, err, "holds 'sim compare baseline, interventieteam'", str(ro))
        # ... and the exact resume, which would write, is told the folder is read-only
        code, _, err = cli(["compare", "baseline", "interventieteam", "--years", "0.05", "-r",
                            "2", "--out", ro], capsys, monkeypatch)
        one_line_error(code, err, "read-only", str(ro))
    finally:
        _make_writable(ro)


def test_unwritable_results_path_gives_one_line(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", blocker / "sub"], capsys,
                       monkeypatch)
    one_line_error(code, err, "cannot create the results folder")
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", blocker], capsys, monkeypatch)
    one_line_error(code, err, "not a folder")


# ---- 8. concurrency ----------------------------------------------------------------------------
def test_a_locked_folder_names_its_holder(tmp_path, capsys, monkeypatch):
    out = tmp_path / "sweep"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from sim.runs.folders import MadeBy, results_folder
            with results_folder(Path({str(out)!r}), MadeBy("sweep", "a test holder")):
                print("locked", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, _, err = cli(["sweep", "capaciteit", "--years", "0.005", "--out", out], capsys,
                           monkeypatch)
        one_line_error(code, err, "in use by process", str(holder.pid), "a test holder")
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its process, and a holder that committed no run claimed nothing
    # (issue 19, item 4): any command may use the folder now
    code, _, err = cli(["run", "baseline", *TINY_RUN, "--out", out], capsys, monkeypatch)
    assert code == 0, err


# ---- 9. orphans --------------------------------------------------------------------------------
def _descendants(pgid: int, leader: int) -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid=,pgid=,stat=,args="], capture_output=True,
                        text=True).stdout
    return [ln for ln in ps.splitlines()
            if int(ln.split()[1]) == pgid and int(ln.split()[0]) != leader
            and not ln.split()[2].startswith("Z")]


def test_pool_workers_exit_when_the_command_is_killed(tmp_path):
    cmd = [*SIM, "sweep", "capaciteit", "--years", "3", "-w", "2", "--out", str(tmp_path / "o")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "COLUMNS": "80"})
    deadline = time.monotonic() + 60
    while len(_descendants(proc.pid, proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)  # the forkserver and two workers (and the resource tracker)
    assert len(_descendants(proc.pid, proc.pid)) >= 3, "the pool started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _descendants(proc.pid, proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _descendants(proc.pid, proc.pid)
    for ln in left:  # never leave them behind, even when the test fails
        os.kill(int(ln.split()[0]), signal.SIGKILL)
    assert not left, f"orphans: {left}"
