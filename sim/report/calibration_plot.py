"""The calibration figure: observed vs simulated per target, per wijk and per year.

Top rows: one panel per named target (observed value or range, the validation
replications, their mean and 5–95%, z) and, when predicted, the former interventieteam's
effect beside the reported changes. Bottom row: per wijk (horizontal bars, so every wijk's
full name fits) and per year. In Dutch (``calibration_fit.png``) or English
(``calibration_fit_en.png``): :func:`plot_fits` writes both.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.analysis.calibration.result import CalibrationResult  # noqa: E402

TITLES = {
    "level": "Woninginbraken per year",
    "attempt_share": "Attempt share",
    "clearance_rate": "Clearance rate",
    "in_act_share": "Arrests in the act",
    "knox_ratio": "Knox ratio (≤200 m, ≤14 days)",
    "seasonal_ratio": "Nov–Feb vs Mar–Oct per day",
    "holiday_ratio": "Christmas holiday vs year",
    "concentration": "Share in top 10% of cells with burglary",
    "top5_share": "Share in top 5% of home cells",
    "rank_stability": "Rank stability (year to year)",
}
TITLES_NL = {
    "level": "Woninginbraken per jaar",
    "attempt_share": "Aandeel pogingen",
    "clearance_rate": "Ophelderingspercentage",
    "in_act_share": "Aanhoudingen op heterdaad",
    "knox_ratio": "Knox-ratio (≤200 m, ≤14 dagen)",
    "seasonal_ratio": "Nov–feb t.o.v. mrt–okt per dag",
    "holiday_ratio": "Kerstvakantie t.o.v. jaar",
    "concentration": "Aandeel in top 10% cellen met inbraak",
    "top5_share": "Aandeel in top 5% woningcellen",
    "rank_stability": "Stabiliteit van de rangorde (jaar op jaar)",
}
#: The figure's words; the English ones are the keys' meaning.
WORDS = {
    "en": {"accepted": "accepted range", "observed": "observed", "reps": "simulated replications",
           "mean": "simulated mean, 5–95%", "fits": "fits", "out": "OUT",
           "team": "Team effect {a}–{b} (%), predicted",
           "reported": "◆ reported (before/after, weak evidence)",
           "sim_mean": "simulated mean", "p595": "5–95%", "obs_police": "observed (police export)",
           "no_wijk": "no per-wijk observations: pass a police export with --police",
           "per_year": "woninginbraken per year", "per_wijk": "Per wijk (baseline)",
           "sim_year": "simulated year, 5–95%", "fitted": "observed, fitted",
           "held": "observed, held out", "unused": "observed, unused",
           "yearly": "Yearly level: fit and hold-out",
           "title": "Calibration of {city}: observed vs simulated ({n} validation "
                    "replications)\nloss {loss}; global fit J = {j} on {df} df{p}"},
    "nl": {"accepted": "aanvaard bereik", "observed": "waargenomen",
           "reps": "gesimuleerde replicaties", "mean": "gesimuleerd gemiddelde, 5–95%",
           "fits": "past", "out": "BUITEN", "team": "Effect team {a}–{b} (%), voorspeld",
           "reported": "◆ gerapporteerd (voor/na, zwak bewijs)",
           "sim_mean": "gesimuleerd gemiddelde", "p595": "5–95%",
           "obs_police": "waargenomen (politiecijfers)",
           "no_wijk": "geen waarnemingen per wijk: geef een politie-export met --police",
           "per_year": "woninginbraken per jaar", "per_wijk": "Per wijk (huidige inzet)",
           "sim_year": "gesimuleerd jaar, 5–95%", "fitted": "waargenomen, gefit",
           "held": "waargenomen, achtergehouden", "unused": "waargenomen, niet gebruikt",
           "yearly": "Niveau per jaar: fit en controlejaar",
           "title": "Kalibratie van {city}: waargenomen en gesimuleerd ({n} "
                    "validatiereplicaties)\nverlies {loss}; totale fit J = {j} bij {df} "
                    "vrijheidsgraden{p}"},
}
FILES = {"nl": "calibration_fit.png", "en": "calibration_fit_en.png"}
PCT = ("attempt_share", "clearance_rate", "in_act_share", "concentration", "top5_share")
SIM, OBS, OK = "#1f77b4", "black", "#c7e9c0"
PANELS_PER_ROW = 5


def _target_panel(ax: plt.Axes, res: CalibrationResult, name: str, lang: str = "en") -> None:
    w = WORDS[lang]
    s = res.stats[name]
    reps = res.per_rep(name)
    reps = reps[np.isfinite(reps)]
    tg = res.targets.targets[name]
    scale = 100.0 if name in PCT else 1.0
    if tg.range is not None:
        lo, hi = tg.range
    elif tg.relative:
        lo, hi = tg.value * (1 - tg.accept), tg.value * (1 + tg.accept)
    else:
        lo, hi = tg.value - tg.accept, tg.value + tg.accept
    ax.axhspan(lo * scale, hi * scale, color=OK, label=w["accepted"])
    if tg.range is None:
        ax.axhline(tg.value * scale, color=OBS, lw=2, label=w["observed"])
    rng = np.random.default_rng(0)
    ax.scatter(rng.uniform(-0.15, 0.15, reps.size), reps * scale, s=10, color=SIM, alpha=0.45,
               label=w["reps"])
    ax.errorbar([0.35], [s["simulated"] * scale],
                yerr=[[(s["simulated"] - s["p5"]) * scale], [(s["p95"] - s["simulated"]) * scale]],
                fmt="o", color=SIM, capsize=4, label=w["mean"])
    ax.set_xlim(-0.5, 0.7)
    ax.set_xticks([])
    unit = " (%)" if name in PCT else ""
    titles = TITLES_NL if lang == "nl" else TITLES
    ax.set_title(f"{titles.get(name, name)}{unit}", fontsize=10)
    ax.text(0.02, 0.02, f"z = {s['z']:+.2f}  {w['fits'] if s['accepted'] else w['out']}",
            transform=ax.transAxes, fontsize=8, color="darkgreen" if s["accepted"] else "red")
    vals = np.concatenate([reps * scale, [lo * scale, hi * scale]])
    pad = 0.15 * (vals.max() - vals.min() + 1e-9)
    ax.set_ylim(vals.min() - pad, vals.max() + pad)


def _prediction_panel(ax: plt.Axes, res: CalibrationResult, lang: str = "en") -> None:
    w = WORDS[lang]
    pr = res.prediction
    a, b = pr["measured_years"]
    ax.errorbar([0.0], [pr["predicted"] * 100],
                yerr=[[(pr["predicted"] - pr["p5"]) * 100], [(pr["p95"] - pr["predicted"]) * 100]],
                fmt="o", color=SIM, capsize=4)
    vals = [pr["p5"] * 100, pr["p95"] * 100, 0.0]
    for i, (years, r) in enumerate(pr["reported"].items()):
        ax.scatter([0.4 + 0.2 * i], [r["reported"] * 100], marker="D", color=OBS, zorder=3)
        ax.annotate(years, (0.4 + 0.2 * i, r["reported"] * 100), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
        vals.append(r["reported"] * 100)
    ax.axhline(0, color="gray", lw=0.8)
    ax.set_xlim(-0.5, 1.0)
    ax.set_xticks([])
    pad = 0.15 * (max(vals) - min(vals) + 1e-9)
    ax.set_ylim(min(vals) - pad, max(vals) + pad)
    ax.set_title(w["team"].format(a=a, b=b), fontsize=9)
    ax.text(0.02, 0.02, w["reported"], transform=ax.transAxes,
            fontsize=7, color="dimgray")


def _wijk_panel(ax: plt.Axes, res: CalibrationResult, lang: str = "en") -> None:
    """Per wijk, horizontal bars: the code's last digits and the full name fit on the left."""
    w = WORDS[lang]
    pw = res.per_wijk()
    names = {wk.code: res.cal.city.label(i) for i, wk in enumerate(res.cal.city.wijken)}
    codes = list(pw)
    y = np.arange(len(codes))
    sim = np.array([pw[c]["simulated"] for c in codes])
    err = np.array([[pw[c]["simulated"] - pw[c]["p5"] for c in codes],
                    [pw[c]["p95"] - pw[c]["simulated"] for c in codes]])
    ax.barh(y, sim, color=SIM, alpha=0.6, label=w["sim_mean"])
    ax.errorbar(sim, y, xerr=err, fmt="none", color=SIM, capsize=3, label=w["p595"])
    obs = [(pw[c]["observed"], i) for i, c in enumerate(codes) if "observed" in pw[c]]
    if obs:
        ax.scatter(*zip(*obs, strict=True), marker="D", color=OBS, zorder=3,
                   label=w["obs_police"])
    else:
        ax.text(0.98, 0.02, w["no_wijk"], transform=ax.transAxes, ha="right", fontsize=8,
                color="dimgray")
    labels = [f"{c[-2:]} {names.get(c, '')}" if names.get(c, c) != c else c for c in codes]
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(w["per_year"])
    ax.set_title(w["per_wijk"], fontsize=10)
    ax.legend(fontsize=7, loc="best")


