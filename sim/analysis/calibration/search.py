"""Calibration: fit free parameters to a city's targets by the simulated method of moments.

Estimator (documented in the README and in every ``calibrated.toml``):

* **Moments** of one replication of the baseline scenario, measured over
  ``method.measure_years`` from 1 January of the first fit year. The scenario runs with
  ``burn_in_years = method.burn_in_years`` (the offender pool settles first); the model
  leaves the burn-in out of its outputs, so every output is measured, nothing is trimmed
  again. Moments: woninginbraken per year (level), attempt share, clearance rate, share of
  arrests made in the act, the Knox ratio (≤ 200 m, ≤ 14 days), the seasonal ratio (Nov–Feb
  vs Mar–Oct per day), the Christmas-holiday ratio, the share of burglaries in the top 5% of
  home cells, the year-to-year rank stability of home cells, and — with a police export —
  each wijk's share of the burglaries. Only the moments the targets file names are fitted.
* **Loss** ``L(x) = sum_k w_k z_k^2 + prior``, ``z_k = (m_k(x) - target_k) / tolerance_k``
  (a diagonal weighting matrix: the targets' stated precision; the per-wijk shares'
  tolerance is binomial, see :meth:`Targets.wijk_targets`) and a weak prior
  ``prior_weight * |u - u_0|^2`` on the parameters scaled to their bounds (``u_0``: the
  scenario's values), which makes a weakly identified parameter stay near its default.
  With more targets than free parameters the fit is over-identified; the global fit
  statistic ``J = sum z^2`` and its p-value say whether all targets can be met at once
  (:mod:`sim.analysis.calibration.uncertainty`).
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
  and minimises again, ``corrections`` times. The fit table, the loss, J and the hold-out
  year's prediction come from the best validated runs, not from the metamodel.
* **Uncertainty**: the Jacobian of the moments at the optimum by central differences
  (``method.jacobian_step`` of each bound range, ``method.jacobian_replications``
  replications with the validation's seeds: common random numbers) and the moments'
  covariance over the validation replications give SMM standard errors.
* **Prediction**: the former interventieteam (``[prediction.team_effect]``) is not fitted.
  At the optimum, baseline and team run with the same seeds over the team's years; the
  relative change in woninginbraken over the measured years is recorded beside the
  reported before/after change, as an out-of-sample check.
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
from sim.analysis.calibration.targets import TARGET_NAMES, WIJK_PREFIX, Targets
from sim.analysis.calibration.uncertainty import (
    condition,
    moment_covariance,
    smm_covariance,
)
from sim.core.errors import UserError
from sim.model.metrics import (
    concentration,
    frequency_concentration,
    holiday_ratio,
    knox_ratio,
    rank_stability,
    seasonal_ratio,
    yearly,
)
from sim.model.model import DAYS_PER_YEAR, HOURS_PER_DAY
from sim.model.scenario import Scenario, load_scenario
from sim.runs.runner import RunRecord, RunSpec, cached_city, run_specs
from sim.runs.store import ResultStore

VALIDATION = 100  # stage numbers from here on are validation rounds
JACOBIAN = 200  # the Jacobian's points
PREDICTION = 300  # the team prediction's runs


@dataclass
class Candidate:
    """One evaluated parameter vector with its per-replication moments."""

    stage: int
    u: np.ndarray  # parameters scaled to [0, 1] by their bounds
    reps: dict[str, np.ndarray]  # moment -> (R,) or (R, wijken) or (R, years)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (R, moments)
    moments: np.ndarray = field(default_factory=lambda: np.zeros(0))  # aggregated vector
    loss: float = float("nan")


def replication_moments(rec: RunRecord, burn_in_days: int = 0) -> dict[str, Any]:
    """Moments of one run (from its daily counts and events).

    The model already leaves its own burn-in out; ``burn_in_days`` trims more (0: none).
    """
    out = rec.output
    b = int(burn_in_days)
    att = out.attempts[b:]
    daily = att.sum(axis=1)
    years = att.shape[0] / DAYS_PER_YEAR
    total = int(att.sum())
    ev = out.events[out.events["tick"] >= b * HOURS_PER_DAY].copy()
    ev["tick"] -= b * HOURS_PER_DAY
    arrests = int(out.arrests[b:].sum() + out.offender_arrests[b:].sum())
    full = att.shape[0] // DAYS_PER_YEAR
    home = out.home_cells
    return {
        "level": total / years,
        "attempt_share": 1 - out.completed[b:].sum() / total if total else np.nan,
        "clearance_rate": out.arrests[b:].sum() / total if total else np.nan,
        "in_act_share": int(ev["in_act"].sum()) / arrests if arrests else np.nan,
        "knox_ratio": knox_ratio(ev["tick"], out.cell_xy[ev["cell"]]),
        "seasonal_ratio": seasonal_ratio(daily),
        "holiday_ratio": holiday_ratio(daily),
        "concentration": (frequency_concentration(ev["cell"], home) if home is not None
                          else np.nan),
        "top5_share": concentration(ev["cell"], home) if home is not None else np.nan,
        "rank_stability": rank_stability(ev, home) if home is not None else np.nan,
        "per_wijk": att.sum(axis=0) / years,
        "years": yearly(daily)[:full] if full else np.array([total / years]),
    }


def yearly_totals(rec: RunRecord) -> dict[str, Any]:
    """Woninginbraken per simulated year (after the model's burn-in) of one run."""
    return {"years": yearly(rec.output.attempts.sum(axis=1)).astype(float)}


class Calibration:
    """One calibration of one city: scenario, runs, metamodel search, validation, uncertainty."""

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
        start_year = min(targets.fit_years) if targets.fit_years else None
        self.base = self._scenario(targets.scenario, start_year)
        start = [float(_get(self.base, f.path)) for f in self.free]
        self.u0 = np.clip((np.array(start) - self.lo) / (self.hi - self.lo), 0, 1)
        self.city = cached_city(self.base.city)
        self.wijk_codes = [w.code for w in self.city.wijken]
        self.targets = targets.all_targets()  # name -> Target: the named, then per wijk
        self.obs_wijken = [n[len(WIJK_PREFIX):] for n in self.targets if n.startswith(WIJK_PREFIX)]
        unknown = sorted(set(self.obs_wijken) - set(self.wijk_codes))
        if unknown:
            raise UserError(f"per-wijk observations for wijk(en) the city does not have: "
                            f"{', '.join(unknown)}", field="per_wijk")
        self.names = list(self.targets)
        self.candidates: list[Candidate] = []  # the designs' candidates
        self.validations: list[Candidate] = []
        self.runs = 0

    # ---- scenarios and runs ---------------------------------------------------------------
    def _scenario(self, ref: str, start_year: int | None,
                  extra: dict[str, Any] | None = None) -> Scenario:
        """A scenario without calibration, from ``start_year`` after the method's burn-in."""
        sc = load_scenario(ref, calibrated=False)
        common: dict[str, Any] = {"start_year": start_year or sc.start_year,
                                  "burn_in_years": self.m.burn_in_years, **(extra or {})}
        if str(self.t.city) != sc.city:
            common["city"] = str(self.t.city)
        return sc.with_overrides(common)

    def method_years(self) -> float:
        """Years measured per run (after the burn-in)."""
        return float(self.m.measure_years)

    def jacobian_replications(self) -> int:
        """Replications per Jacobian point: at most the validation's (the same seeds)."""
        return max(2, min(self.m.jacobian_replications, self.m.validation_replications))

    def x_of(self, u: np.ndarray) -> np.ndarray:
        """Parameter values of scaled parameters ``u``."""
        return self.lo + np.asarray(u) * (self.hi - self.lo)

    def overrides(self, u: np.ndarray) -> dict[str, float]:
        """Dotted-path overrides for scaled parameters ``u``."""
        return {f.path: float(v) for f, v in zip(self.free, self.x_of(u), strict=True)}

    def _label(self, stage: int) -> str:
        if stage < VALIDATION:
            return f"stage {stage}"
        return {VALIDATION: "validation", JACOBIAN: "jacobian",
                PREDICTION: "team prediction"}[stage // 100 * 100]

    def _run(self, jobs: list[tuple[int, str, Scenario]], reps: int, years: float, stage: int,
             measure: Callable[[RunRecord], dict[str, Any]]
             ) -> dict[tuple[int, str, int], dict[str, Any]]:
        """Run every (index, kind, scenario) ``reps`` times with replications 0..reps-1."""
        specs = [RunSpec(sc, self.m.master_seed, r, years=years,
                         run_id=f"s{stage}-c{i:03d}-{kind}-r{r:03d}",
                         group=f"s{stage}-c{i:03d}-{kind}")
                 for i, kind, sc in jobs for r in range(reps)]
        got: dict[tuple[int, str, int], dict[str, Any]] = {}

        def on_record(rec: RunRecord) -> None:
            if rec.status != "done":
                raise UserError(f"run {rec.run_id} failed: {rec.error}")
            if self.store is not None:
                self.store.add_run(rec, detail=False)
            _, c, kind, r = rec.run_id.split("-")
            got[(int(c[1:]), kind, int(r[1:]))] = measure(rec)
            rec.output = None
            self.runs += 1
            if self.progress:
                self.progress(len(got), len(specs), self._label(stage))

        run_specs(specs, self.executor, on_record)
        return got

    def evaluate(self, us: list[np.ndarray], reps: int, stage: int) -> list[Candidate]:
        """Run every candidate ``reps`` times (replications 0..reps-1: common random numbers)."""
        jobs = [(i, "base", self.base.with_overrides(self.overrides(u))) for i, u in enumerate(us)]
        got = self._run(jobs, reps, self.method_years(), stage, replication_moments)
        out = []
        for i, u in enumerate(us):
            reps_m = {k: np.array([got[(i, "base", r)][k] for r in range(reps)], dtype=float)
                      for k in (*TARGET_NAMES, "per_wijk", "years")}
            c = Candidate(stage, np.asarray(u, dtype=float), reps_m)
            c.matrix = self.rep_matrix(reps_m)
            c.moments = self.aggregate(c.matrix)
            c.loss = self.loss(c.moments, c.u)
            out.append(c)
        if stage < VALIDATION:
            self.candidates += out
        return out

    # ---- moments and loss -----------------------------------------------------------------
    def rep_matrix(self, reps: dict[str, np.ndarray]) -> np.ndarray:
        """Per-replication moments (replications x ``self.names``)."""
        cols = []
        level = np.asarray(reps["level"], dtype=float)
        for name in self.names:
            if name.startswith(WIJK_PREFIX):
                i = self.wijk_codes.index(name[len(WIJK_PREFIX):])
                with np.errstate(invalid="ignore", divide="ignore"):
                    cols.append(np.where(level > 0, reps["per_wijk"][:, i] / level, np.nan))
            else:
                cols.append(np.asarray(reps[name], dtype=float))
        return np.column_stack(cols) if cols else np.zeros((len(level), 0))

    def aggregate(self, matrix: np.ndarray) -> np.ndarray:
        """The moment vector (order of ``self.names``): means over the replications."""
        return np.array([_nanmean(matrix[:, k]) for k in range(matrix.shape[1])])

    def loss(self, moments: np.ndarray, u: np.ndarray) -> float:
        """Weighted squared distance to the targets plus the prior term."""
        total = 0.0
        for k, tgt in enumerate(self.targets.values()):
            if np.isfinite(moments[k]):
                total += tgt.weight * tgt.z(moments[k]) ** 2
        return total + self.m.prior_weight * float(np.sum((np.asarray(u) - self.u0) ** 2))

    def weights(self) -> np.ndarray:
        """The loss's diagonal weighting matrix in the moments' own units."""
        return np.diag([t.weight / t.scale**2 for t in self.targets.values()])

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

    # ---- uncertainty ----------------------------------------------------------------------
    def jacobian(self, u: np.ndarray, reps: int | None = None) -> np.ndarray:
        """The Jacobian of the moments at ``u`` (moments x free): central differences.

        Each parameter moves ``jacobian_step`` of its bound range up and down (one-sided at a
        bound); both points run with replications 0..reps-1, the validation's seeds, so the
        difference is not swamped by the replications' luck (common random numbers).
        """
        reps = reps or self.jacobian_replications()
        h = self.m.jacobian_step
        pts = []
        for i in range(len(self.free)):
            up, dn = np.array(u, dtype=float), np.array(u, dtype=float)
            up[i], dn[i] = min(1.0, u[i] + h), max(0.0, u[i] - h)
            pts += [up, dn]
        cands = self.evaluate(pts, reps, JACOBIAN)
        G = np.zeros((len(self.names), len(self.free)))
        for i in range(len(self.free)):
            a, b = cands[2 * i], cands[2 * i + 1]
            G[:, i] = (a.moments - b.moments) / (self.x_of(a.u)[i] - self.x_of(b.u)[i])
        return G

    def uncertainty(self, val: Candidate, reps: int | None = None) -> dict[str, Any]:
        """SMM standard errors and covariance of the free parameters at the validated optimum."""
        reps = reps or self.jacobian_replications()
        G = self.jacobian(val.u, reps)
        S = moment_covariance(val.matrix)
        W = self.weights()
        R = val.matrix.shape[0]
        cov = smm_covariance(G, S, W, R)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        cond = condition(G, W)
        self.report(f"uncertainty: Jacobian from {2 * len(self.free)} points x {reps} "
                    f"replications; condition number of G'WG {cond:.3g}")
        return {"G": G, "S": S, "W": W, "R": R, "covariance": cov, "se": se,
                "condition": cond, "jacobian_replications": reps}

    # ---- prediction -----------------------------------------------------------------------
    def predict_team(self, u: np.ndarray) -> dict[str, Any] | None:
        """The former interventieteam's effect at ``u`` (not fitted): baseline vs team runs.

        Both run over the team's years with the same seeds (common random numbers) after
        the method's burn-in; the effect over the measured years is the relative change in
        the mean woninginbraken (ratio of means), with the 5–95% range of the replications'
        own changes, also per year.
        """
        p = self.t.prediction
        if p is None:
            return None
        reps = p.replications or self.m.validation_replications
        # with and without the team, nothing else: the programmes that ran (drivers.toml)
        # are left out of both
        ov = {**self.overrides(u), "drivers.programmes": False}
        base = self._scenario(self.t.scenario, p.team_first_year, ov)
        team = self._scenario(self.t.team_scenario, p.team_first_year, {
            **ov, "interventieteam.fte": p.fte, "interventieteam.first_year": p.team_first_year,
            "interventieteam.last_year": p.team_last_year})
        years = p.last_year - p.team_first_year + 1
        got = self._run([(0, "base", base), (0, "team", team)], reps, float(years), PREDICTION,
                        yearly_totals)
        b = np.array([got[(0, "base", r)]["years"][:years] for r in range(reps)])
        t = np.array([got[(0, "team", r)]["years"][:years] for r in range(reps)])
        first = p.first_year - p.team_first_year

        def effect(a: int, z: int) -> dict[str, Any]:
            bs, ts = b[:, a:z + 1].sum(axis=1), t[:, a:z + 1].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                per = np.where(bs > 0, ts / bs - 1, np.nan)
            per = per[np.isfinite(per)]
            mean = float(ts.mean() / bs.mean() - 1) if bs.mean() > 0 else float("nan")
            return {"predicted": mean,
                    "p5": float(np.percentile(per, 5)) if per.size else float("nan"),
                    "p95": float(np.percentile(per, 95)) if per.size else float("nan"),
                    "baseline_per_year": float(bs.mean() / (z - a + 1)),
                    "team_per_year": float(ts.mean() / (z - a + 1))}

        out = {"team_years": [p.team_first_year, p.team_last_year],
               "measured_years": [p.first_year, p.last_year], "fte": p.fte,
               "replications": reps, **effect(first, years - 1),
               "per_year": {str(p.team_first_year + i): effect(i, i)["predicted"]
                            for i in range(years)},
               "reported": {}}
        for r in p.reported:
            e = effect(r.first_year - p.team_first_year, r.last_year - p.team_first_year)
            key = str(r.first_year) if r.first_year == r.last_year else \
                f"{r.first_year}-{r.last_year}"
            out["reported"][key] = {
                "reported": r.value, "source": r.source, "predicted": e["predicted"],
                "p5": e["p5"], "p95": e["p95"], "difference": e["predicted"] - r.value,
                "inside_interval": bool(e["p5"] <= r.value <= e["p95"])}
        self.report(f"team prediction ({p.fte:g} FTE, {p.first_year}–{p.last_year}): "
                    f"{out['predicted']:+.1%} (5–95% of replications {out['p5']:+.1%} to "
                    f"{out['p95']:+.1%})")
        return out


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
