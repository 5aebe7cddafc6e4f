"""Robust choices: known answers for regret, share best, pairwise intervals, PRIM and Sobol.

Hand-made tables and planted structures, so every number is known in advance. The policy
store path (run ids by world, policy and replication; means over replications; outcomes
against the reference policy in the same world) is exercised with hand-written runs.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest

from sim.analysis.design import StoredDesign, load_design, open_design
from sim.analysis.discovery import choose_box, discover, evaluate_where, parse_where
from sim.analysis.experiment import Experiment
from sim.analysis.policies import COST, parse_policy_run_id, policy_run_id, world_table
from sim.analysis.robustness import (
    analyse,
    pairwise,
    regret,
    regret_summary,
    share_best,
    wilson,
)
from sim.analysis.sensitivity import analyze, outcome_matrix
from sim.core.errors import UserError
from sim.report.robustness import prim_sentence
from sim.runs.runner import RunRecord
from sim.runs.store import ResultStore

NAN = math.nan
# Worlds × policies, lower is better. Best per world: A; B and C tie; A; A (C undefined).
TABLE = pd.DataFrame({"A": [10.0, 15.0, 7.0, 5.0], "B": [12.0, 9.0, 8.0, 6.0],
                      "C": [11.0, 9.0, 20.0, NAN]})


def test_savage_regret_on_a_hand_made_table():
    r = regret(TABLE)
    expected = pd.DataFrame({"A": [0, 6, 0, 0], "B": [2, 0, 1, 1], "C": [1, 0, 13, NAN]},
                            dtype=float)
    pd.testing.assert_frame_equal(r, expected)
    s = regret_summary(TABLE)
    assert s.loc["A", "regret_max"] == 6 and s.loc["B", "regret_max"] == 2
    assert s.loc["C", "regret_max"] == 13, "an undefined world is not a regret of 0 or inf"
    # 90th percentile, linear interpolation: [0,0,0,6] -> 4.2; [0,1,1,2] -> 1.7; [0,1,13] -> 10.6
    assert s["regret_p90"].to_dict() == pytest.approx({"A": 4.2, "B": 1.7, "C": 10.6})
    # higher is better: the same table negated gives the same regrets
    pd.testing.assert_frame_equal(regret(-TABLE, lower_is_better=False), expected)


def test_share_best_splits_ties_and_sums_to_one():
    s = share_best(TABLE)
    assert s.to_dict() == pytest.approx({"A": 0.75, "B": 0.125, "C": 0.125})
    assert s.sum() == pytest.approx(1.0)
    flipped = share_best(TABLE, lower_is_better=False)  # highest wins: B, A, C, B
    assert flipped.to_dict() == pytest.approx({"A": 0.25, "B": 0.5, "C": 0.25})


def test_pairwise_shares_and_wilson_intervals_on_a_hand_made_table():
    pairs = {(p["a"], p["b"]): p for p in pairwise(TABLE, criterion="x")}
    ab = pairs["A", "B"]
    assert (ab["share_a_better"], ab["share_b_better"], ab["share_tied"]) == (0.75, 0.25, 0)
    # Wilson score interval, 3 of 4 at 90% (z = 1.6449), worked by hand
    assert (ab["low"], ab["high"]) == pytest.approx((0.35615, 0.94209), abs=5e-5)
    bc = pairs["B", "C"]  # world 3 has no C: 3 worlds; B wins 1, C wins 1, 1 tie
    assert bc["worlds"] == 3
    assert (bc["share_a_better"], bc["share_b_better"]) == pytest.approx((1 / 3, 1 / 3))
    assert bc["share_tied"] == pytest.approx(1 / 3)
    assert bc["criterion"] == "x"
    # the same intervals as statsmodels' Wilson interval, for many k and n
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    for k, n in [(0, 6), (3, 4), (17, 256), (256, 256), (100, 200)]:
        lo, hi = proportion.proportion_confint(k, n, alpha=0.10, method="wilson")
        assert wilson(k, n) == pytest.approx((lo, hi), abs=1e-9), (k, n)


def test_wilson_interval_covers_the_true_share_about_90_percent_of_the_time():
    rng = np.random.default_rng(5)
    true, n = 0.3, 256
    k = rng.binomial(n, true, size=4000)
    cover = np.mean([lo <= true <= hi for lo, hi in (wilson(int(x), n) for x in k)])
    assert 0.87 <= cover <= 0.93, cover


# ---- the policy store ------------------------------------------------------------------------
def _record(row: int, policy: str, rep: int, outcomes: dict) -> RunRecord:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return RunRecord(run_id=policy_run_id(row, policy, rep), group=policy, scenario=policy,
                     scenario_hash="", params={}, master_seed=3, replication=rep, seed=rep,
                     years=1.0, package_version="test", started_at=now, finished_at=now,
                     status="done", summary={"outcomes": outcomes})


def _policy_store(tmp_path, policies, method, n, names, values, reps=1, outcomes=None):
    exp = Experiment(name="t", policies=policies, years=1, master_seed=3, replications=reps,
                     outcomes=outcomes or ["woninginbraken_per_year"],
                     design={"method": method, "n": n},
                     parameters=[{"path": p, "bounds": [0.0, 1.0]} for p in names])
    store = ResultStore(tmp_path)
    design = open_design(exp, store)
    with store.con:
        for row, x in enumerate(design.X):
            for pol in design.policies:
                for r in range(reps):
                    rec = _record(row, pol, r, values(dict(zip(names, x, strict=True)), pol, r))
                    store._add_run(rec, detail=False)
    return store, load_design(store)


def test_run_ids_key_world_policy_and_replication():
    rid = policy_run_id(12, "acht-gebieden", 3)
    assert rid == "w000012-acht-gebieden-r003"
    assert parse_policy_run_id(rid) == (12, "acht-gebieden", 3)


def test_world_table_means_replications_and_compares_with_the_reference_in_the_same_world(
        tmp_path):
    level = {"baseline": [100, 110], "interventieteam": [80, 90], "wijkregisseur": [105, 107]}
    cost = {"baseline": 0.0, "interventieteam": 450_000.0, "wijkregisseur": 380_000.0}

    def values(x, pol, rep):
        return {"woninginbraken_per_year": level[pol][rep] + 1000 * x["u"], COST: cost[pol]}

    store, design = _policy_store(tmp_path, ["baseline", "interventieteam", "wijkregisseur"],
                                  "lhs", 3, ["u"], values, reps=2)
    with store:
        t = world_table(store, design)
    assert design.reference == "baseline"
    assert list(t.index.get_level_values("policy")[:3]) == design.policies
    for w, u in enumerate(design.X[:, 0]):
        it, wr = t.loc[(w, "interventieteam")], t.loc[(w, "wijkregisseur")]
        assert it["woninginbraken_per_year"] == pytest.approx(85 + 1000 * u), "mean of reps"
        assert it["prevented_per_year"] == pytest.approx(20), "same world, same seeds"
        assert it["cost_per_prevented_eur"] == pytest.approx(450_000 / 20)
        assert it["change_vs_reference_pct"] == pytest.approx(100 * (-20) / (105 + 1000 * u))
        assert wr["prevented_per_year"] == pytest.approx(-1)
        assert math.isnan(wr["cost_per_prevented_eur"]), "nothing prevented: undefined"
        assert math.isnan(t.loc[(w, "baseline"), "cost_per_prevented_eur"])
    res = analyse(t, "cost_per_prevented_eur")
    by = {p["name"]: p for p in res["policies"]}
    assert by["interventieteam"]["share_best"] == 1.0, "the only option with a defined cost"
    assert by["interventieteam"]["outcomes"]["prevented_per_year"]["mean"] == pytest.approx(20)
    assert by["wijkregisseur"]["outcomes"]["cost_per_prevented_eur"]["defined_share"] == 0
    with pytest.raises(UserError, match="unknown criterion 'cost'"):
        analyse(t, "cost")


def test_sobol_on_a_difference_of_two_policies_finds_what_decides_the_ranking(tmp_path):
    # interventieteam - wijkregisseur = -30 x1 + 20 x2: Sobol S1 = 900/1300 and 400/1300
    def values(x, pol, rep):
        b = 100 - 30 * x["x1"] if pol == "interventieteam" else 100 - 20 * x["x2"]
        return {"woninginbraken_per_year": b, COST: 0.0}

    diff = "interventieteam - wijkregisseur : woninginbraken_per_year"
    store, design = _policy_store(tmp_path, ["interventieteam", "wijkregisseur"], "sobol", 256,
                                  ["x1", "x2", "x3"], values, outcomes=[diff])
    with store:
        Y = outcome_matrix(store, design)
    assert list(Y.columns) == [diff]
    x = design.X
    np.testing.assert_allclose(Y[diff], -30 * x[:, 0] + 20 * x[:, 1], atol=1e-9)
    sobol = analyze(design, Y, num_resamples=50).tables["sobol"].set_index("parameter")
    assert sobol.loc["x1", "S1"] == pytest.approx(900 / 1300, abs=0.05)
    assert sobol.loc["x2", "S1"] == pytest.approx(400 / 1300, abs=0.05)
    assert abs(sobol.loc["x3", "ST"]) < 0.02, "an uncertainty that decides nothing"


# ---- scenario discovery ----------------------------------------------------------------------
def _planted(n=1000, noise=0.03, seed=1):
    """Worlds in [0,1]^4; wijkregisseurs are cheaper exactly when x1 > 0.6 and x2 < 0.3."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 4))
    inside = (X[:, 0] > 0.6) & (X[:, 1] < 0.3)
    flip = rng.uniform(size=n) < noise
    cheaper = inside ^ flip
    names = ["x1", "x2", "x3", "x4"]
    design = StoredDesign(method="lhs", names=names, bounds=[[0, 1]] * 4, X=X,
                          second_order=False, n=n, morris_levels=4, replications=1,
                          outcomes=[], master_seed=7,
                          policies=["interventieteam", "wijkregisseur"],
                          reference="interventieteam")
    idx = pd.MultiIndex.from_product([range(n), design.policies], names=["world", "policy"])
    cpp = np.empty(2 * n)
    cpp[0::2] = 10_000.0
    cpp[1::2] = np.where(cheaper, 8_000.0, 12_000.0)
    table = pd.DataFrame({"cost_per_prevented_eur": cpp}, index=idx)
    return design, table, inside