def _year_panel(ax: plt.Axes, res: CalibrationResult, lang: str = "en") -> None:
    w = WORDS[lang]
    t = res.targets
    years = np.asarray(res.val.reps["years"], dtype=float).ravel()
    obs = t.level_observed
    xs = sorted(obs)
    lo, hi = min(xs) - 0.5, max(xs) + 0.5
    p5, p95 = np.percentile(years, [5, 95])
    ax.fill_between([lo, hi], p5, p95, color=SIM, alpha=0.2, label=w["sim_year"])
    ax.hlines(years.mean(), lo, hi, color=SIM, label=w["sim_mean"])
    fit = [y for y in xs if y in t.fit_years]
    ax.scatter(fit, [obs[y] for y in fit], color=OBS, zorder=3, label=w["fitted"])
    held = [y for y in xs if y == t.holdout_year]
    if held:
        ax.scatter(held, [obs[y] for y in held], facecolor="white", edgecolor="red", zorder=3,
                   s=50, label=w["held"])
    other = [y for y in xs if y not in fit and y not in held]
    if other:
        ax.scatter(other, [obs[y] for y in other], color="gray", zorder=3, label=w["unused"])
    ax.set_xticks(xs)
    ax.set_xlim(lo, hi)
    ax.set_title(w["yearly"], fontsize=10)
    ax.set_ylabel(w["per_year"])
    ax.legend(fontsize=7, loc="lower left")


