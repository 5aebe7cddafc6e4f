"""The design of a sweep: run ids, SALib samples (or a grid), stored with the results.

The design is generated once, from the experiment and its master seed, and stored in the
results folder's SQLite file (table ``design``: one row per design point; ``meta``
key ``experiment``: the method, names, bounds, the Sobol second-order flag and the
experiment's hash). A resumed sweep and the analysis read it back; they never regenerate
it, so a different SALib version cannot silently change the samples under them.

Run ids are ``d<row>-r<replication>`` and ``ref-r<replication>`` (the reference run); an
experiment with policies keys its runs by world, policy and replication instead:
``w<row>-<policy>-r<replication>`` (see :mod:`sim.analysis.policies`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import __version__
from sim.analysis.experiment import Experiment
from sim.core.errors import UserError
from sim.runs.store import ResultStore

REFERENCE = "reference"  # the group of the reference runs
DESIGN_SCHEMA = "CREATE TABLE IF NOT EXISTS design (row INTEGER PRIMARY KEY, x TEXT NOT NULL)"


def design_run_id(row: int, replication: int) -> str:
    """Run id of design point ``row``, replication ``replication``."""
    return f"d{row:06d}-r{replication:03d}"


def reference_run_id(replication: int) -> str:
    """Run id of the reference run of one replication."""
    return f"ref-r{replication:03d}"


def parse_run_id(run_id: str) -> tuple[int | None, int]:
    """``(design row or None for a reference run, replication)`` of a run id."""
    head, rep = run_id.rsplit("-r", 1)
    return (None if head == "ref" else int(head[1:])), int(rep)


def salib_problem(exp: Experiment) -> dict[str, Any]:
    """The SALib problem dict (names and bounds in design-column order)."""
    bounds = [list(p.bounds) if p.bounds else [min(p.levels), max(p.levels)]
              for p in exp.parameters]
    return {"num_vars": len(exp.parameters), "names": exp.names, "bounds": bounds}


def generate_design(exp: Experiment) -> np.ndarray:
    """The design matrix (rows = design points, columns = parameters); seeded, repeatable."""
    d, problem, seed = exp.design, salib_problem(exp), exp.master_seed
    if d.method == "grid":
        return np.array(list(itertools.product(*(p.levels for p in exp.parameters))), float)
    if d.method == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, d.n, seed=seed)
    if d.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, d.n, calc_second_order=d.second_order, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, d.trajectories, num_levels=d.levels, seed=seed)


@dataclass
class StoredDesign:
    """The design as stored with the results: what the analysis reads back."""

    method: str
    names: list[str]
    bounds: list[list[float]]
    X: np.ndarray
    second_order: bool
    n: int | None  # the design's n (Sobol: base sample size N)
    morris_levels: int
    replications: int
    outcomes: list[str]
    master_seed: int
    policies: list[str] = dataclasses.field(default_factory=list)  # names; [] for a sweep
    reference: str | None = None  # the reference policy (experiments with policies)


def experiment_hash(exp: Experiment) -> tuple[str, dict[str, Any]]:
    """Hash of the experiment plus the resolved base/reference scenarios it runs on."""
    facts: dict[str, Any] = {"base_scenario": exp.base_scenario().content_hash()}
    if exp.needs_reference():
        facts["reference_scenario"] = exp.reference_scenario().content_hash()
    if exp.policies:
        scenarios = exp.policy_scenarios()
        facts["policies"] = {n: sc.content_hash() for n, sc in scenarios.items()}
        facts["reference_policy"] = exp.reference_policy(list(scenarios))
    return exp.content_hash(facts), facts


def open_design(exp: Experiment, store: ResultStore) -> StoredDesign:
    """Store a new sweep's design, or check a resumed one and read its design back."""
    store.con.execute(DESIGN_SCHEMA)
    digest, facts = experiment_hash(exp)
    stored = store.get_meta("experiment")
    if stored is None:
        if store.con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]:
            raise UserError(f"the results folder {store.folder} already holds runs that are "
                            "not from an experiment; choose another --out.")
        X = generate_design(exp)
        d = exp.design
        meta = {"hash": digest, "name": exp.name, "source": exp.source, "facts": facts,
                "experiment": exp.canonical(), "method": d.method, "names": exp.names,
                "bounds": salib_problem(exp)["bounds"], "second_order": d.second_order,
                "morris_levels": d.levels, "rows": len(X), "package_version": __version__}
        with store.con:
            store.con.execute("DELETE FROM design")
            store.con.executemany("INSERT INTO design VALUES (?, ?)",
                                  ((i, json.dumps(row.tolist())) for i, row in enumerate(X)))
            store.con.execute("INSERT OR REPLACE INTO meta VALUES ('experiment', ?)",
                              (json.dumps(meta),))
    elif stored["hash"] != digest:
        raise UserError(
            f"the results folder {store.folder} holds runs of a different version of "
            f"experiment '{stored['name']}' (changed: {_changes(stored, exp, facts)}). "
            "Resuming would mix designs: use another --out, or delete the folder to start "
            "over.", file=exp.source or None)
    return load_design(store)


def _changes(stored: dict[str, Any], exp: Experiment, facts: dict[str, Any]) -> str:
    old, new = stored["experiment"], exp.canonical()
    diff = [k for k in sorted(set(old) | set(new)) if k != "design" and old.get(k) != new.get(k)]
    diff += [f"design.{k}" for k in sorted(set(old["design"]) | set(new["design"]))
             if old["design"].get(k) != new["design"].get(k)]
    diff += [f"{k} (its parameters or the calibration)" for k, v in facts.items()
             if stored["facts"].get(k) != v]
    return ", ".join(diff) or "content"


def load_design(store: ResultStore) -> StoredDesign:
    """Read a sweep's stored design (raises :class:`UserError` if the folder has none)."""
    meta = store.get_meta("experiment")
    if meta is None:
        raise UserError(f"{store.folder} holds no sweep (no stored design).")
    rows = store.con.execute("SELECT x FROM design ORDER BY row").fetchall()
    exp = meta["experiment"]
    facts = meta.get("facts", {})
    return StoredDesign(
        method=meta["method"], names=meta["names"], bounds=meta["bounds"],
        X=np.array([json.loads(r[0]) for r in rows], dtype=float).reshape(len(rows), -1),
        second_order=bool(meta["second_order"]), n=exp["design"]["n"],
        morris_levels=int(meta["morris_levels"]),
        replications=int(exp["replications"]), outcomes=list(exp["outcomes"]),
        master_seed=int(exp["master_seed"]),
        policies=list(facts.get("policies", {})), reference=facts.get("reference_policy"),
    )
