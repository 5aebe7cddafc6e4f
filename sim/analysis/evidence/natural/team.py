"""The burglary team faces the record: observed natural experiment, model, posterior.

Observed (CBS/Politie 47018NED, log counts): Amstelveen against the summed other six
gemeenten of the record (DiD), against the national series (DiD), and a synthetic control
of those six (weights fitted on 2012-2017), over the team years 2019-2022 against
2012-2017; placebo intervals; and how the estimates move with the choice of years.

Model: the history with the programmes that ran (``drivers.toml``) against the same history
without them, same seeds (common random numbers): the team effect the model predicts from
the studies its mechanisms rest on ("predicted from studies elsewhere").

Posterior ("after Amstelveen's own record"): a precision-weighted combination, on the log
scale, of the model's prediction (its variance over replications and over the range of the
team's incapacitation priors) and the record's DiD
against the other gemeenten (its variance: the placebos' variance plus the variance over
the choices of years). Named confounders: the itinerant gang of 2017 (arrested by 2018),
the 2018 police team, and the lockdowns inside the post years.

Team after the record: the strength of the team's incapacitation inputs whose model effect
equals the posterior (:func:`strength_after_record`); the scenario
``interventieteam-na-registratie`` runs the 2024 team with those inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.analysis.evidence.natural.estimators import did, did_placebo, synth_placebo
from sim.analysis.history.run import history_scenario, simulate_years
from sim.data.record import OTHERS, Record, load_record
from sim.model.scenario import load_scenario

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


#: The team's incapacitation inputs (issue 20's priors, range 0.5-2 times the prior value):
#: arrests of known offenders and identification of unknown ones, scaled together by a
#: strength k (1 = the priors; 0 = the team patrols its hot spots and arrests no one on its
#: list). The hot-spot patrol rests on Telep et al. and stays as it is.
INCAPACITATION = ("offender_arrests_per_100_hours", "offenders_identified_per_100_hours")
#: Strengths run: 0 (patrol only), the prior range's ends (0.5, 2) and the prior (1).
STRENGTHS = (0.0, 0.5, 1.0, 2.0)
PRIOR_RANGE = (0.5, 2.0)  # the 90% range of the priors, as multiples of the prior value


def team_inputs(city: str, strength: float) -> dict[str, float]:
    """The team's incapacitation inputs at ``strength`` times the scenario's priors."""
    team = load_scenario("baseline", city=city).interventieteam
    return {k: round(float(getattr(team, k)) * strength, 6) for k in INCAPACITATION}


def simulated(city: str = "amstelveen", *, replications: int = 10, seed: int = 42,
              workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The model's team effect over the post years: history with vs without the programmes.

    Run at the priors and at the other :data:`STRENGTHS` of the team's incapacitation
    inputs, all on the same seeds: the effect at the priors is the prediction; its spread
    over the priors' range enters the prediction's uncertainty (``sd_prior_log``); the
    curve lets the estimate after the record be turned back into team inputs.
    """
    first, last = 2017, POST.stop - 1
    without = history_scenario(city, first, last, {"drivers": {"programmes": False}})
    arms = [history_scenario(city, first, last,
                             {"interventieteam": team_inputs(city, k)} if k != 1.0 else None)
            for k in STRENGTHS]
    runs = [(sc, r) for sc in (*arms, without) for r in range(replications)]
    sims = simulate_years(runs, seed, workers, progress)
    idx = [y - first for y in POST]
    totals = sims[:, idx].sum(axis=1).reshape(len(STRENGTHS) + 1, replications)
    b = totals[-1]
    curve = {k: float(t.mean() / b.mean() - 1)
             for k, t in zip(STRENGTHS, totals[:-1], strict=True)}
    t = totals[STRENGTHS.index(1.0)]
    logr = np.log(t / b)
    lo_k, hi_k = PRIOR_RANGE
    sd_prior = abs(math.log1p(curve[lo_k]) - math.log1p(curve[hi_k])) / (2 * 1.645)
    sd_rep = float(np.std(logr, ddof=1)) if replications > 1 else float("nan")
    return {"effect": curve[1.0], "p5": float(np.expm1(np.percentile(logr, 5))),
            "p95": float(np.expm1(np.percentile(logr, 95))),
            "sd_log": float(math.sqrt(sd_rep**2 + sd_prior**2)), "sd_replications_log": sd_rep,
            "sd_prior_log": sd_prior,
            "strength_curve": {f"{k:g}": v for k, v in curve.items()},
            "with_team_per_year": float(t.mean() / len(idx)),
            "without_team_per_year": float(b.mean() / len(idx)),
            "years": _span(POST), "replications": replications, "seed": seed,
            "design": "history 2017-2022 with the programmes that ran (drivers.toml) against "
                      "the same history without them, same seeds; team inputs are the "
                      "scenario's priors (studies elsewhere), never fitted to the record; "
                      "also run at 0, 0.5 and 2 times the incapacitation priors (arrests of "
                      "known offenders, identification): the priors' range enters the "
                      "prediction's sd"}


def strength_after_record(curve: dict[str, float], after_record: float) -> dict[str, Any]:
    """The strength k whose model effect equals the estimate after the record.

    Linear interpolation of log(1 + effect) over the strengths run; bounded by them: when
    even k = 0 (patrol only) gives a larger drop than the record allows, k is 0 and
    ``bounded`` says so (the model's team cannot do less without changing its patrol).
    """
    ks = sorted(float(k) for k in curve)
    ys = [math.log1p(curve[f"{k:g}"]) for k in ks]
    target = math.log1p(after_record)
    if target >= max(ys):
        k, bounded = ks[int(np.argmax(ys))], "low"
    elif target <= min(ys):
        k, bounded = ks[int(np.argmin(ys))], "high"
    else:
        k, bounded = float("nan"), ""
        for i in range(len(ks) - 1):
            (k0, y0), (k1, y1) = (ks[i], ys[i]), (ks[i + 1], ys[i + 1])
            if min(y0, y1) <= target <= max(y0, y1) and y0 != y1:
                k = k0 + (target - y0) / (y1 - y0) * (k1 - k0)
                break
    return {"strength": round(k, 4), "bounded": bounded,
            "effect_at_strength": math.expm1(float(np.interp(k, ks, ys))),
            "method": "the strength of the team's incapacitation inputs (1 = priors) whose "
                      "history effect over the team years equals the estimate after the "
                      "record; linear in log(1 + effect) between the strengths run"}


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
                      "(variance over replications and the priors' range) and the record's "
                      "DiD against the other gemeenten (variance: placebos' plus choices of "
                      "years); normal "
                      "approximation, 90% interval"}


def team_study(city: str = "amstelveen", *, replications: int = 10, seed: int = 42,
               workers: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The whole study, JSON-able: observed, simulated, posterior."""
    obs = observed()
    sim = simulated(city, replications=replications, seed=seed, workers=workers,
                    progress=progress)
    post = posterior(sim, obs)
    k = strength_after_record(sim["strength_curve"], post["after_record"])
    k["inputs"] = team_inputs(city, k["strength"])
    return {"key": "record_team", "kind": "natural experiment",
            "source": "CBS/Politie 47018NED 2012-2023 (data/police, data/drivers/01)",
            "observed": obs, "simulated": sim, "posterior": post, "team_after_record": k}
