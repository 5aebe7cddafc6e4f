"""Calibration: fit free parameters to a city's targets by the simulated method of moments.

Estimator (documented in the README and in every ``calibrated.toml``):

* **Moments** of one replication, measured after a burn-in (``method.burn_in_years``,
  during which the offender pool settles) over ``method.measure_years``: woninginbraken per
  year (level), attempt share, clearance rate and the Knox ratio (≤ 200 m, ≤ 14 days) of the
  baseline scenario, and — when a team target is given — the relative change in
  woninginbraken when the interventieteam (``method.team_fte`` FTE) works during the
  measured years. Baseline and team run with the same seeds (common random numbers); the
  runs share the burn-in exactly.
* **Loss** ``L(x) = sum_k w_k z_k^2 + per-wijk term + prior``, ``z_k = (m_k(x) - target_k) /
  tolerance_k`` (a diagonal weighting matrix: the targets' stated precision), the per-wijk
  term ``w * mean_w (m_w - o_w)^2 / o_w`` (Poisson scale) and a weak prior
  ``prior_weight * |u - u_0|^2`` on the parameters scaled to their bounds (``u_0``: the
  scenario's values), which makes a weakly identified parameter stay near its default.
* **Search**: a simulation is noisy and its moments jump with every random draw, so
  instead of differentiating the simulator each stage evaluates a Latin hypercube of
  candidates (all with the same master seed and replications 0..R-1), fits a quadratic
  metamodel of every moment to the candidates in the stage's box (least squares,
  ``numpy``), and minimises the metamodel's loss within the bounds
  (``scipy.optimize.minimize``, L-BFGS-B). The next stage's box is centred on that optimum
  and ``shrink`` times smaller; its first candidate is the optimum itself.
* **Validation and correction**: the optimum is run ``validation_replications`` times;
  the metamodel is shifted by the difference between validated and predicted moments (the
  candidates' shared replications make it precise about differences but biased in level)
  and minimised again, ``corrections`` times. The fit table, the loss and the hold-out
  year's prediction come from the best validated runs, not from the metamodel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from sim.analysis.calibration.metamodel import Metamodel
from sim.analysis.calibration.targets import Targets
from sim.core.errors import UserError
from sim.model.metrics import knox_ratio, yearly
from sim.model.model import DAYS_PER_YEAR, HOURS_PER_DAY
from sim.model.scenario import Scenario, load_scenario
from sim.runs.runner import RunRecord, RunSpec, cached_city, run_specs
from sim.runs.store import ResultStore

VALIDATION = 100  # stage numbers from here on are validation rounds



@dataclass
class Candidate:
    """One evaluated parameter vector with its per-replication moments."""

    stage: int
    u: np.ndarray  # parameters scaled to [0, 1] by their bounds
    reps: dict[str, np.ndarray]  # moment -> (R,) or (R, wijken) or (R, years)
    moments: np.ndarray = field(default_factory=lambda: np.zeros(0))  # aggregated vector
    loss: float = float("nan")


def replication_moments(rec: RunRecord, burn_in_days: int) -> dict[str, Any]:
    """Moments of one run after its burn-in (from the run's daily counts and events)."""
    out = rec.output
    att = out.attempts[burn_in_days:]
    years = att.shape[0] / DAYS_PER_YEAR
    total = int(att.sum())
    ev = out.events[out.events["tick"] >= burn_in_days * HOURS_PER_DAY]
    full = att.shape[0] // DAYS_PER_YEAR
    return {
        "level": total / years,
        "attempt_share": 1 - out.completed[burn_in_days:].sum() / total if total else np.nan,
        "clearance_rate": out.arrests[burn_in_days:].sum() / total if total else np.nan,
        "knox_ratio": knox_ratio(ev["tick"], out.cell_xy[ev["cell"]]),
        "per_wijk": att.sum(axis=0) / years,
        "years": yearly(att.sum(axis=1))[:full] if full else np.array([total / years]),
    }


class Calibration:
    """One calibration of one city: scenarios, runs, metamodel search, validation."""

    def __init__(self, targets: Targets, executor: Executor, store: ResultStore | None = None,
                 report: Callable[[str], None] = lambda s: None,
                 progress: Callable[[int, int, str], None] | None = None):
        self.t = targets
        self.m = targets.method
        self.executor = executor
        self.store = store
        self.report = report
        self.progress = progress
        self.free = targets.free
        self.lo = np.array([f.lower for f in self.free])
        self.hi = np.array([f.upper for f in self.free])
        self.base, self.team = self._scenarios()
        start = [float(_get(self.base, f.path)) for f in self.free]
        self.u0 = np.clip((np.array(start) - self.lo) / (self.hi - self.lo), 0, 1)
        self.city = cached_city(self.base.city)
        self.wijk_codes = [w.code for w in self.city.wijken]
        self.obs_wijken = [w for w in self.wijk_codes if w in targets.per_wijk]
        self.names = [*targets.targets, *(f"wijk:{w}" for w in self.obs_wijken)]
        self.candidates: list[Candidate] = []  # the designs' candidates
        self.validations: list[Candidate] = []
        self.runs = 0

    # ---- scenarios and runs ---------------------------------------------------------------
    def _scenarios(self) -> tuple[Scenario, Scenario | None]:
        t, m = self.t, self.method_years()
        team_sc = load_scenario(t.team_scenario, calibrated=False)
        first = team_sc.interventieteam.first_year
        common = {"start_year": first - self.m.burn_in_years}
        if str(t.city) != team_sc.city:
            common["city"] = str(t.city)
        base = load_scenario(t.scenario, calibrated=False).with_overrides(common)
        if "team_effect" not in t.targets:
            return base, None
        last = max(team_sc.interventieteam.last_year, first + int(np.ceil(m)) - 1)
        team = team_sc.with_overrides({**common, "interventieteam.fte": self.m.team_fte,
                                       "interventieteam.last_year": last})
        return base, team

    def method_years(self) -> float:
        """Years measured per run (after the burn-in)."""
        return float(self.m.measure_years)

    def x_of(self, u: np.ndarray) -> np.ndarray:
        """Parameter values of scaled parameters ``u``."""
        return self.lo + np.asarray(u) * (self.hi - self.lo)

    def overrides(self, u: np.ndarray) -> dict[str, float]:
        """Dotted-path overrides for scaled parameters ``u``."""
        return {f.path: float(v) for f, v in zip(self.free, self.x_of(u), strict=True)}

    def evaluate(self, us: list[np.ndarray], reps: int, stage: int) -> list[Candidate]:
        """Run every candidate ``reps`` times (baseline and team, same seeds) in parallel."""
        years = self.m.burn_in_years + self.m.measure_years
        specs = []
        for i, u in enumerate(us):
            ov = self.overrides(u)
            for kind, sc in (("base", self.base), ("team", self.team)):
                if sc is None:
                    continue
                s = sc.with_overrides(ov)
                specs += [RunSpec(s, self.m.master_seed, r, years=years,
                                  run_id=f"s{stage}-c{i:03d}-{kind}-r{r:03d}",
                                  group=f"s{stage}-c{i:03d}-{kind}") for r in range(reps)]
        got: dict[tuple[int, str, int], dict] = {}
        burn = int(round(self.m.burn_in_years * DAYS_PER_YEAR))

        def on_record(rec: RunRecord) -> None:
            if rec.status != "done":
                raise UserError(f"run {rec.run_id} failed: {rec.error}")
            if self.store is not None:
                self.store.add_run(rec, detail=False)
            _, c, kind, r = rec.run_id.split("-")
            got[(int(c[1:]), kind, int(r[1:]))] = replication_moments(rec, burn)
            rec.output = None
            self.runs += 1
            if self.progress:
                label = f"stage {stage}" if stage < VALIDATION else "validation"
                self.progress(len(got), len(specs), label)

        run_specs(specs, self.executor, on_record)
        out = []
        for i, u in enumerate(us):
            reps_m = {k: np.array([got[(i, "base", r)][k] for r in range(reps)])
                      for k in ("level", "attempt_share", "clearance_rate", "knox_ratio",
                                "per_wijk", "years")}
            if self.team is not None:
                reps_m["team_level"] = np.array([got[(i, "team", r)]["level"]
                                                 for r in range(reps)])
            c = Candidate(stage, np.asarray(u, dtype=float), reps_m)
            c.moments = self.aggregate(reps_m)
            c.loss = self.loss(c.moments, c.u)
            out.append(c)
        if stage < VALIDATION:
            self.candidates += out
        return out

    # ---- moments and loss -----------------------------------------------------------------
    def aggregate(self, reps: dict[str, np.ndarray]) -> np.ndarray:
        """The moment vector (order of ``self.names``) from per-replication moments."""
        level = float(np.mean(reps["level"]))
        vals = {
            "level": level,
            "attempt_share": float(np.nanmean(reps["attempt_share"])),
            "clearance_rate": float(np.nanmean(reps["clearance_rate"])),
            "knox_ratio": _nanmean(reps["knox_ratio"]),
        }
        if "team_level" in reps:
            vals["team_effect"] = float(np.mean(reps["team_level"])) / level - 1 if level else 0.0
        pw = reps["per_wijk"].mean(axis=0)
        per = [float(pw[self.wijk_codes.index(w)]) for w in self.obs_wijken]
        return np.array([vals[n] for n in self.t.targets] + per)

    def loss(self, moments: np.ndarray, u: np.ndarray) -> float:
        """Weighted squared distance to the targets plus the prior term."""
        tg = list(self.t.targets.values())
        total = 0.0
        for k, tgt in enumerate(tg):
            if np.isfinite(moments[k]):
                total += tgt.weight * tgt.z(moments[k]) ** 2
        if self.obs_wijken:
            sim = moments[len(tg):]
            obs = np.array([self.t.per_wijk[w] for w in self.obs_wijken])
            total += self.t.per_wijk_weight * float(np.mean((sim - obs) ** 2 / np.maximum(obs, 1)))
        return total + self.m.prior_weight * float(np.sum((np.asarray(u) - self.u0) ** 2))

    # ---- search ---------------------------------------------------------------------------
    def search(self) -> np.ndarray:
        """The staged metamodel search; returns the scaled optimum."""
        d = len(self.free)
        lo, hi = np.zeros(d), np.ones(d)
        best_u = self.u0.copy()
        for k, n in enumerate(self.m.stages):
            if k > 0:
                half = 0.5 * self.m.shrink**k
                lo = np.clip(best_u - half, 0, 1 - 2 * half)
                hi = lo + 2 * half
            us = list(lo + qmc.LatinHypercube(d, seed=self.m.master_seed + k).random(n) * (hi - lo))
            if k > 0:
                us[0] = best_u.copy()
            cands = self.evaluate(us, self.m.replications, k + 1)
            inside = [c for c in self.candidates
                      if np.all(c.u >= lo - 1e-9) and np.all(c.u <= hi + 1e-9)]
            model = Metamodel([c.u for c in inside], [c.moments for c in inside])
            starts = [min(inside, key=lambda c: c.loss).u, (lo + hi) / 2, best_u]
            best_u, pred = self._minimize(model.predict, lo, hi, starts)
            self.report(
                f"stage {k + 1}: {n} candidates x {self.m.replications} replications; best "
                f"candidate loss {min(c.loss for c in cands):.3f}; metamodel optimum "
                f"{_fmt_x(self.x_of(best_u))} (predicted loss {pred:.3f})")
        self._model, self._box = model, (lo, hi)
        return best_u

    def refine(self, u: np.ndarray) -> Candidate:
        """Validate ``u`` with fresh replications; correct the metamodel by the difference.

        The candidates of a stage share replications 0..R-1, so their moments share those
        replications' luck (above all the drawn offender pool): the metamodel is precise
        about differences but biased in level. Each round runs ``validation_replications``
        at the current optimum, shifts the metamodel by (validated - predicted) moments there
        and minimises again within the last box. Returns the validated candidate with the
        lowest loss (all rounds use the same replications, so they compare fairly).
        """
        model, (lo, hi) = self._model, self._box
        best: Candidate | None = None
        for i in range(self.m.corrections + 1):
            val = self.evaluate([u], self.m.validation_replications, VALIDATION + i)[0]
            self.validations.append(val)
            if best is None or val.loss < best.loss:
                best = val
            self.report(f"validation {i + 1}: {_fmt_x(self.x_of(u))} loss {val.loss:.3f} "
                        f"({self.m.validation_replications} replications)")
            if i == self.m.corrections:
                break
            shift = np.nan_to_num(val.moments - model.predict(u[None, :])[0])

            def shifted(v: np.ndarray, shift: np.ndarray = shift) -> np.ndarray:
                return model.predict(v) + shift

            u, _ = self._minimize(shifted, lo, hi, [u, (lo + hi) / 2])
        return best

    def _minimize(self, predict: Callable[[np.ndarray], np.ndarray], lo: np.ndarray,
                  hi: np.ndarray, starts: list[np.ndarray]) -> tuple[np.ndarray, float]:
        def f(u: np.ndarray) -> float:
            return self.loss(predict(u[None, :])[0], u)

        best = None
        for s in starts:
            r = minimize(f, np.clip(s, lo, hi), method="L-BFGS-B", bounds=list(zip(lo, hi,
                                                                                  strict=True)))
            if best is None or r.fun < best.fun:
                best = r
        return np.clip(best.x, lo, hi), float(best.fun)


def _nanmean(a: np.ndarray) -> float:
    a = np.asarray(a, dtype=float)
    return float(np.nanmean(a)) if np.isfinite(a).any() else float("nan")


def _get(sc: Scenario, path: str) -> Any:
    node: Any = sc
    for part in path.split("."):
        node = getattr(node, part)
    return node


def _fmt_x(x: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in x) + "]"


def sha256(path: Path) -> str:
    """First 12 hex digits of a file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