def plot_fit(res: CalibrationResult, path: Path, lang: str = "en") -> Path:
    """Write the figure in ``lang`` ('nl' or 'en') to ``path`` (PNG) and return the path."""
    fig = fit_figure(res, lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def fit_figure(res: CalibrationResult, lang: str = "en") -> plt.Figure:
    """The calibration figure in ``lang`` (the caller closes it)."""
    w = WORDS[lang]
    names = [n for n in res.stats if n in res.targets.targets]  # per-wijk shares: below
    panels = len(names) + (1 if res.prediction else 0)
    n = max(min(panels, PANELS_PER_ROW), 3)
    rows = -(-panels // n)
    n_wijken = len(res.per_wijk())
    bottom = max(4.6, 0.28 * n_wijken + 1.2)  # a bar per wijk, its name readable
    fig = plt.figure(figsize=(3.0 * n, 3.6 * rows + bottom), layout="constrained")
    gs = fig.add_gridspec(rows + 1, n, height_ratios=[3.6] * rows + [bottom])
    for i, name in enumerate(names):
        _target_panel(fig.add_subplot(gs[i // n, i % n]), res, name, lang)
    if res.prediction:
        i = len(names)
        _prediction_panel(fig.add_subplot(gs[i // n, i % n]), res, lang)
    split = max(1, n - 2)
    _wijk_panel(fig.add_subplot(gs[rows, :split], label="wijk"), res, lang)
    _year_panel(fig.add_subplot(gs[rows, split:], label="year"), res, lang)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    # below the panels: the (long, left-aligned) title keeps the top to itself
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    sm = res.summary
    p_text = f", p = {sm['p']:.3g}" if sm["df"] > 0 else ""
    fig.suptitle(w["title"].format(city=Path(res.targets.city).name,
                                   n=res.validation_replications, loss=f"{res.loss:.2f}",
                                   j=f"{sm['j']:.1f}", df=sm["df"], p=p_text),
                 fontsize=11, x=0.01, ha="left")
    return fig


def plot_fits(res: CalibrationResult, folder: Path) -> dict[str, Path]:
    """Both languages into ``folder``: calibration_fit.png (Dutch), calibration_fit_en.png."""
    return {lang: plot_fit(res, Path(folder) / name, lang) for lang, name in FILES.items()}
