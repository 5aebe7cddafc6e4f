"""``sim robustness`` / ``sim discover`` / ``sim robustness-report`` on small real runs.

One tiny experiment (8 worlds × 3 policies, 1 simulated year, no burn-in) is run once for
the module. One policy, ``kopie``, is the baseline under another name: with common random
numbers it must give exactly the baseline's numbers in every world, so every comparison of
the two is a tie and their regrets are equal.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.experiment import load_experiment
from sim.analysis.sweep import run_sweep
from sim.cli import main
from sim.runs.executors import InlineExecutor, make_executor
from sim.runs.store import ResultStore

EXPERIMENT = """
name = "klein"
policies = ["baseline", "interventieteam", "kopie.toml"]
master_seed = 11
replications = 1
years = 1
outcomes = ["woninginbraken_per_year", "prevented_per_year",
            "interventieteam - baseline : woninginbraken_per_year"]

[design]
method = "lhs"
n = {n}

[[parameters]]
path = "offenders.active_offenders"
unit = "offenders"
bounds = [35, 55]

[[parameters]]
path = "patrol.deterrence_when_present"
unit = "probability"
bounds = [0.3, 0.7]

[[parameters]]
path = "interventieteam.offender_arrests_per_100_hours"
unit = "arrests/100 h"
bounds = [0.5, 2.0]
"""
KOPIE = 'extends = "baseline"\nname = "kopie"\ndescription = "the baseline, renamed"\n'


def _files(folder: Path, n: int = 8, **replace: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kopie.toml").write_text(KOPIE, encoding="utf-8")
    text = textwrap.dedent(EXPERIMENT.format(n=n))
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = folder / "klein.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _sim(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.argv
    sys.argv = ["sim", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            with pytest.raises(SystemExit) as exc:
                main()
    finally:
        sys.argv = old
    return exc.value.code, out.getvalue(), err.getvalue()


def _robustness(exp: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return _sim("robustness", str(exp), "--years", "1", "--burn-in", "0", "--workers", "1",
                "--out", str(out), "--json", *extra)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("rob")
    exp = _files(base / "exp")
    out = base / "out"
    code, stdout, stderr = _robustness(exp, out)
    assert code == 0, stderr
    return exp, out, json.loads(stdout)


def test_json_contract_and_common_random_numbers(folder):
    _, out, res = folder
    assert {"policies", "pairwise"} <= set(res)
    names = [p["name"] for p in res["policies"]]
    assert names == ["baseline", "interventieteam", "kopie"]
    for p in res["policies"]:
        assert set(p) >= {"name", "share_best", "regret_max", "regret_p90", "outcomes"}
        assert set(p["outcomes"]) >= {"woninginbraken_per_year", "prevented_per_year",
                                      "cost_per_prevented_eur"}
        o = p["outcomes"]["woninginbraken_per_year"]
        assert o["low"] <= o["mean"] <= o["high"]
    assert sum(p["share_best"] for p in res["policies"]) == pytest.approx(1.0)
    assert len(res["pairwise"]) == 3
    for r in res["pairwise"]:
        assert set(r) >= {"a", "b", "criterion", "share_a_better", "low", "high"}
        assert r["criterion"] == "woninginbraken_per_year"
        assert 0 <= r["low"] <= r["share_a_better"] <= r["high"] <= 1
    by = {p["name"]: p for p in res["policies"]}
    # CRN: the renamed baseline is the baseline, world by world
    pair = next(r for r in res["pairwise"] if {r["a"], r["b"]} == {"baseline", "kopie"})
    assert pair["share_a_better"] == 0 and pair["share_b_better"] == 0
    assert pair["share_tied"] == 1
    assert by["baseline"]["regret_max"] == by["kopie"]["regret_max"]
    assert by["baseline"]["share_best"] == by["kopie"]["share_best"]
    assert by["baseline"]["outcomes"] == by["kopie"]["outcomes"]
    assert by["kopie"]["outcomes"]["prevented_per_year"]["mean"] == 0
    # the team prevents burglaries in the typical world and costs money for it
    assert by["interventieteam"]["outcomes"]["prevented_per_year"]["mean"] > 0
    assert by["interventieteam"]["outcomes"]["cost_per_prevented_eur"]["defined_share"] > 0
    worlds = pd.read_csv(out / "robustness_worlds.csv")
    assert len(worlds) == 8 * 3 and {"offenders.active_offenders", "world", "policy"} <= set(
        worlds.columns)
    stored = json.loads((out / "robustness.json").read_text())
    prov = stored["provenance"]
    assert prov["experiment"] == "klein" and prov["master_seed"] == 11
    assert set(prov["policies"]) == {"baseline", "interventieteam", "kopie"}
    assert "sim robustness" in prov["command"] and prov["hash"]
    for f in ("robustness_share_best.png", "robustness_regret.png", "robustness_outcomes.png",
              "outcomes.csv"):
        assert (out / f).stat().st_size > 0, f


def test_rerun_resumes_without_running_again_and_criterion_needs_no_runs(folder):
    exp, out, first = folder
    code, stdout, stderr = _robustness(exp, out)
    assert code == 0, stderr
    again = json.loads(stdout)
    assert again["runs"] == 24 and again["already_done"] == 24 and again["ran_now"] == 0
    assert again["policies"] == first["policies"] and again["pairwise"] == first["pairwise"]
    code, stdout, stderr = _robustness(exp, out, "--criterion", "prevented_per_year")
    assert code == 0, stderr
    res = json.loads(stdout)
    assert res["ran_now"] == 0 and res["lower_is_better"] is False
    assert {r["criterion"] for r in res["pairwise"]} == {"prevented_per_year"}
    by = {p["name"]: p for p in res["policies"]}
    assert by["interventieteam"]["share_best"] > 0.5


def test_a_changed_experiment_is_refused_in_the_same_folder(folder, tmp_path):
    _, out, _ = folder
    changed = _files(tmp_path, **{"bounds = [35, 55]": "bounds = [35, 56]"})
    code, _, err = _robustness(changed, out)
    assert code == 2 and "Traceback" not in err
    assert "--out" in err and "exact resume" in err, err


def test_discover_json_contract_and_the_report_section(folder):
    pytest.importorskip("ema_workbench")
    _, out, _ = folder
    worlds = pd.read_csv(out / "robustness_worlds.csv")
    level = worlds[worlds["policy"] == "baseline"]["woninginbraken_per_year"].median()
    where = f"baseline.woninginbraken_per_year > {level}"
    code, stdout, stderr = _sim("discover", str(out), "--where", where, "--json")
    assert code == 0, stderr
    res = json.loads(stdout)
    assert res["base_rate"] == pytest.approx(0.5)
    assert isinstance(res["boxes"], list) and res["boxes"]
    params = {"offenders.active_offenders", "patrol.deterrence_when_present",
              "interventieteam.offender_arrests_per_100_hours"}
    for box in res["boxes"]:
        assert set(box) >= {"coverage", "density", "mass", "limits"}
        assert set(box["limits"]) <= params
        assert all(len(v) == 2 and v[0] <= v[1] for v in box["limits"].values())
    assert set(res["feature_scores"]) == params
    assert all(v >= 0 for v in res["feature_scores"].values())
    # Which input drives the level is not asserted here: 8 worlds of one replication and one
    # year, with a heavy-tailed offender pool, give unstable feature scores (the direction
    # "more offenders, more burglary" is asserted in tests/test_model_science.py).
    written = [Path(f).name for f in res["files"]]
    assert written == ["discovery.json", "prim_trajectory.png", "feature_scores.png"]
    for lang, heading in (("nl", "Hoe robuust is de keuze?"), ("en", "How robust is the choice?")):
        code, _, stderr = _sim("robustness-report", str(out), "--lang", lang)
        assert code == 0, stderr
        html = (out / f"robustness-{lang}.html").read_text(encoding="utf-8")
        assert heading in html and "data:image/png;base64," in html
        assert ("dat geldt in" if lang == "nl" else "that is the case in") in html
    # in the council report: the section goes before the assumptions, with its two figures
    from sim.report.document import Block
    from sim.report.robustness import add_section, load_section

    doc = [Block("title", "t"), Block("h1", "Resultaten"), Block("h1", "Aannames")]
    new, figs = add_section(doc, {"fig1": None}, load_section(out), "nl", before="Aannames")
    heads = [b.text for b in new if b.kind == "h1"]
    assert heads == ["Resultaten", "Hoe robuust is de keuze?", "Aannames"]
    assert set(figs) == {"fig1", "rob_share_best", "rob_regret"}
    assert any(b.kind == "p" and "dat geldt in" in b.text for b in new)


@pytest.mark.parametrize(("args", "fragment"), [
    (("robustness", "capaciteit", "--out", "{tmp}/o"), "declares no policies"),
    (("robustness", "{exp}", "--criterion", "beste", "--out", "{tmp}/o"),
     "unknown criterion 'beste'"),
    (("robustness", "{exp:policies}", "--out", "{tmp}/o"), "policies[1]"),
    (("robustness", "{exp:lever}", "--out", "{tmp}/o"), "is a lever, not an uncertainty"),
    (("robustness", "{exp:outcome}", "--out", "{tmp}/o"), "unknown policy 'niemand'"),
    (("discover", "{tmp}/nergens", "--where", "a.b < 1"), "results folder not found"),
    (("discover", "{out}", "--where", "baseline.woninginbraken < 3"),
     "Did you mean 'woninginbraken_per_year'"),
    (("discover", "{out}", "--where", "baseline.woninginbraken_per_year +"), "cannot read"),
    (("discover", "{out}", "--where", "niemand.woninginbraken_per_year < 3"),
     "unknown policy 'niemand'"),
], ids=["no-policies", "criterion", "unknown-policy", "lever", "outcome-policy",
        "missing-folder", "unknown-outcome", "bad-expr", "expr-policy"])
def test_bad_input_gives_one_line_and_exit_2(folder, tmp_path, args, fragment):
    _, out, _ = folder
    exps = {"{exp}": _files(tmp_path / "a"),
            "{exp:policies}": _files(tmp_path / "b", **{'"interventieteam"': '"interventie"'}),
            "{exp:lever}": _files(tmp_path / "c", **{
                'path = "patrol.deterrence_when_present"': 'path = "interventieteam.fte"',
                "bounds = [0.3, 0.7]": "bounds = [0, 8]"}),
            "{exp:outcome}": _files(tmp_path / "d", **{
                "interventieteam - baseline": "interventieteam - niemand"})}
    argv = [str(exps.get(a, a)).replace("{tmp}", str(tmp_path)).replace("{out}", str(out))
            for a in args]
    code, stdout, stderr = _sim(*argv)
    assert code == 2, stderr
    assert "Traceback" not in stderr + stdout
    assert fragment in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_dask_and_the_local_pool_give_identical_policy_runs(tmp_path):
    distributed = pytest.importorskip("distributed")
    exp = load_experiment(_files(tmp_path / "e", n=3), years=0.05, burn_in_years=0)
    results = {}
    with ResultStore(tmp_path / "inline") as store:
        assert run_sweep(exp, store, InlineExecutor()).complete
        results["inline"] = store.runs().set_index("run_id")["summary"].to_dict()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        ex = make_executor(None, cluster.scheduler_address)
        try:
            with ResultStore(tmp_path / "dask") as store:
                assert run_sweep(exp, store, ex, workers=2).complete
                results["dask"] = store.runs().set_index("run_id")["summary"].to_dict()
        finally:
            ex.shutdown()
    assert len(results["inline"]) == 3 * 3
    assert sorted(results["inline"]) == sorted(results["dask"])
    for rid, summary in results["inline"].items():
        assert results["dask"][rid]["outcomes"] == summary["outcomes"], rid