def test_prim_finds_a_planted_box():
    pytest.importorskip("ema_workbench")
    design, table, inside = _planted()
    res = discover(design, table,
                   "wijkregisseur.cost_per_prevented_eur < interventieteam.cost_per_prevented_eur")
    assert res["base_rate"] == pytest.approx(inside.mean(), abs=0.03)
    box = res["boxes"][0]
    assert box["coverage"] >= 0.8 and box["density"] >= 0.8, box
    assert set(box["limits"]) == {"x1", "x2"}, f"only the planted dimensions: {box['limits']}"
    assert box["limits"]["x1"][0] == pytest.approx(0.6, abs=0.05)
    assert box["limits"]["x2"][1] == pytest.approx(0.3, abs=0.05)
    assert box["restricted"] == {"x1": [True, False], "x2": [False, True]}
    assert box["quasi_p"]["x1"][0] < 1e-6 and box["quasi_p"]["x2"][1] < 1e-6
    assert box["quasi_p"]["x1"][1] is None, "an unrestricted side has no quasi-p value"
    assert box["mass"] == pytest.approx(0.4 * 0.3, abs=0.03)
    traj = pd.DataFrame(box["trajectory"])
    assert traj["coverage"].iloc[0] == 1 and traj["density"].is_monotonic_increasing is not None
    top = sorted(res["feature_scores"], key=res["feature_scores"].get, reverse=True)[:2]
    assert set(top) == {"x1", "x2"}, res["feature_scores"]
    assert sum(res["feature_scores"].values()) == pytest.approx(1.0)
    nl = prim_sentence(res, "nl")
    assert nl.startswith("Wijkregisseurs kosten minder per voorkomen inbraak dan het "
                         "interventieteam als ")
    assert re.search(r"x1 minstens 0,(59|6)\d* is en x2 hoogstens 0,(29|3)\d* is;", nl), nl
    assert nl.endswith(f"dat geldt in {round(100 * box['mass'])}% van de doorgerekende "
                       "werelden.")
    en = prim_sentence(res, "en")
    assert en.startswith("Wijkregisseurs cost less per prevented burglary than the "
                         "interventieteam if ") and re.search(r"x2 is at most 0\.(29|3)", en)


