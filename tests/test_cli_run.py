"""`sim run`, `sim scenarios`: the user-facing contract, and every shipped scenario runs."""

from __future__ import annotations

import json
import re

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
                           str(tmp_path / "r"), "--lang", "en"], capsys, monkeypatch)
    assert code == 0
    for text in ("total", "arrests", "boa patrol", "interventieteam patrol", "Noord"):
        assert text in stdout


def test_scenarios_lists_shipped_with_cost(capsys, monkeypatch):
    code, stdout, _ = cli(["scenarios", "--lang", "en"], capsys, monkeypatch)
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


# ---- issue 15: intervals, one language per run, readable help ---------------------------------
def test_run_with_replications_shows_90pct_intervals_and_points_to_compare(tmp_path, capsys,
                                                                           monkeypatch):
    code, stdout, _ = cli(["run", "baseline", "--years", "0.1", "-r", "2", "--out",
                           str(tmp_path / "r"), "--lang", "en"], capsys, monkeypatch)
    assert code == 0
    assert "90% interval below" in stdout
    assert "…" in stdout, "an interval line under the means"
    assert "sim compare baseline interventieteam" in " ".join(stdout.split()), (
        "points to the paired comparison")
    code, stdout, _ = cli(["run", "baseline", "--years", "0.1", "-r", "2", "--out",
                           str(tmp_path / "r"), "--json"], capsys, monkeypatch)
    res = json.loads(stdout)
    iv = res["intervals"]
    lo, hi = iv["woninginbraken_per_year"]
    assert 0 <= lo <= res["woninginbraken_per_year"] <= hi
    assert 0 <= iv["clearance_rate"][0] and iv["clearance_rate"][1] <= 1
    assert all(v[0] is None or v[0] >= 0 for v in iv["per_gebied"].values()), "counts >= 0"
    code, stdout, _ = cli(["run", "baseline", "--years", "0.05", "--out", str(tmp_path / "one"),
                           "--json"], capsys, monkeypatch)
    assert json.loads(stdout)["intervals"]["woninginbraken_per_year"] == [None, None], (
        "one replication: no interval")


def test_one_language_per_run_from_lang_or_locale(tmp_path, capsys, monkeypatch):
    from sim.cli.lang import WORDS, locale_lang

    assert set(WORDS["nl"]) == set(WORDS["en"]), "every terminal text in both languages"
    for env, want in (({"LANG": "nl_NL.UTF-8"}, "nl"), ({"LANG": "en_GB.UTF-8"}, "en"),
                      ({"LC_ALL": "nl_BE.UTF-8", "LANG": "en_US"}, "nl"),
                      ({"LANG": "C.UTF-8"}, "en"), ({"WIJKSIM_LANG": "nl", "LANG": "C"}, "nl")):
        assert locale_lang(env) == want, env
    out = tmp_path / "r"
    monkeypatch.delenv("WIJKSIM_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    code, nl, _ = cli(["run", "baseline", "--years", "0.05", "--out", str(out)], capsys,
                      monkeypatch)
    assert code == 0
    for word in ("totaal", "aanhoudingen", "Uitkomsten per jaar", "Productieve uren"):
        assert word in nl, f"Dutch locale: {word!r}"
    for word in ("total", "arrests", "Outcomes per year", "results:"):
        assert word not in nl, f"no English in a Dutch run: {word!r}"
    code, en, _ = cli(["run", "baseline", "--years", "0.05", "--out", str(out), "--lang", "en"],
                      capsys, monkeypatch)
    assert code == 0 and "Outcomes per year" in en and "totaal" not in en, "--lang wins"
    code, _, err = cli(["run", "baseline", "--lang", "de"], capsys, monkeypatch)
    assert code == 2 and "--lang" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["run"], ["compare"], ["report"], ["data", "show"],
                                     ["describe"], ["calibrate"]])
def test_help_placeholders_read_naturally(command, capsys, monkeypatch):
    code, stdout, _ = cli([*command, "--help"], capsys, monkeypatch)
    assert code == 0
    for bad in ("<bool>", "<str>", "<int", "<float", "<path>", "{", "<list"):
        assert bad not in stdout, f"sim {' '.join(command)} --help shows {bad!r}"
    usage = next(line for line in stdout.splitlines() if "Usage:" in line)
    assert "[OPTIONS]" in usage
    words = re.findall(r"\b[a-z]+\b", usage.split("[OPTIONS]", 1)[1])
    assert not words, f"arguments in capitals: {usage.strip()}"
    json_line = next((ln for ln in stdout.splitlines() if "--json" in ln), "")
    assert "BOOLEAN" not in json_line and "<" not in json_line, "a flag takes no value"
