"""What a user reads after `sim scenarios`, `sim sweep` and `sim sensitivity`, and in their figures.

Terminal: tables fit 100 columns with every name whole; a sweep ends with a summary of its
design points; sensitivity tables show readable parameter labels with units, numbers with
separators (never "2.25e+05", never "nan"), and Sobol estimates that cannot be right
(Sobol S1 < 0, S1 > ST) are warned about. Figures (checked through matplotlib's objects): axes
with units, a colour scale centred on zero for changes, euros formatted, blank cells
explained, Morris labels that do not overlap.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import invoke_cli
from rich.console import Console

from sim.analysis import readable as rd
from sim.analysis.design import load_design
from sim.analysis.experiment import Experiment, load_experiment
from sim.analysis.sensitivity import Analysis, analyze, outcome_matrix, sobol_problems
from sim.analysis.sensitivity_figures import MORRIS_TOP, fig_heatmap, fig_morris, fig_sobol
from sim.analysis.sweep import run_sweep
from sim.cli.sweep import print_analysis, sobol_warnings
from sim.model.scenario import known_scenarios
from sim.runs.executors import InlineExecutor
from sim.runs.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


# ---- sim scenarios ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_scenarios_fit_100_columns_with_every_name_and_cost_whole(lang):
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-m", "sim", "scenarios", "--lang", lang],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = _lines(proc.stdout)
    assert max(len(line) for line in lines) <= 100, "\n".join(lines)
    rows = [line for line in lines if line.startswith("│")]
    assert len(rows) >= len(known_scenarios()), "every scenario has its row"
    assert not any("…" in r for r in rows), "descriptions wrap within their cell, never cut"
    for name in known_scenarios():
        assert any(re.match(rf"│ {re.escape(name)} +│", r) for r in rows), f"{name} cut"
    money = "€449,920" if lang == "en" else "€\u00a0449.920"
    assert any(money in r for r in rows), "interventieteam: 4 x 1,406 h x €80, whole"
    note = next(line for line in lines if line.startswith("* gefaseerd"))
    for year in (2024, 2025, 2026, 2027):
        assert str(year) in note, "a cost that varies by year is listed per year"


def test_scenarios_at_60_columns_still_keep_names_and_costs(capsys, monkeypatch):
    from sim.cli.app import console

    monkeypatch.setattr(console, "_width", 60)
    code, out, _ = invoke_cli(["scenarios", "--lang", "en"], capsys, monkeypatch)
    assert code == 0
    assert max(len(line) for line in _lines(out)) <= 60
    for name in known_scenarios():
        assert re.search(rf"│ {re.escape(name)} +│", out), name
    assert "€475,000" in out, "the cost column is never dropped"


# ---- sim sweep: the summary ------------------------------------------------------------------
def test_sweep_ends_with_a_summary_of_its_design_points(tmp_path, capsys, monkeypatch):
    from sim.cli.app import console

    monkeypatch.setattr(console, "_width", 100)
    out = tmp_path / "cap"
    args = ["sweep", "capaciteit", "--years", "0.01", "-r", "1", "--workers", "1",
            "--out", str(out), "--lang", "en"]
    code, text, err = invoke_cli(args, capsys, monkeypatch)
    assert code == 0, err
    assert max(len(line) for line in _lines(text)) <= 100
    assert "the 5 lowest and 5 highest of 25 design points on woninginbraken per year" in text
    body = [line for line in _lines(text) if line.startswith("│")]
    assert len(body) == 10, "five lowest and five highest points"
    for header in ("(hours/year)", "(FTE)", "woninginbraken", "(€)", "(%)"):
        assert header in text, f"header with unit: {header}"
    assert "e+" not in text and "nan" not in text.lower()
    assert re.search(r"€\d{3},\d{3}", text), "extra cost as €450,000"
    assert "outcomes.csv" in text and "sim sensitivity capaciteit" in text
    # one replication per point: cautioned before the table (issue 22.9)
    assert "1 replication(s) per point" in err.replace("\n", " ")

    code, js, _ = invoke_cli([*args, "--json"], capsys, monkeypatch)  # a resume: no new runs
    assert code == 0
    summary = json.loads(js)["summary"]
    assert summary["shown"] == "extremes" and summary["design_points"] == 25
    shown = [p["woninginbraken_per_year"] for p in summary["points"]]
    with ResultStore(out, create=False) as store:
        y = outcome_matrix(store, load_design(store))["woninginbraken_per_year"]
    assert shown == sorted(shown), "lowest first"
    assert shown[:5] == sorted(y)[:5] and shown[-5:] == sorted(y)[-5:], "the true extremes"


# ---- sim sensitivity: tables -----------------------------------------------------------------
PARAMS = ["offenders.active_offenders", "boa.burglary_patrol_share",
          "wijkregisseur.contact_hours_to_network"]


#: Outcome names as a policies experiment writes them ("POLICY : OUTCOME"); with plain
#: reference outcomes a sweep would need the model's reference runs.
EXTRA, CLEAR, CPP = (f"interventieteam : {o}" for o in
                     ("extra_cost_eur_per_year", "clearance_rate", "cost_per_prevented_eur"))


def costly(values: dict[str, float], seed: int) -> dict[str, float]:
    """Euros in the hundreds of thousands; undefined (NaN) where nothing is prevented."""
    a = values["offenders.active_offenders"]
    share = values["boa.burglary_patrol_share"]
    hours = values["wijkregisseur.contact_hours_to_network"]
    return {EXTRA: 150_000 + 2_000 * a + 100 * hours * share, CLEAR: 0.05 + 0.2 * share,
            CPP: math.nan if share < 0.1 else 225_000 / share}


def _run(tmp_path, method: str, evaluate, names, bounds, outcomes, **design):
    exp = Experiment(name=f"t-{method}", outcomes=outcomes, master_seed=11,
                     design={"method": method, **design},
                     parameters=[{"path": n, "bounds": b, "unit": u}
                                 for n, (b, u) in zip(names, bounds, strict=True)])
    with ResultStore(tmp_path) as store:
        assert run_sweep(exp, store, InlineExecutor(), evaluate=evaluate).complete
        design = load_design(store)
        return analyze(design, outcome_matrix(store, design), num_resamples=50)


BOUNDS = [([30, 60], "offenders"), ([0.05, 0.3], "share of boa hours"),
          ([400, 1600], "contact hours")]


@pytest.mark.parametrize("method,design", [("morris", {"trajectories": 6, "levels": 4}),
                                           ("sobol", {"n": 16}), ("lhs", {"n": 20})])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_sensitivity_tables_are_readable(tmp_path, method, design, lang):
    res = _run(tmp_path, method, costly, PARAMS, BOUNDS,
               [EXTRA, CLEAR, CPP],
               **design)
    res.parameters = {p: {"unit": u} for p, (_, u) in zip(PARAMS, BOUNDS, strict=True)}
    con = Console(width=100, record=True, color_system=None)
    print_analysis(res, con, lang)
    text = con.export_text()
    assert max(len(line) for line in _lines(text)) <= 100
    assert "nan" not in text.lower() and "e+" not in text and "…" not in text
    for p in PARAMS:
        assert rd.parameter_label(p, lang) in text, f"label whole: {p}"
        assert p not in text, "no dotted paths"
    assert "offenders)" in text or "inbrekers)" in text, "units beside the labels"
    # the undefined outcome is left out, and the reason is said
    why = "no burglaries prevented" if lang == "en" else "geen voorkomen inbraken"
    assert why in " ".join(text.split())
    if method == "morris":  # μ* in euros: separators, no exponent, Dutch format in nl
        money = r"€\d{1,3}(,\d{3})+" if lang == "en" else r"€\u00a0\d{1,3}(\.\d{3})+"
        assert re.search(money, text), text[:2000]


def test_a_grid_table_shows_a_dash_for_an_undefined_cell_and_explains_it():
    table = pd.DataFrame({"interventieteam.fte": [0, 0, 4, 4],
                          "boa.burglary_patrol_hours_per_year": [2000, 9000, 2000, 9000],
                          "cost_per_prevented_eur": [math.nan, 224_999.0, 47_512.0, 31_000.0]})
    table.attrs["parameters"] = ["interventieteam.fte", "boa.burglary_patrol_hours_per_year"]
    res = Analysis("grid", tables={"grid": table}, replications=3)
    for lang, money, why in (("en", "€225,000", "no burglaries prevented"),
                             ("nl", "€\u00a047.500", "geen voorkomen inbraken")):
        con = Console(width=100, record=True, color_system=None)
        print_analysis(res, con, lang, "capaciteit")
        text = con.export_text()
        assert money in text and "nan" not in text.lower() and "e+" not in text
        assert re.search(r"│ +– │", text), "the undefined cell shows a dash"
        assert f"–: {'undefined' if lang == 'en' else 'niet gedefinieerd'} ({why})" in text


# ---- Sobol: impossible estimates are warned about ------------------------------------------------
def ishigami(values: dict[str, float], seed: int) -> dict[str, float]:
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


def linear(values: dict[str, float], seed: int) -> dict[str, float]:
    return {"y": 4 * values["x1"] + 2 * values["x2"] + values["x3"]}


def test_sobol_with_too_few_samples_warns_and_says_to_raise_n(tmp_path):
    pi = [-math.pi, math.pi]
    res = _run(tmp_path, "sobol", ishigami, ["x1", "x2", "x3"], [(pi, "")] * 3, ["y"], n=4)
    table = res.tables["sobol"]
    negative = sorted(table.loc[table["S1"] < -0.005, "parameter"])
    assert negative, "Sobol n = 4 on Ishigami gives a negative S1 (deterministic: seed 11)"
    assert len(res.warnings) == 1
    w = res.warnings[0]
    assert w["outcome"] == "y" and sorted(w["negative"]) == negative and w["n"] == 4
    lines = sobol_warnings(res, "en")
    assert len(lines) == 1 and "raise --n" in lines[0]
    assert "negative S1" in lines[0], "the Sobol warning names what is wrong"
    assert "n = 4" in lines[0]
    assert "verhoog --n" in sobol_warnings(res, "nl")[0]


def test_well_behaved_sobol_gives_no_warning(tmp_path):
    res = _run(tmp_path, "sobol", linear, ["x1", "x2", "x3"], [([0, 1], "")] * 3, ["y"],
               n=256)
    table = res.tables["sobol"].set_index("parameter")
    assert table.loc["x1", "S1"] == pytest.approx(16 / 21, abs=0.05), "the analytic S1"
    assert res.warnings == [] and sobol_warnings(res, "en") == []


def test_sobol_problems_flags_negative_s1_and_s1_above_st():
    neg, above = sobol_problems(["a", "b", "c", "d"], np.array([-0.2, 0.5, 0.3, -0.001]),
                                np.array([0.1, 0.4, 0.3, 0.0]))
    assert neg == ["a"] and above == ["b"], "rounding noise (c, d) is not an error"


# ---- figures ----------------------------------------------------------------------------------
def _grid(outcome: str, values: list[float]) -> tuple[pd.DataFrame, Analysis]:
    levels = list(itertools.product([2000, 6327, 12000], [0, 4, 8]))
    table = pd.DataFrame(levels, columns=["boa.burglary_patrol_hours_per_year",
                                          "interventieteam.fte"])
    table[outcome] = values
    table.attrs["parameters"] = list(table.columns[:2])
    return table, Analysis("grid", tables={"grid": table}, replications=3,
                           parameters={"interventieteam.fte": {"unit": "FTE"}})


def _colorbar_axis(fig):  # noqa: ANN001, ANN202
    return fig.axes[1].yaxis


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_heatmap_of_a_change_is_diverging_and_centred_on_zero(lang):
    import matplotlib.pyplot as plt

    values = [12.0, -3.0, -30.0, 5.0, 0.0, -8.0, 1.0, -2.0, -4.0]
    table, res = _grid("change_vs_reference_pct", values)
    fig = fig_heatmap(table, "change_vs_reference_pct", lang, res)
    ax = fig.axes[0]
    im = ax.images[0]
    assert im.norm.vmin == -im.norm.vmax == -30.0, "centred on zero"
    assert im.cmap.name.startswith("RdBu"), "a diverging colour map"
    assert "(fte)" in ax.get_xlabel().lower() and ("(hours/year)" in ax.get_ylabel()
                                           or "(uur/jaar)" in ax.get_ylabel())
    assert _colorbar_axis(fig).get_major_formatter()(-20) == "−20%"
    assert ax.get_yticklabels()[1].get_text() == ("6.327" if lang == "nl" else "6,327")
    plt.close(fig)

    table, res = _grid("woninginbraken_per_year", [400 + v for v in values])
    fig = fig_heatmap(table, "woninginbraken_per_year", lang, res)
    im = fig.axes[0].images[0]
    assert im.norm.vmin == 370 and im.norm.vmax == 412, "a level: its own range, sequential"
    plt.close(fig)


@pytest.mark.parametrize("lang,expect,why", [
    ("nl", "€\u00a0300.000", "leeg (–): niet gedefinieerd (geen voorkomen inbraken)"),
    ("en", "€300,000", "blank (–): undefined (no burglaries prevented)")])
def test_heatmap_formats_euros_and_explains_blank_cells(lang, expect, why):
    import matplotlib.pyplot as plt

    values = [math.nan, 299_947.0, 120_000.0, 80_000.0, math.nan, 47_512.0, 30_000.0,
              25_000.0, 410_000.0]
    table, res = _grid("cost_per_prevented_eur", values)
    fig = fig_heatmap(table, "cost_per_prevented_eur", lang, res)
    ax = fig.axes[0]
    assert _colorbar_axis(fig).get_major_formatter()(299_947) == expect
    cells = [t.get_text() for t in ax.texts]
    assert expect in cells, "cell values rounded and formatted as euros"
    assert cells.count("–") == 2, "a blank cell shows a dash"
    notes = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "blank-note"]
    assert notes == [why]
    plt.close(fig)


def _morris_table() -> pd.DataFrame:
    names = [p.path for p in load_experiment("morris-screening").parameters]
    rng = np.random.default_rng(3)
    mu_star = rng.uniform(0, 60, len(names))
    mu_star[:5] = [50.0, 50.2, 50.4, 50.6, 50.8]  # nearly equal: labels would pile up
    return pd.DataFrame({"outcome": "woninginbraken_per_year", "parameter": names,
                         "mu": mu_star, "mu_star": mu_star, "mu_star_conf": mu_star / 4,
                         "sigma": mu_star / 2})


def _overlaps(boxes: list) -> list[tuple[int, int]]:
    return [(i, j) for i, j in itertools.combinations(range(len(boxes)), 2)
            if boxes[i].overlaps(boxes[j])]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_morris_labels_do_not_overlap(lang):
    import matplotlib.pyplot as plt

    table = _morris_table()
    res = Analysis("morris", tables={"morris": table})
    fig = fig_morris(table, "woninginbraken_per_year", lang, res)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) == MORRIS_TOP, "the largest μ* only"
    boxes = [t.get_window_extent() for t in labels]
    assert not _overlaps(boxes), "parameter labels overlap"
    texts = {t.get_text() for t in labels}
    for p in table.nlargest(MORRIS_TOP, "mu_star")["parameter"]:
        assert rd.parameter_label(p, lang) in texts, "whole labels, never a cut path"
    assert ax.get_xlim()[0] == 0, "μ* is never negative"
    legend = ax.get_legend().get_window_extent()
    assert not any(legend.overlaps(b) for b in boxes)
    assert not legend.overlaps(ax.title.get_window_extent()), "legend clear of the title"
    plt.close(fig)


def test_sobol_figure_shows_the_warning_clear_of_labels_and_legend(tmp_path):
    import matplotlib.pyplot as plt

    pi = [-math.pi, math.pi]
    res = _run(tmp_path, "sobol", ishigami, ["x1", "x2", "x3"], [(pi, "")] * 3, ["y"], n=4)
    fig = fig_sobol(res.tables["sobol"], "y", "en", res)
    fig.canvas.draw()
    ax = fig.axes[0]
    warn = [t for t in ax.texts if t.get_gid() == "sobol-warning"]
    assert len(warn) == 1 and "raise --n" in warn[0].get_text().replace("\n", " ")
    others = [ax.title, ax.xaxis.label, ax.get_legend(), *ax.get_yticklabels()]
    box = warn[0].get_window_extent()
    assert not any(box.overlaps(o.get_window_extent()) for o in others)
    plt.close(fig)
