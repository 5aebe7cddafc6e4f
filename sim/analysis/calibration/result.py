"""The outcome of ``sim calibrate``: fit statistics, hold-out check, ``calibrated.toml``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.analysis.calibration.search import Calibration, Candidate, sha256
from sim.core.paths import ROOT
from sim.core.tomlwrite import dumps

METHOD = ("simulated method of moments: diagonal weights 1/tolerance^2, weak prior towards "
          "the scenario defaults; staged Latin-hypercube designs with a quadratic metamodel "
          "per moment minimised by L-BFGS-B within the bounds; common random numbers (same "
          "master seed and replications for every candidate, baseline and team); optimum "
          "validated by more replications and the metamodel bias-corrected by the validated "
          "moments (see sim/analysis/calibration/search.py)")


def _rel(p: Path | None) -> str:
    if p is None:
        return ""
    p = Path(p).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


class CalibrationResult:
    """Fit statistics of the validated optimum, ready to print, plot and write."""

    def __init__(self, cal: Calibration, val: Candidate, *, out: Path, results: Path,
                 police: Path | None = None, kwb: Path | None = None):
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
        self.holdout = self._holdout()
        for f, v in zip(self.free, self.x, strict=True):
            if min(v - f.lower, f.upper - v) <= 0.01 * (f.upper - f.lower):
                self.warnings.append(
                    f"{f.path} = {v:.4g} is at its bound [{f.lower:g}, {f.upper:g}]: the "
                    f"target it informs ({f.informs or 'see targets.toml'}) may be out of reach")

    # ---- statistics ------------------------------------------------------------------------
    def per_rep(self, name: str) -> np.ndarray:
        """Validation replications' values of a target's moment."""
        r = self.val.reps
        if name == "team_effect":
            return r["team_level"] / r["level"] - 1
        return np.asarray(r[name], dtype=float)

    def _stats(self) -> dict[str, dict[str, Any]]:
        out = {}
        for k, (name, tg) in enumerate(self.targets.targets.items()):
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
                "source": tg.source,
            }
        return out

    def per_wijk(self) -> dict[str, dict[str, float]]:
        """Simulated mean and 5-95% per wijk, with the observation when there is one."""
        pw = self.val.reps["per_wijk"]
        out = {}
        for i, w in enumerate(self.cal.wijk_codes):
            out[w] = {"simulated": float(pw[:, i].mean()), "p5": float(np.percentile(pw[:, i], 5)),
                      "p95": float(np.percentile(pw[:, i], 95))}
            if w in self.targets.per_wijk:
                out[w]["observed"] = float(self.targets.per_wijk[w])
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

    def fit_rows(self) -> list[tuple[str, ...]]:
        """Rows of the printed fit table."""
        rows = []
        for name, s in self.stats.items():
            def f(v: float, name: str = name) -> str:
                if name == "team_effect":
                    return f"{v:+.1%}"
                if name in ("attempt_share", "clearance_rate"):
                    return f"{v:.1%}"
                return f"{v:,.0f}" if name == "level" else f"{v:.2f}"

            obs = s["observed"]
            obs_s = f"{f(obs[0])}–{f(obs[1])}" if isinstance(obs, list) else f(obs)
            rows.append((name, obs_s, f(s["simulated"]), f"{f(s['p5'])} – {f(s['p95'])}",
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
            "team_fte": m.team_fte, "stages": list(m.stages), "shrink": m.shrink,
            "prior_weight": m.prior_weight, "corrections": m.corrections,
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
        doc["fit"] = dict(self.stats)
        if self.targets.per_wijk:
            doc["fit"]["per_wijk"] = self.per_wijk()
        if self.holdout:
            doc["holdout"] = self.holdout
        doc["free"] = {f.path: {"value": float(f"{v:.5g}"), "lower": f.lower, "upper": f.upper,
                                "start": float(self.cal.x_of(self.cal.u0)[i]),
                                "informs": f.informs}
                       for i, (f, v) in enumerate(zip(self.free, self.x, strict=True))}
        if self.warnings:
            doc["calibration"]["warnings"] = self.warnings
        return doc

    def write(self, wall_seconds: float | None = None, figure: Path | None = None) -> Path:
        """Write ``calibrated.toml`` (scenarios read its ``[parameters]`` table)."""
        header = (f"Calibrated parameters for {Path(self.targets.city).name}, written by "
                  f"`sim calibrate` on {self.date[:10]}.\nRerun the command rather than editing "
                  "by hand. Scenarios deep-merge [parameters] beneath their own values;\nthe "
                  "other tables record the fit, the data used, the seeds and the version.")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(dumps(self.document(wall_seconds, figure), header), encoding="utf-8")
        return self.out
