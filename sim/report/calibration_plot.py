"""The calibration figure: observed vs simulated per target, per wijk and per year.

Top rows: one panel per named target (observed value or range, the validation
replications, their mean and 5–95%, z) and, when predicted, the former interventieteam's
effect beside the reported changes. Bottom row: per wijk and per year.
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
PCT = ("attempt_share", "clearance_rate", "in_act_share", "concentration", "top5_share")
SIM, OBS, OK = "#1f77b4", "black", "#c7e9c0"
PANELS_PER_ROW = 5


def _target_panel(ax: plt.Axes, res: CalibrationResult, name: str) -> None:
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
    ax.axhspan(lo * scale, hi * scale, color=OK, label="accepted range")
    if tg.range is None:
        ax.axhline(tg.value * scale, color=OBS, lw=2, label="observed")
    rng = np.random.default_rng(0)
    ax.scatter(rng.uniform(-0.15, 0.15, reps.size), reps * scale, s=10, color=SIM, alpha=0.45,
               label="simulated replications")
    ax.errorbar([0.35], [s["simulated"] * scale],
                yerr=[[(s["simulated"] - s["p5"]) * scale], [(s["p95"] - s["simulated"]) * scale]],
                fmt="o", color=SIM, capsize=4, label="simulated mean, 5–95%")
    ax.set_xlim(-0.5, 0.7)
    ax.set_xticks([])
    unit = " (%)" if name in PCT else ""
    ax.set_title(f"{TITLES.get(name, name)}{unit}", fontsize=10)
    ax.text(0.02, 0.02, f"z = {s['z']:+.2f}  {'fits' if s['accepted'] else 'OUT'}",
            transform=ax.transAxes, fontsize=8, color="darkgreen" if s["accepted"] else "red")
    vals = np.concatenate([reps * scale, [lo * scale, hi * scale]])
    pad = 0.15 * (vals.max() - vals.min() + 1e-9)
    ax.set_ylim(vals.min() - pad, vals.max() + pad)


def _prediction_panel(ax: plt.Axes, res: CalibrationResult) -> None:
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
    ax.set_title(f"Team effect {a}–{b} (%), predicted", fontsize=9)
    ax.text(0.02, 0.02, "◆ reported (before/after, weak evidence)", transform=ax.transAxes,
            fontsize=7, color="dimgray")


def _wijk_panel(ax: plt.Axes, res: CalibrationResult) -> None:
    pw = res.per_wijk()
    names = {w.code: res.cal.city.label(i) for i, w in enumerate(res.cal.city.wijken)}
    codes = list(pw)
    x = np.arange(len(codes))
    sim = np.array([pw[c]["simulated"] for c in codes])
    err = np.array([[pw[c]["simulated"] - pw[c]["p5"] for c in codes],
                    [pw[c]["p95"] - pw[c]["simulated"] for c in codes]])
    ax.bar(x, sim, color=SIM, alpha=0.6, label="simulated mean")
    ax.errorbar(x, sim, yerr=err, fmt="none", color=SIM, capsize=3, label="5–95%")
    obs = [(i, pw[c]["observed"]) for i, c in enumerate(codes) if "observed" in pw[c]]
    if obs:
        ax.scatter(*zip(*obs, strict=True), marker="D", color=OBS, zorder=3,
                   label="observed (police export)")
    else:
        ax.text(0.5, 0.93, "no per-wijk observations: pass a police export with --police",
                transform=ax.transAxes, ha="center", fontsize=8, color="dimgray")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{c[-2:]} {names.get(c, '')[:18]}" for c in codes], rotation=45,
                       ha="right", fontsize=7)
    ax.set_ylabel("woninginbraken per year")
    ax.set_title("Per wijk (baseline)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")


def _year_panel(ax: plt.Axes, res: CalibrationResult) -> None:
    t = res.targets
    years = np.asarray(res.val.reps["years"], dtype=float).ravel()
    obs = t.level_observed
    xs = sorted(obs)
    lo, hi = min(xs) - 0.5, max(xs) + 0.5
    p5, p95 = np.percentile(years, [5, 95])
    ax.fill_between([lo, hi], p5, p95, color=SIM, alpha=0.2, label="simulated year, 5–95%")
    ax.hlines(years.mean(), lo, hi, color=SIM, label="simulated mean")
    fit = [y for y in xs if y in t.fit_years]
    ax.scatter(fit, [obs[y] for y in fit], color=OBS, zorder=3, label="observed, fitted")
    held = [y for y in xs if y == t.holdout_year]
    if held:
        ax.scatter(held, [obs[y] for y in held], facecolor="white", edgecolor="red", zorder=3,
                   s=50, label="observed, held out")
    other = [y for y in xs if y not in fit and y not in held]
    if other:
        ax.scatter(other, [obs[y] for y in other], color="gray", zorder=3, label="observed, unused")
    ax.set_xticks(xs)
    ax.set_xlim(lo, hi)
    ax.set_title("Yearly level: fit and hold-out", fontsize=10)
    ax.set_ylabel("woninginbraken per year")
    ax.legend(fontsize=7, loc="lower left")


def plot_fit(res: CalibrationResult, path: Path) -> Path:
    """Write the figure to ``path`` (PNG) and return the path."""
    names = [n for n in res.stats if n in res.targets.targets]  # per-wijk shares: below
    panels = len(names) + (1 if res.prediction else 0)
    n = max(min(panels, PANELS_PER_ROW), 3)
    rows = -(-panels // n)
    fig = plt.figure(figsize=(3.0 * n, 3.6 * rows + 4.6), layout="constrained")
    gs = fig.add_gridspec(rows + 1, n, height_ratios=[1] * rows + [1.15])
    for i, name in enumerate(names):
        _target_panel(fig.add_subplot(gs[i // n, i % n]), res, name)
    if res.prediction:
        i = len(names)
        _prediction_panel(fig.add_subplot(gs[i // n, i % n]), res)
    split = max(1, n - 2)
    _wijk_panel(fig.add_subplot(gs[rows, :split]), res)
    _year_panel(fig.add_subplot(gs[rows, split:]), res)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", ncol=4, fontsize=8, frameon=False)
    sm = res.summary
    p_text = f", p = {sm['p']:.3g}" if sm["df"] > 0 else ""
    fig.suptitle(f"Calibration of {Path(res.targets.city).name}: observed vs simulated "
                 f"({res.validation_replications} validation replications)\nloss "
                 f"{res.loss:.2f}; global fit J = {sm['j']:.1f} on {sm['df']} df{p_text}",
                 fontsize=11, x=0.01, ha="left")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
