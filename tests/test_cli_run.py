"""`sim run`, `sim scenarios`: the user-facing contract, and every shipped scenario runs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import invoke_cli

from sim.model.scenario import known_scenarios, load_scenario
from sim.runs.store import ResultStore


def cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    return invoke_cli(args, capsys, monkeypatch)


def test_run_json_contract_and_results_folder(tmp_path, capsys, monkeypatch):
    out = tmp_path / "res"
    code, stdout, _ = cli(["run", "baseline", "--years", "0.2", "-r", "2", "--seed", "7",
                           "--out", str(out), "--json"], capsys, monkeypatch)
    assert code == 0
    res = json.loads(stdout)  # stdout is pure JSON
    for key in ("scenario", "seed", "years", "replications", "woninginbraken_per_year",
                "completed_per_year", "arrests_per_year", "per_gebied", "results_dir"):
        assert key in res, f"--json must carry {key}"
    assert res["scenario"] == "baseline" and res["seed"] == 7 and res["replications"] == 2
    assert res["completed_per_year"] <= res["woninginbraken_per_year"]
    assert sum(res["per_gebied"].values()) == pytest.approx(res["woninginbraken_per_year"])
    with ResultStore(out) as store:
        runs = store.runs()
        assert len(runs) == 2 and set(runs["status"]) == {"done"}
        assert set(runs["master_seed"]) == {7}
        daily = store.daily()
        events = store.events()
    # the store is the source of truth: daily counts and events agree with the summary
    mean_total = daily["woninginbraken"].sum() / 2 / runs["years"].iloc[0]
    assert mean_total == pytest.approx(res["woninginbraken_per_year"])
    assert len(events) == daily["woninginbraken"].sum()
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["run_id"]) == list(runs["run_id"])
    assert (out / "daily.csv").exists()


def test_run_table_output(tmp_path, capsys, monkeypatch):
    code, stdout, _ = cli(["run", "interventieteam", "--years", "0.05", "--out",
                           str(tmp_path / "r")], capsys, monkeypatch)
    assert code == 0
    for text in ("total", "arrests", "boa patrol", "interventieteam patrol", "Noord"):
        assert text in stdout


def test_scenarios_lists_shipped_with_cost(capsys, monkeypatch):
    code, stdout, _ = cli(["scenarios"], capsys, monkeypatch)
    assert code == 0
    for name in known_scenarios():
        assert name in stdout
    assert "449,920" in stdout, "interventieteam: 4 x 1,406 h x €80 (Amstelveen 2023)"


def test_interventieteam_cost_from_council_letter():
    cost = load_scenario("interventieteam").yearly_cost_eur()
    assert set(cost.values()) == {4 * 1406 * 80}


@pytest.mark.parametrize("name", sorted(known_scenarios()))
def test_every_shipped_scenario_runs_a_few_days(name, tmp_path):
    from sim.runs.runner import RunSpec, execute

    sc = load_scenario(name)
    assert sc.description, f"{name} needs a description for the report"
    rec = execute(RunSpec(sc, 1, 0, years=5 / 365))
    assert rec.status == "done", rec.error
    assert rec.output.days == 5
