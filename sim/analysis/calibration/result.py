"""The outcome of ``sim calibrate``: fit statistics, uncertainty, hold-out check, prediction.

Written as ``calibrated.toml``: ``[parameters]`` (read by scenarios), ``[fit.<target>]``
(with z), ``[fit_summary]`` (J, degrees of freedom, p), ``[uncertainty]`` (SMM standard
errors and covariance, parameter order given), ``[prediction.team_effect]`` (the former
interventieteam, predicted and compared with the reported change) and provenance.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.analysis.calibration.search import Calibration, Candidate, sha256
from sim.analysis.calibration.targets import WIJK_PREFIX
from sim.analysis.calibration.uncertainty import j_statistic
from sim.core.paths import ROOT
from sim.core.tomlwrite import dumps

METHOD = ("simulated method of moments: diagonal weights 1/tolerance^2, weak prior towards "
          "the scenario defaults; staged Latin-hypercube designs with a quadratic metamodel "
          "per moment minimised by L-BFGS-B within the bounds; common random numbers (same "
          "master seed and replications for every candidate); optimum validated by more "
          "replications and the metamodel bias-corrected by the validated moments; fit "
          "J = sum z^2 against chi-squared on (targets - free) degrees of freedom; SMM "
          "standard errors (1 + 1/R) (G'WG)^-1 G'WSWG (G'WG)^-1 with a central-difference "
          "Jacobian (common random numbers) and the validation replications' moment "
          "covariance (see sim/analysis/calibration/search.py and uncertainty.py)")

#: Said with every team prediction: what a before/after change can and cannot show.
BEFORE_AFTER_NOTE = (
    "The reported changes are before/after figures for one town without a control group. "
    "Burglary fell nationally over the same years, a team is started after bad years that "
    "are often followed by better ones anyway (regression to the mean), and other measures "
    "changed at the same time. So the reported drop is weak evidence of the team's effect, "
    "and a prediction that differs from it is not by itself wrong. The prediction is the "
    "model's effect with everything else equal; the team's inputs are estimates (priors), "
    "not fitted.")

PCT_TARGETS = ("attempt_share", "clearance_rate", "in_act_share", "concentration", "top5_share")


def _rel(p: Path | None) -> str:
    if p is None:
        return ""
    p = Path(p).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


def fmt_moment(name: str, v: float) -> str:
    """A moment's value as the fit table shows it."""
    if v is None or not np.isfinite(v):
        return "–"
    if name in PCT_TARGETS or name.startswith(WIJK_PREFIX):
        return f"{v:.1%}"
    return f"{v:,.0f}" if name == "level" else f"{v:.2f}"