def test_box_choice_balances_coverage_and_density():
    traj = pd.DataFrame({"coverage": [1.0, 0.95, 0.9, 0.5], "density": [0.2, 0.7, 0.95, 1.0],
                         "res_dim": [0, 1, 2, 3]})
    assert choose_box(traj) == 2
    assert choose_box(traj, min_density=0.99) == 3
    assert choose_box(traj, min_density=0.6) == 1


def test_where_expressions_are_evaluated_per_world_and_bad_ones_refused():
    design, table, _ = _planted(n=10)
    table["woninginbraken_per_year"] = np.arange(20.0)
    pols, outs = design.policies, list(table.columns)
    tree, terms = parse_where("wijkregisseur.woninginbraken_per_year - "
                              "interventieteam.woninginbraken_per_year > 0.5 and not "
                              "(interventieteam.woninginbraken_per_year >= 10)", pols, outs)
    y = evaluate_where(tree, terms, table)
    np.testing.assert_array_equal(y, np.arange(10) * 2 < 10)
    tree, terms = parse_where("wijkregisseur.cost_per_prevented_eur < 1e9", pols, outs)
    table.loc[(0, "wijkregisseur"), "cost_per_prevented_eur"] = NAN
    assert not evaluate_where(tree, terms, table)[0], "undefined makes a comparison false"
    bad = {
        "": "is empty",
        "politie.woninginbraken_per_year < 3": "unknown policy 'politie'",
        "wijkregisseur.woninginbraken < 3": "Did you mean 'woninginbraken_per_year'",
        "wijkregisseur.woninginbraken_per_year + 3": "is not a condition",
        "__import__('os').system('x') < 1": "not allowed (Call)",
        "os < 1": "'os' in 'os < 1' is not POLICY.OUTCOME",
        "wijkregisseur.woninginbraken_per_year < (": "cannot read",
        "3 < 4": "names no POLICY.OUTCOME",
        "wijkregisseur.woninginbraken_per_year < 'a'": "not allowed",
    }
    for expr, fragment in bad.items():
        with pytest.raises(UserError, match=re.escape(fragment)) as err:
            parse_where(expr, pols, outs)
        assert err.value.field == "--where" and "\n" not in str(err.value)
