"""Every policy in every sampled world: run ids, the runs, and the per-world outcome table.

An experiment with ``policies`` (see :mod:`sim.analysis.experiment`) samples its
uncertainties into worlds (the design rows) and runs each policy in each world, for each
replication, with the seed of that replication only (common random numbers: the policies
of one world, and the worlds themselves, share their random streams). The store keys runs
by world, policy and replication: ``w<row>-<policy>-r<replication>``.

Each run records the summary outcomes and its policy's mean yearly programme cost in that
world (a world may vary a cost). Outcomes against the reference policy — prevented
burglaries, extra cost, cost per prevented burglary — are computed afterwards, per world,
from the means over replications (:func:`world_table`): the reference ran in the same
world with the same seeds, so the difference is the policy's, not chance's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.design import StoredDesign
from sim.analysis.experiment import Experiment, apply_values, parse_policy_outcome
from sim.analysis.outcomes import SUMMARY_OUTCOMES, mean_yearly_cost
from sim.core.errors import UserError
from sim.model.scenario import Scenario
from sim.runs.runner import RunRecord, RunSpec, run_specs
from sim.runs.store import ResultStore

#: The programme cost of a run's policy in its world, recorded with its outcomes (EUR/yr).
COST = "cost_eur_per_year"
#: Outcomes every policy run records (besides per-area outcomes an experiment asks for).
RECORDED = [*SUMMARY_OUTCOMES, COST]
#: Outcomes for which lower is better (the rest: higher is better).
LOWER_IS_BETTER = {"woninginbraken_per_year", "completed_per_year", "attempted_only_per_year",
                   "change_vs_reference_pct", "extra_cost_eur_per_year",
                   "cost_per_prevented_eur", COST}
#: Outcomes a robustness criterion may be (one number per world and policy, with a direction).
CRITERIA = ["woninginbraken_per_year", "completed_per_year", "prevented_per_year",
            "change_vs_reference_pct", "cost_per_prevented_eur", "extra_cost_eur_per_year",
            "arrests_per_year", "clearance_rate"]


def policy_run_id(row: int, policy: str, replication: int) -> str:
    """Run id of one policy in world ``row``, replication ``replication``."""
    return f"w{row:06d}-{policy}-r{replication:03d}"


def parse_policy_run_id(run_id: str) -> tuple[int, str, int]:
    """``(world row, policy, replication)`` of a policy run id."""
    head, rep = run_id.rsplit("-r", 1)
    world, policy = head.split("-", 1)
    return int(world[1:]), policy, int(rep)


def plan(design: StoredDesign) -> list[tuple[int, str, int]]:
    """Every (world, policy, replication), world by world (a world's policies run together)."""
    return [(row, name, r) for row in range(len(design.X)) for name in design.policies
            for r in range(design.replications)]


def run_policies(exp: Experiment, design: StoredDesign, todo: list[tuple[int, str, int]],
                 executor: Executor, commit: Callable[[RunRecord], None],
                 batch_size: int) -> None:
    """Run the ``todo`` (world, policy, replication) runs; commit each with its outcomes."""
    policies = exp.policy_scenarios()
    if list(policies) != design.policies:
        raise UserError(f"the stored design lists the policies {design.policies}, the "
                        f"experiment {list(policies)}; use another --out.",
                        file=exp.source or None)
    scenarios: dict[tuple[int, str], Scenario] = {}
    costs: dict[tuple[int, str], float] = {}
    for row, name, _ in todo:
        if (row, name) in scenarios:
            continue
        values = dict(zip(design.names, design.X[row].tolist(), strict=True))
        try:
            sc = apply_values(policies[name], values)
        except UserError as exc:
            raise UserError(f"world {row} ({values}) is not a valid scenario for policy "
                            f"'{name}': {exc}", file=exp.source or None) from None
        scenarios[row, name] = sc
        costs[row, name] = mean_yearly_cost(sc, exp.years)
    areas = [o for o in exp.outcomes if "." in o and parse_policy_outcome(o) is None]
    areas += [p[2] for o in exp.outcomes if (p := parse_policy_outcome(o)) and "." in p[2]]

    def on_record(rec: RunRecord) -> None:
        if rec.status == "done":
            row, name, _ = parse_policy_run_id(rec.run_id)
            out = {k: _float(rec.summary.get(k)) for k in SUMMARY_OUTCOMES}
            for a in dict.fromkeys(areas):
                head, key = a.split(".", 1)
                out[a] = _float(rec.summary.get(head, {}).get(key, 0.0))
            out[COST] = costs[row, name]
            rec.summary["outcomes"] = out
        commit(rec)

    specs = [RunSpec(scenarios[row, name], exp.master_seed, r, years=exp.years,
                     run_id=policy_run_id(row, name, r), group=name, detail=False)
             for row, name, r in todo]
    run_specs(specs, executor, on_record, batch_size)


def _float(v: Any) -> float:
    return math.nan if v is None else float(v)


# ---- analysis ------------------------------------------------------------------------------
def run_outcomes(store: ResultStore) -> pd.DataFrame:
    """One row per finished policy run: run_id, world, policy, replication and outcomes."""
    runs = store.runs()
    runs = runs[runs["status"] == "done"]
    rows = []
    for rid, summary in zip(runs["run_id"], runs["summary"], strict=True):
        world, policy, rep = parse_policy_run_id(rid)
        rows.append({"run_id": rid, "world": world, "policy": policy, "replication": rep,
                     **summary["outcomes"]})
    cols = None if rows else ["run_id", "world", "policy", "replication", *RECORDED]
    return pd.DataFrame(rows, columns=cols)


def world_table(store: ResultStore, design: StoredDesign) -> pd.DataFrame:
    """Outcomes per world and policy: means over replications, and against the reference.

    Indexed by (world, policy), worlds 0..n-1 and policies in the experiment's order.
    Reference outcomes compare with the reference policy in the same world: prevented
    per year = reference − policy woninginbraken; cost per prevented burglary = extra
    cost / prevented (NaN when none were prevented). Raises :class:`UserError` when a run
    is missing.
    """
    if not design.policies:
        raise UserError(f"{store.folder} holds a sweep without policies; robustness needs an "
                        "experiment with 'policies = [...]'.")
    runs = run_outcomes(store)
    expected = len(design.X) * len(design.policies) * design.replications
    if len(runs) < expected:
        raise UserError(f"the experiment in {store.folder} is incomplete: "
                        f"{expected - len(runs)} of {expected} runs are missing or failed. "
                        "Run the same command again to finish it.")
    value_cols = [c for c in runs.columns if c not in ("run_id", "world", "policy",
                                                       "replication")]
    mean = runs.groupby(["world", "policy"])[value_cols].mean()
    index = pd.MultiIndex.from_product([range(len(design.X)), design.policies],
                                       names=["world", "policy"])
    mean = mean.reindex(index)
    ref = mean.xs(design.reference, level="policy")
    ref_b = ref["woninginbraken_per_year"].reindex(index.get_level_values("world")).to_numpy()
    ref_c = ref[COST].reindex(index.get_level_values("world")).to_numpy()
    b = mean["woninginbraken_per_year"].to_numpy()
    prevented = ref_b - b
    extra = mean[COST].to_numpy() - ref_c
    with np.errstate(divide="ignore", invalid="ignore"):
        mean["change_vs_reference_pct"] = np.where(ref_b > 0, 100 * (b / ref_b - 1), np.nan)
        mean["prevented_per_year"] = prevented
        mean["extra_cost_eur_per_year"] = extra
        mean["cost_per_prevented_eur"] = np.where(prevented > 0, extra / prevented, np.nan)
    return mean


def criterion_matrix(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Worlds × policies of one outcome (columns in the policies' order)."""
    policies = list(dict.fromkeys(table.index.get_level_values("policy")))
    return table[outcome].unstack("policy")[policies]


def policy_outcome_matrix(store: ResultStore, design: StoredDesign) -> pd.DataFrame:
    """Outcomes per world for a sensitivity analysis: one column per analysed outcome.

    Policy outcomes (``"A : o"``) and differences (``"A - B : o"``) as named; a plain
    outcome name gives one column per policy (``"A : o"``).
    """
    table = world_table(store, design)
    columns: dict[str, Any] = {}
    for name in design.outcomes:
        parsed = parse_policy_outcome(name)
        if parsed is None:
            for pol in design.policies:
                columns[f"{pol} : {name}"] = criterion_matrix(table, name)[pol]
            continue
        a, b, o = parsed
        m = criterion_matrix(table, o)
        columns[name] = m[a] - m[b] if b is not None else m[a]
    return pd.DataFrame(columns).reindex(range(len(design.X)))


def export_policy_outcomes(store: ResultStore, design: StoredDesign) -> pd.DataFrame:
    """Per finished run: world, policy, replication, outcomes and the world's values."""
    runs = run_outcomes(store)
    x = pd.DataFrame(design.X, columns=design.names)
    return runs.join(x, on="world") if len(runs) else runs

