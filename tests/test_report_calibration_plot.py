"""calibration_fit.png in Dutch and English, every wijk's full name readable (issue 15, item 3).

A tiny calibration through the real command (as tests/test_calibrate.py runs it, about 5 s)
on a copy of Amstelveen whose wijken carry long names; the figure is then drawn again
from the same result and its wijk labels are measured.
"""

from __future__ import annotations

import csv

import matplotlib.pyplot as plt
from conftest import invoke_cli
from test_calibrate import FIX, MINI, make_city

import sim.report.calibration_plot as cp

LONG = "Bankras-Kostverloren en de Omliggende Buurten"


def test_calibration_figure_in_both_languages_with_full_wijk_names(tmp_path, capsys,
                                                                    monkeypatch):
    city = make_city(tmp_path, MINI)
    path = city / "wijken.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for i, r in enumerate(rows):
        r["name"] = f"{LONG} {i + 1}"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    seen = {}
    original = cp.plot_fits

    def keep(res, folder):  # noqa: ANN001, ANN202
        seen["res"] = res
        return original(res, folder)

    monkeypatch.setattr(cp, "plot_fits", keep)
    code, out, err = invoke_cli(["calibrate", str(city), "--police",
                                 str(FIX / "police_labelled_comma.csv"), "--workers", "1",
                                 "--results", str(tmp_path / "res")], capsys, monkeypatch)
    assert code == 0, err
    for name in ("calibration_fit.png", "calibration_fit_en.png"):
        assert (city / name).stat().st_size > 10_000, f"{name} written"
    assert "calibration_fit_en.png" in "".join(out.split()), "the command names both files"
    for lang, title, ylabel in (("nl", "Per wijk (huidige inzet)", "Kalibratie van"),
                                ("en", "Per wijk (baseline)", "Calibration of")):
        fig = cp.fit_figure(seen["res"], lang)
        try:
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            ax = next(a for a in fig.axes if a.get_label() == "wijk")
            assert ax.get_title() == title
            assert fig._suptitle.get_text().startswith(ylabel)
            labels = [t for t in ax.get_yticklabels() if t.get_text()]
            assert len(labels) == len(rows), "one label per wijk"
            for t, r in zip(labels, rows, strict=True):
                assert t.get_text().endswith(r["name"]), f"full name: {t.get_text()!r}"
                box = t.get_window_extent(renderer)
                assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, f"cut off: {t.get_text()!r}"
        finally:
            plt.close(fig)
