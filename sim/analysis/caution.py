"""When a sweep or a sensitivity analysis is too small to trust, and the rule that says so.

The warnings are shown where the numbers are read: before the terminal table and on the
figure itself (never only at the end of the output).

Rules:

* a sweep's design points, or a response heat map, from fewer than
  :data:`MIN_REPLICATIONS` replications per point: one run's yearly count moves by tens of
  burglaries by chance alone, so neighbouring points can order themselves by luck;
* Sobol indices need a base sample of at least :data:`MIN_SOBOL_N` (Saltelli et al. 2010
  use N in the hundreds to thousands) *and* 95% intervals of ST no wider than
  ±:data:`MAX_SOBOL_CONF`; below that the indices have not settled (S1 may even fall below
  0 or above ST);
* Morris screening needs at least :data:`MIN_MORRIS_TRAJECTORIES` trajectories
  (Campolongo, Cariboni & Saltelli 2007 use r = 10 to 20) for a stable ranking by μ*.
"""

from __future__ import annotations

import math

MIN_REPLICATIONS = 5
MIN_SOBOL_N = 256
MAX_SOBOL_CONF = 0.1
MIN_MORRIS_TRAJECTORIES = 10

TEXT = {
    "nl": {
        "reps": "Let op: {r} replicatie(s) per punt; onder {m} kan het toeval de volgorde van "
                "naburige punten bepalen (één run schommelt tientallen inbraken per jaar). "
                "Gebruik --replications {m} of meer.",
        "sobol": "Let op: Sobol-indices zijn pas stabiel vanaf n ≥ {m} en een 95%-interval "
                 "van ST van hoogstens ±{c}; hier n = {n}, grootste interval ±{w}. Verhoog "
                 "--n.",
        "morris": "Let op: een Morris-rangorde is pas stabiel vanaf {m} trajecten "
                  "(Campolongo e.a. 2007: 10–20); hier {r}. Verhoog --trajectories.",
    },
    "en": {
        "reps": "Caution: {r} replication(s) per point; below {m}, chance can decide the order "
                "of neighbouring points (one run moves by tens of burglaries a year). Use "
                "--replications {m} or more.",
        "sobol": "Caution: Sobol indices are stable only from n ≥ {m} with a 95% interval of "
                 "ST of at most ±{c}; here n = {n}, widest interval ±{w}. Raise --n.",
        "morris": "Caution: a Morris ranking is stable only from {m} trajectories "
                  "(Campolongo et al. 2007: 10–20); here {r}. Raise --trajectories.",
    },
}


def _t(lang: str, key: str, **kw: object) -> str:
    return TEXT[lang if lang in TEXT else "en"][key].format(**kw)


def replication_caution(replications: int, lang: str) -> str | None:
    """The warning for a sweep or heat map from too few replications per point, or None."""
    if replications >= MIN_REPLICATIONS:
        return None
    return _t(lang, "reps", r=replications, m=MIN_REPLICATIONS)


def sobol_caution(n: int | None, widest_conf: float, lang: str) -> str | None:
    """The warning for Sobol indices from too small a sample (or too wide intervals)."""
    wide = math.isfinite(widest_conf) and widest_conf > MAX_SOBOL_CONF
    if (n or 0) >= MIN_SOBOL_N and not wide:
        return None
    w = f"{widest_conf:.2f}" if math.isfinite(widest_conf) else "?"
    return _t(lang, "sobol", m=MIN_SOBOL_N, c=f"{MAX_SOBOL_CONF:.2f}", n=n or 0, w=w)


def morris_caution(trajectories: int, lang: str) -> str | None:
    """The warning for a Morris screening with too few trajectories, or None."""
    if trajectories >= MIN_MORRIS_TRAJECTORIES:
        return None
    return _t(lang, "morris", m=MIN_MORRIS_TRAJECTORIES, r=trajectories)


def analysis_caution(res, outcome: str | None, lang: str) -> str | None:  # noqa: ANN001
    """The caution for one outcome of a sensitivity analysis (method-specific), or None."""
    if res.method == "grid":
        return replication_caution(res.replications, lang)
    if res.method == "sobol":
        table = res.tables.get("sobol")
        part = table if table is None or outcome is None else table[table["outcome"] == outcome]
        widest = float(part["ST_conf"].max()) if part is not None and len(part) else math.nan
        return sobol_caution(res.samples, widest, lang)
    if res.method == "morris":
        return morris_caution(res.samples or 0, lang)
    return None