class CalibrationResult:
    """Fit statistics of the validated optimum, ready to print, plot and write."""

    def __init__(self, cal: Calibration, val: Candidate, *, out: Path, results: Path,
                 police: Path | None = None, kwb: Path | None = None,
                 uncertainty: dict[str, Any] | None = None,
                 prediction: dict[str, Any] | None = None):
        self.cal = cal
        self.val = val
        self.out = Path(out)
        self.results = Path(results)
        self.police, self.kwb = police, kwb
        self.free = cal.free
        self.x = cal.x_of(val.u)
        self.loss = val.loss
        self.targets = cal.t
        self.validation_replications = len(val.reps["level"])
        self.warnings = list(cal.t.warnings)
        self.date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.stats = self._stats()
        self.summary = self._summary()
        self.holdout = self._holdout()
        self.uncertainty = uncertainty
        self.prediction = prediction
        at_bound = []
        for f, v in zip(self.free, self.x, strict=True):
            if min(v - f.lower, f.upper - v) <= 0.01 * (f.upper - f.lower):
                at_bound.append(f.path)
                self.warnings.append(
                    f"{f.path} = {v:.4g} is at its bound [{f.lower:g}, {f.upper:g}]: the "
                    f"target it informs ({f.informs or 'see targets.toml'}) may be out of reach"
                    "; its standard error is not meaningful")
        if uncertainty is not None and uncertainty["condition"] > 1e10:
            self.warnings.append(
                f"G'WG is nearly singular (condition number {uncertainty['condition']:.2g}): "
                "a free parameter barely moves any target, so its standard error is unreliable")

    # ---- statistics ------------------------------------------------------------------------
    def per_rep(self, name: str) -> np.ndarray:
        """Validation replications' values of a target's moment."""
        return np.asarray(self.val.matrix[:, self.cal.names.index(name)], dtype=float)

    def _stats(self) -> dict[str, dict[str, Any]]:
        out = {}
        for k, (name, tg) in enumerate(self.cal.targets.items()):
            sim = float(self.val.moments[k])
            reps = self.per_rep(name)
            reps = reps[np.isfinite(reps)]
            out[name] = {
                "observed": tg.value if tg.range is None else list(tg.range),
                "simulated": sim,
                "p5": float(np.percentile(reps, 5)) if reps.size else float("nan"),
                "p95": float(np.percentile(reps, 95)) if reps.size else float("nan"),
                "z": tg.z(sim),
                "error": tg.error(sim),
                "accept": tg.accept if tg.range is None else list(tg.range),
                "accepted": bool(tg.accepted(sim)),
                "tolerance": tg.tolerance,
                "weight": tg.weight,
                "source": tg.source,
            }
        return out

    def _summary(self) -> dict[str, Any]:
        """J = sum z^2 over every target (named and per wijk), df and p-value."""
        z = np.array([s["z"] for s in self.stats.values()], dtype=float)
        everywhere = bool(self.cal.obs_wijken) and set(self.cal.obs_wijken) == set(
            self.cal.wijk_codes)
        out = j_statistic(z, len(self.free), dependent=int(everywhere))
        out["note"] = ("J = sum of squared z over the targets; p from chi-squared on "
                       "(targets - free parameters) degrees of freedom"
                       + (" - 1 (the wijk shares sum to one)" if everywhere else "")
                       + "; the tolerances are partly judgement, so p is a guide")
        return out

    def per_wijk(self) -> dict[str, dict[str, Any]]:
        """Simulated mean and 5-95% per wijk, with the observation and share z when given."""
        pw = self.val.reps["per_wijk"]
        out: dict[str, dict[str, Any]] = {}
        for i, w in enumerate(self.cal.wijk_codes):
            out[w] = {"simulated": float(pw[:, i].mean()), "p5": float(np.percentile(pw[:, i], 5)),
                      "p95": float(np.percentile(pw[:, i], 95))}
            if w in self.targets.per_wijk:
                out[w]["observed"] = float(self.targets.per_wijk[w])
            s = self.stats.get(WIJK_PREFIX + w)
            if s is not None:
                out[w].update({"share_observed": s["observed"], "share_simulated": s["simulated"],
                               "share_tolerance": s["tolerance"], "z": s["z"]})
        return out

    def _holdout(self) -> dict[str, Any] | None:
        y = self.targets.holdout_year
        if y is None or y not in self.targets.level_observed:
            return None
        years = np.asarray(self.val.reps["years"], dtype=float).ravel()
        obs = self.targets.level_observed[y]
        pred = float(years.mean())
        p5, p95 = (float(np.percentile(years, q)) for q in (5, 95))
        return {"year": y, "observed": obs, "predicted": pred, "p5": p5, "p95": p95,
                "rel_error": pred / obs - 1, "inside_interval": bool(p5 <= obs <= p95),
                "simulated_years": int(years.size)}

    def standard_errors(self) -> np.ndarray:
        """SMM standard errors of the free parameters (NaN without the uncertainty step)."""
        if self.uncertainty is None:
            return np.full(len(self.free), np.nan)
        return np.asarray(self.uncertainty["se"], dtype=float)

    def fit_rows(self) -> list[tuple[str, ...]]:
        """Rows of the printed fit table."""
        rows = []
        for name, s in self.stats.items():
            obs = s["observed"]
            obs_s = (f"{fmt_moment(name, obs[0])}–{fmt_moment(name, obs[1])}"
                     if isinstance(obs, list) else fmt_moment(name, obs))
            label = f"share {name[len(WIJK_PREFIX):]}" if name.startswith(WIJK_PREFIX) else name
            rows.append((label, obs_s, fmt_moment(name, s["simulated"]),
                         f"{fmt_moment(name, s['p5'])} – {fmt_moment(name, s['p95'])}",
                         f"{s['z']:+.2f}", "yes" if s["accepted"] else "NO"))
        return rows

    # ---- writing ---------------------------------------------------------------------------
    def parameters(self) -> dict[str, dict[str, float]]:
        """``{section: {name: value}}`` for the ``[parameters]`` table."""
        out: dict[str, dict[str, float]] = {}
        for f, v in zip(self.free, self.x, strict=True):
            section, name = f.path.split(".", 1)
            out.setdefault(section, {})[name] = float(f"{v:.5g}")
        return out

    def uncertainty_table(self) -> dict[str, Any] | None:
        """The ``[uncertainty]`` table (parameter order as in ``parameters``)."""
        u = self.uncertainty
        if u is None:
            return None
        m = self.targets.method
        return {
            "method": "SMM sandwich (1 + 1/R) (G'WG)^-1 G'W S W G (G'WG)^-1, W = "
                      "diag(weight / tolerance^2), S = covariance of one replication's "
                      "moments over the validation replications, G by central differences "
                      "with common random numbers; the prior is left out",
            "parameters": [f.path for f in self.free],
            "estimate": [float(f"{v:.5g}") for v in self.x],
            "standard_error": [float(v) for v in u["se"]],
            "covariance": [[float(v) for v in row] for row in u["covariance"]],
            "lower": [f.lower for f in self.free],
            "upper": [f.upper for f in self.free],
            "replications": int(u["R"]),
            "jacobian_replications": int(u["jacobian_replications"]),
            "jacobian_step": m.jacobian_step,
            "condition_number": float(u["condition"]),
            "moments": list(self.cal.names),
            "jacobian": [[float(v) for v in row] for row in u["G"]],
        }

    def prediction_table(self) -> dict[str, Any] | None:
        """The ``[prediction.team_effect]`` table, or None without a team prediction."""
        if self.prediction is None:
            return None
        p = self.targets.prediction
        note = p.note if p is not None and p.note else BEFORE_AFTER_NOTE
        return {"team_effect": {**self.prediction, "team_scenario": self.targets.team_scenario,
                                "fitted": False, "note": note}}

    def document(self, wall_seconds: float | None = None, figure: Path | None = None) -> dict:
        """The content of ``calibrated.toml``."""
        t, m = self.targets, self.targets.method
        cal = {
            "city": str(Path(t.city).name), "gemeente": t.gemeente, "date": self.date,
            "package_version": __version__, "method": METHOD,
            "targets_file": _rel(t.path), "targets_sha256": sha256(t.path),
            "scenario": t.scenario, "team_scenario": t.team_scenario,
            "scenario_hash": self.cal.base.content_hash(),
            "master_seed": m.master_seed, "replications_per_candidate": m.replications,
            "validation_replications": self.validation_replications,
            "burn_in_years": m.burn_in_years, "measure_years": m.measure_years,
            "burn_in_note": "the scenarios run with burn_in_years = the method's; the model "
                            "leaves the burn-in out of its outputs, nothing else is trimmed",
            "stages": list(m.stages), "shrink": m.shrink,
            "prior_weight": m.prior_weight, "corrections": m.corrections,
            "jacobian_step": m.jacobian_step,
            "jacobian_replications": self.cal.jacobian_replications(),
            "candidates": len(self.cal.candidates),
            "runs": self.cal.runs, "loss": self.loss,
            "figure": _rel(figure), "results": _rel(self.results),
        }
        if wall_seconds is not None:
            cal["wall_seconds"] = round(wall_seconds, 1)
        doc: dict[str, Any] = {"parameters": self.parameters(), "calibration": cal}
        doc["data"] = {"police_file": _rel(self.police), "kwb_file": _rel(self.kwb),
                       **{k: str(v) for k, v in t.data.items()},
                       "level_observed": {str(y): v for y, v in t.level_observed.items()},
                       "fit_years": t.fit_years}
        doc["fit"] = {k: v for k, v in self.stats.items() if not k.startswith(WIJK_PREFIX)}
        if self.targets.per_wijk:
            doc["fit"]["per_wijk"] = self.per_wijk()
        doc["fit_summary"] = dict(self.summary)
        if self.holdout:
            doc["holdout"] = self.holdout
        se = self.standard_errors()
        doc["free"] = {f.path: {"value": float(f"{v:.5g}"), "standard_error": float(se[i]),
                                "lower": f.lower, "upper": f.upper,
                                "start": float(self.cal.x_of(self.cal.u0)[i]),
                                "informs": f.informs}
                       for i, (f, v) in enumerate(zip(self.free, self.x, strict=True))}
        unc = self.uncertainty_table()
        if unc is not None:
            doc["uncertainty"] = unc
        pred = self.prediction_table()
        if pred is not None:
            doc["prediction"] = pred
        if self.warnings:
            doc["calibration"]["warnings"] = self.warnings
        return doc

    def write(self, wall_seconds: float | None = None, figure: Path | None = None) -> Path:
        """Write ``calibrated.toml`` (scenarios read its ``[parameters]`` table)."""
        header = (f"Calibrated parameters for {Path(self.targets.city).name}, written by "
                  f"`sim calibrate` on {self.date[:10]}.\nRerun the command rather than editing "
                  "by hand. Scenarios deep-merge [parameters] beneath their own values;\nthe "
                  "other tables record the fit, the uncertainty, the team prediction, the data "
                  "used, the seeds and the version.")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(dumps(self.document(wall_seconds, figure), header), encoding="utf-8")
        return self.out
