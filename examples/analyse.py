"""Load a comparison into pandas and redraw the report's figure 1 (notebook style).

Run it on the folder of a ``sim compare``:

    sim compare baseline interventieteam wijkregisseur -r 10 --out results/cmp
    python examples/analyse.py results/cmp            # writes results/cmp/analyse_fig1.png

Each ``# %%`` block is a cell: paste them into Jupyter one by one, or run the file. The
tables are the tidy ones of ``sim export`` (every column is documented in
docs/results.md); nothing here reads Wijksim's internals.
"""

# %% Imports and the folder to read
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

DAYS_PER_YEAR = 365  # the model's years are 365 days from 1 January of start_year


# %% Load the tidy tables (sim export writes them; the store stays the source of truth)
def load(folder: Path) -> dict[str, pd.DataFrame]:
    """The tidy tables of a results folder: runs, metrics, daily, events."""
    from sim.analysis.tidy import tidy_tables  # the same tables `sim export` writes

    return tidy_tables(folder)


# %% Burglaries per scenario and simulated year, per replication
def yearly(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per scenario, replication and year: the woninginbraken of that year.

    Days without a burglary are absent from ``daily``: the sum is right, but replications
    without any burglary in a year must get a 0 explicitly (``reindex``).
    """
    runs = tables["runs"].set_index("run_id")
    start = runs["params_json"].map(lambda p: json.loads(p)["start_year"])
    daily = tables["daily"].copy()
    daily["year"] = daily["run_id"].map(start) + daily["day"] // DAYS_PER_YEAR
    counts = daily.groupby(["run_id", "year"])["woninginbraken"].sum()
    years = range(int(start.min()), int(start.min() + np.ceil(runs["years"].max())))
    full = pd.MultiIndex.from_product([runs.index, years], names=["run_id", "year"])
    out = counts.reindex(full, fill_value=0).rename("woninginbraken").reset_index()
    return out.join(runs[["scenario", "replication"]], on="run_id")


# %% Mean over the replications with its 90% interval (Student t), as the report does
def mean_interval(per_year: pd.DataFrame, level: float = 0.90) -> pd.DataFrame:
    """Per scenario and year: mean, low and high of the 90% interval of the mean."""
    def ci(x: pd.Series) -> pd.Series:
        n, m, sd = len(x), x.mean(), x.std(ddof=1)
        half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        return pd.Series({"mean": m, "low": m - half, "high": m + half, "n": n})

    return (per_year.groupby(["scenario", "year"])["woninginbraken"].apply(ci)
            .unstack().reset_index())


# %% Figure 1: woninginbraken per year, one line per scenario with its 90% interval
def figure(table: pd.DataFrame, path: Path) -> Path:
    """Draw the table like the report's figure 1 (without the observed years) into path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    for i, (name, part) in enumerate(table.groupby("scenario", sort=False)):
        x = part["year"] + 0.08 * i
        ax.errorbar(x, part["mean"], yerr=[part["mean"] - part["low"],
                                           part["high"] - part["mean"]],
                    marker="o", capsize=4, label=name)
    ax.set_xlabel("jaar")
    ax.set_ylabel("woninginbraken per jaar")
    ax.set_xticks(sorted(table["year"].unique()))
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    ax.set_title("Woninginbraken per jaar: gemiddelde met 90%-interval")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# %% Run it
def main(argv: list[str]) -> int:
    """``python examples/analyse.py FOLDER [OUT.png]``."""
    if not argv:
        print("usage: python examples/analyse.py FOLDER [OUT.png]", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    table = mean_interval(yearly(load(folder)))
    print(table.round(1).to_string(index=False))
    out = figure(table, Path(argv[1]) if len(argv) > 1 else folder / "analyse_fig1.png")
    print(f"figure: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
