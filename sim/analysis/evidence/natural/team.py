"""The burglary team faces the record: observed natural experiment, model, posterior.

Observed (CBS/Politie 47018NED, log counts): Amstelveen against the summed other six
gemeenten of the record (DiD), against the national series (DiD), and a synthetic control
of those six (weights fitted on 2012-2017), over the team years 2019-2022 against
2012-2017; placebo intervals; and how the estimates move with the choice of years.

Model: the history with the programmes that ran (``drivers.toml``) against the same history
without them, same seeds (common random numbers): the team effect the model predicts from
the studies its mechanisms rest on ("predicted from studies elsewhere").

Posterior ("after Amstelveen's own record"): a precision-weighted combination, on the log
scale, of the model's prediction (its variance over replications) and the record's DiD
against the other gemeenten (its variance: the placebos' variance plus the variance over
the choices of years). Named confounders: the itinerant gang of 2017 (arrested by 2018),
the 2018 police team, and the lockdowns inside the post years.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.analysis.evidence.natural.estimators import did, did_placebo, synth_placebo
from sim.analysis.history.run import history_scenario, simulate_years
from sim.data.record import OTHERS, Record, load_record

GEMEENTE = "GM0362"
PRE = range(2012, 2018)  # before the 2017 gang's arrest and the 2018 police team
POST = range(2019, 2023)  # the municipal team's years (from 1 March 2019; letter: to 2022)
#: The choices of years for the sensitivity table: (pre, post).
CHOICES = ((range(2012, 2018), range(2019, 2023)), (range(2012, 2017), range(2019, 2023)),
           (range(2014, 2018), range(2019, 2023)), (range(2012, 2018), range(2019, 2022)),
           (range(2012, 2018), range(2018, 2023)), (range(2012, 2018), range(2019, 2024)),
           (range(2012, 2018), range(2020, 2023)))
CONFOUNDERS = (
    "2017: an itinerant (Chilean) gang behind part of Amstelveen's 2017 peak, 7 arrested by "
    "2018 (NH Nieuws; data/drivers/08): it raises the pre years, so it biases the DiD "
    "towards a team benefit",
    "spring 2018: a temporary police burglary team (mayor's letter of 2018-10-27), before the "
    "municipal team",
    "2020-2021: the lockdowns, inside the post years, hit gemeenten unequally (see "
    "record_lockdown)",
)


def _span(r: range) -> str:
    return f"{r.start}-{r.stop - 1}"


def observed(record: Record | None = None) -> dict[str, Any]:
    """The record's estimates of the team's effect, with placebos and year choices."""
    rec = record or load_record()
    units = {c: {y: float(v) for y, v in rec.series(c).items()} for c in (GEMEENTE, *OTHERS)}
    nat = {y: float(v) for y, v in rec.national.items()}
    dp = did_placebo(GEMEENTE, units, PRE, POST)
    sc, sp = synth_placebo(GEMEENTE, units, PRE, POST)
    sens = []
    for pre, post in CHOICES:
        d = did_placebo(GEMEENTE, units, pre, post)
        s, _ = synth_placebo(GEMEENTE, units, pre, post)
        sens.append({"pre": _span(pre), "post": _span(post), "did_others": d.effect,
                     "did_national": did(units[GEMEENTE], nat, pre, post),
                     "synthetic_control": s.effect})
    sens_sd = float(np.std([math.log1p(s["did_others"]) for s in sens], ddof=1))
    names = rec.names
    return {
        "pre": _span(PRE), "post": _span(POST),
        "did_others": {"effect": dp.effect, "control": "sum of " + ", ".join(
            names[c] for c in OTHERS), "placebo_interval": list(dp.interval),
                       "placebo_p": dp.p_value, "placebo_sd_log": dp.sd_log,
                       "placebos": {names[k]: v for k, v in dp.placebos.items()}},
        "did_national": {"effect": did(units[GEMEENTE], nat, PRE, POST),
                         "control": "national sum of 47018NED (data/drivers/01)"},
        "synthetic_control": {"effect": sc.effect, "weights": {
            names[k]: v for k, v in sc.weights.items()}, "pre_rmspe_log": sc.pre_rmspe,
                              "placebo_interval": list(sp.interval), "placebo_p": sp.p_value,
                              "placebos": {names[k]: v for k, v in sp.placebos.items()},
                              "largest_gap": all(abs(math.log1p(sc.effect)) >=
                                                 abs(math.log1p(v))
                                                 for v in sp.placebos.values())},
        "sensitivity": sens, "sensitivity_sd_log": sens_sd,
        "confounders": list(CONFOUNDERS),
        "method": "log counts; DiD against the summed other gemeenten and against the "
                  "national series; synthetic control with weights fitted on the pre years "
                  "(demeaned log counts); in-space placebos (each other gemeente treated in "
                  "turn, Amstelveen left out of the donors)",
    }


def simulated(city: str = "amstelveen", *, replications: int = 10, seed: int = 42,
              workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The model's team effect over the post years: history with vs without the programmes."""
    first, last = 2017, POST.stop - 1
    with_team = history_scenario(city, first, last)
    without = history_scenario(city, first, last, {"drivers": {"programmes": False}})
    runs = [(with_team, r) for r in range(replications)] + \
        [(without, r) for r in range(replications)]
    sims = simulate_years(runs, seed, workers, progress)
    idx = [y - first for y in POST]
    t, b = sims[:replications, idx].sum(axis=1), sims[replications:, idx].sum(axis=1)
    logr = np.log(t / b)
    return {"effect": float(t.mean() / b.mean() - 1), "p5": float(np.expm1(np.percentile(
        logr, 5))), "p95": float(np.expm1(np.percentile(logr, 95))),
            "sd_log": float(np.std(logr, ddof=1)) if replications > 1 else float("nan"),
            "with_team_per_year": float(t.mean() / len(idx)),
            "without_team_per_year": float(b.mean() / len(idx)),
            "years": _span(POST), "replications": replications, "seed": seed,
            "design": "history 2017-2022 with the programmes that ran (drivers.toml) against "
                      "the same history without them, same seeds; team inputs are the "
                      "scenario's priors (studies elsewhere), never fitted to the record"}


