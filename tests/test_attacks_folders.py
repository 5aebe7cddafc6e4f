"""Issue 19, items 4 and 8: only a command that ran claims a folder; Ctrl-C says what is kept.

A failed start leaves no store (or one any command may take). Ctrl-C prints, in every
command that writes runs, how many finished runs are kept and the command that resumes
them; the resumed command says how many it found done.
"""

from __future__ import annotations

import pytest
from conftest import invoke_cli

from sim.core.errors import UserError
from sim.runs import folders
from sim.runs.folders import MADE_BY, MadeBy, results_folder
from sim.runs.runner import execute
from sim.runs.store import ResultStore

TINY = ["--years", "0.02"]


def test_failed_start_leaves_no_store_and_no_folder(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(UserError), results_folder(out, MadeBy("run", "a run", {"a": 1})):
        raise UserError("the scheduler could not be reached")
    assert not out.exists(), "a start that failed must leave nothing behind"


def test_failed_start_in_an_existing_empty_folder_removes_only_its_store(tmp_path):
    out = tmp_path / "given"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt), results_folder(out, MadeBy("run", "a", {"a": 1})):
        raise KeyboardInterrupt
    assert out.is_dir() and not (out / "runs.sqlite").exists()


def test_a_store_without_runs_may_be_taken_by_another_command(tmp_path):
    out = tmp_path / "left"
    with ResultStore(out) as store:  # what an older Wijksim left after a failed start
        store.set_meta(MADE_BY, {"command": "sweep", "summary": "a sweep … 25 runs",
                                 "identity": {"experiment": "x"}})
    with results_folder(out, MadeBy("run", "a run", {"a": 1})):
        pass
    with ResultStore(out) as store:
        assert store.get_meta(MADE_BY)["command"] == "run"


def _interrupt_after(n: int):
    """A run_specs that commits ``n`` real runs, then meets Ctrl-C."""
    def fake(specs, executor, on_record, batch_size=1):
        for spec in list(specs)[:n]:
            on_record(execute(spec))
        raise KeyboardInterrupt
    return fake


def test_ctrl_c_in_run_says_how_many_runs_are_kept_and_how_to_resume(tmp_path, capsys,
                                                                    monkeypatch):
    import sim.cli.run as run_cli

    out = tmp_path / "r"
    monkeypatch.setattr(run_cli, "run_specs", _interrupt_after(2))
    code, _, err = invoke_cli(["run", "baseline", "-r", "4", *TINY, "--out", str(out)],
                              capsys, monkeypatch)
    flat = " ".join(err.split())
    assert code == 130, err
    assert f"interrupted: the finished runs are kept (2 in {out})" in flat, err
    assert f"resume with: sim run baseline -r 4 --years 0.02 --out {out}" in flat, err

    monkeypatch.undo()
    code, _, err = invoke_cli(["run", "baseline", "-r", "4", *TINY, "--out", str(out),
                               "--json"], capsys, monkeypatch)
    assert code == 0, err
    assert "resuming: 2 run(s) found done" in " ".join(err.split()), err


def test_ctrl_c_in_compare_is_named_too_and_in_dutch(tmp_path, capsys, monkeypatch):
    import sim.cli.run as run_cli

    monkeypatch.setattr(run_cli, "run_specs", _interrupt_after(1))
    out = tmp_path / "c"
    code, _, err = invoke_cli(["compare", "baseline", "interventieteam", "-r", "2", *TINY,
                               "--out", str(out), "--lang", "nl"], capsys, monkeypatch)
    flat = " ".join(err.split())
    assert code == 130, err
    assert f"onderbroken: de voltooide runs blijven bewaard (1 in {out})" in flat, err
    assert "verder met: sim compare baseline interventieteam" in flat, err


def test_ctrl_c_before_any_run_finished_says_nothing_was_kept(tmp_path, capsys, monkeypatch):
    import sim.cli.run as run_cli

    monkeypatch.setattr(run_cli, "run_specs", _interrupt_after(0))
    out = tmp_path / "z"
    code, _, err = invoke_cli(["run", "baseline", *TINY, "--out", str(out)], capsys,
                              monkeypatch)
    assert code == 130 and "no run had finished" in err, err
    assert not out.exists()
    assert folders.LAST_CLAIMED is not None
