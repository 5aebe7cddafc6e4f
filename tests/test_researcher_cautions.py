"""Issue 22.9: cautions where the numbers are read, in the terminal and on the figure.

A sweep or heat map from fewer than 5 replications, Sobol from too small a sample, Morris
from too few trajectories (each with its rule); a robustness table that drops its ranges at
a narrow terminal says so in its headers, and a cost per prevented burglary is '–' where on
average none were prevented.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
from rich.console import Console
from test_sweep_output import _grid, _run, ishigami

from sim.analysis.caution import (
    MIN_MORRIS_TRAJECTORIES,
    MIN_REPLICATIONS,
    MIN_SOBOL_N,
    analysis_caution,
    morris_caution,
    replication_caution,
    sobol_caution,
)
from sim.analysis.sensitivity_figures import figures
from sim.cli.robustness import _print
from sim.report.overlap import overlaps


def test_the_rules():
    assert replication_caution(MIN_REPLICATIONS, "en") is None
    assert "Use --replications 5" in replication_caution(1, "en")
    assert sobol_caution(MIN_SOBOL_N, 0.05, "en") is None
    assert "n ≥ 256" in sobol_caution(MIN_SOBOL_N, 0.3, "en"), "wide intervals warn too"
    assert "verhoog --n" in sobol_caution(8, 0.05, "nl").lower()
    assert morris_caution(MIN_MORRIS_TRAJECTORIES, "en") is None
    assert "Campolongo" in morris_caution(4, "nl")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_heat_map_and_sobol_figures_carry_their_caution(tmp_path, lang):
    table, res = _grid("woninginbraken_per_year", [float(v) for v in range(9)])
    res.replications = 2
    pi = [-math.pi, math.pi]
    sobol = _run(tmp_path, "sobol", ishigami, ["x1", "x2", "x3"], [(pi, "")] * 3, ["y"], n=4)
    assert analysis_caution(sobol, "y", lang)
    for r in (res, sobol):
        drawn = list(figures(r, lang))
        assert drawn
        for stem, fig in drawn:
            cautions = [t for t in fig.texts if t.get_gid() == "caution"]
            assert len(cautions) == 1, stem
            text = cautions[0].get_text().replace("\n", " ")
            assert ("5" in text and "replicati" in text) or "256" in text, text
            assert not overlaps(fig), f"{stem}: {overlaps(fig)}"
            plt.close(fig)
    res.replications = MIN_REPLICATIONS
    for _, fig in figures(res, lang):
        assert not [t for t in fig.texts if t.get_gid() == "caution"]
        plt.close(fig)


def _robustness(prevented: float) -> dict:
    def o(mean: float) -> dict:
        return {"mean": mean, "low": mean - 10, "high": mean + 10}

    pol = [{"name": name, "share_best": 0.5, "regret_max": 3.0, "regret_p90": 2.0,
            "outcomes": {"woninginbraken_per_year": o(400.0), "prevented_per_year": o(p),
                         "cost_per_prevented_eur": o(94_082.0)}}
           for name, p in (("baseline", 0.0), ("interventieteam", prevented))]
    return {"criterion": "woninginbraken_per_year", "worlds": 16, "lower_is_better": True,
            "reference": "baseline", "policies": pol, "pairwise": []}


def _printed(res: dict, width: int) -> str:
    con = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    _print(res, con)
    return con.export_text()


def test_robustness_table_drops_ranges_and_their_header_together():
    wide = _printed(_robustness(40.0), 200)
    assert "(90%)" in wide and "(30 – 50)" in wide and "94,082" in wide
    narrow = _printed(_robustness(40.0), 100)
    assert "(90%)" not in narrow.split("A beats B")[0], "no '(90%)' over means only"
    assert "(mean)" in narrow and "(30 – 50)" not in narrow and "means only" in narrow


def test_negative_prevented_shows_no_cost_per_prevented():
    text = _printed(_robustness(-5.0), 200)
    assert "94,082" not in text, "€ per prevented is meaningless when none were prevented"


def test_sensitivity_tables_are_preceded_by_their_caution(tmp_path, capsys):
    pi = [-math.pi, math.pi]
    sobol = _run(tmp_path, "sobol", ishigami, ["x1", "x2", "x3"], [(pi, "")] * 3, ["y"], n=4)
    from sim.cli.sweep import print_analysis

    con = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    print_analysis(sobol, con, "en", "ishigami")
    err = capsys.readouterr().err.replace("\n", " ")
    assert "n ≥ 256" in err and "here n = 4" in err