def posterior(sim: dict[str, Any], obs: dict[str, Any]) -> dict[str, Any]:
    """Precision-weighted combination of the model's prediction and the record's DiD."""
    m_p, s_p = math.log1p(sim["effect"]), sim["sd_log"]
    d = obs["did_others"]
    m_o = math.log1p(d["effect"])
    s_o = math.sqrt(d["placebo_sd_log"] ** 2 + obs["sensitivity_sd_log"] ** 2)
    w_p, w_o = 1 / s_p**2, 1 / s_o**2
    m = (w_p * m_p + w_o * m_o) / (w_p + w_o)
    s = math.sqrt(1 / (w_p + w_o))
    z = (m_o - m_p) / math.sqrt(s_p**2 + s_o**2)
    contradicts = abs(z) > 1.645
    plain = (f"The police record contradicts the studies: the model predicts "
             f"{sim['effect']:+.0%} for the team from studies elsewhere, Amstelveen's own "
             f"record gives {d['effect']:+.0%} against the other gemeenten (placebos "
             f"{d['placebo_interval'][0]:+.0%} to {d['placebo_interval'][1]:+.0%}); the two "
             f"differ by {abs(z):.1f} standard errors." if contradicts else
             f"The police record does not contradict the studies (difference {abs(z):.1f} "
             "standard errors).")
    plain_nl = (f"De politieregistratie spreekt de studies tegen: het model voorspelt "
                f"{sim['effect']:+.0%} voor het inbrakenteam op grond van studies elders, "
                f"Amstelveens eigen cijfers geven {d['effect']:+.0%} ten opzichte van de andere "
                f"gemeenten." if contradicts else
                "De politieregistratie spreekt de studies niet tegen.")
    return {"predicted_from_studies": sim["effect"],
            "predicted_sd_log": s_p,
            "record_estimate": d["effect"], "record_sd_log": s_o,
            "after_record": math.expm1(m),
            "after_record_p5": math.expm1(m - 1.645 * s),
            "after_record_p95": math.expm1(m + 1.645 * s),
            "z": z, "contradicts": contradicts, "plain": plain, "plain_nl": plain_nl,
            "method": "precision-weighted mean on the log scale of the model's prediction "
                      "(variance over replications) and the record's DiD against the other "
                      "gemeenten (variance: placebos' plus choices of years); normal "
                      "approximation, 90% interval"}


def team_study(city: str = "amstelveen", *, replications: int = 10, seed: int = 42,
               workers: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The whole study, JSON-able: observed, simulated, posterior."""
    obs = observed()
    sim = simulated(city, replications=replications, seed=seed, workers=workers,
                    progress=progress)
    return {"key": "record_team", "kind": "natural experiment",
            "source": "CBS/Politie 47018NED 2012-2023 (data/police, data/drivers/01)",
            "observed": obs, "simulated": sim, "posterior": posterior(sim, obs)}
