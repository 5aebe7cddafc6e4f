"""sim serve in a real browser: Playwright driving Debian's Chromium.

Skipped, with the reason, when Playwright (``pip install -e '.[dev]'``) or Chromium
(``apt-get install chromium``) is missing. Each server runs in a subprocess on a free port
and is always stopped.
"""

from __future__ import annotations

import importlib.util
import io
import time

import numpy as np
import pytest

from sim.serve.live import shipped_scenarios
from sim.serve.screenshots import CHROMIUM_HINT, ServerProcess, chromium

if importlib.util.find_spec("playwright") is None:
    pytest.skip("browser tests skipped: Playwright is not installed (pip install -e '.[dev]')",
                allow_module_level=True)
if chromium() is None:
    pytest.skip(f"browser tests skipped: Chromium is not installed; to run them: {CHROMIUM_HINT}",
                allow_module_level=True)

TIMEOUT_MS = 60_000  # generous: the machines running these are shared
WEEK_HOURS = 168


@pytest.fixture(scope="module")
def browser():
    from sim.serve.screenshots import browser as make_browser

    with make_browser() as b:
        yield b


@pytest.fixture(scope="module")
def live():
    with ServerProcess() as server:
        yield server


@pytest.fixture
def page(browser):
    p = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield p
    p.close()


def open_live(page, server: ServerProcess) -> float:
    start = time.perf_counter()
    page.goto(server.url)
    page.wait_for_selector(".wijksim-totals", timeout=TIMEOUT_MS)
    return time.perf_counter() - start


def hours(page) -> int:
    return int(page.locator(".wijksim-status").get_attribute("data-hours"))


def total(page, key: str) -> str:
    return page.locator(f'td[data-key="{key}"]').inner_text().strip()


def test_page_answers_and_the_picker_lists_the_shipped_scenarios(live, page):
    print(f"server answered after {live.ready_s:.2f} s")
    assert live.ready_s < 20  # the issue asks < 5 s; measured ≈ 3-4 s (see the report)
    open_live(page, live)
    assert "Woninginbraken" in page.locator(".wijksim-totals").inner_text()  # Dutch default
    page.locator(".wijksim-picker").click()
    menu = page.locator(".v-menu__content.menuable__content__active")
    menu.wait_for(timeout=TIMEOUT_MS)
    listed = [t.strip() for t in menu.locator(".v-list-item").all_inner_texts()]
    assert set(shipped_scenarios()) <= set(listed)
    page.keyboard.press("Escape")


def test_moving_a_slider_and_playing_changes_the_totals(live, page):
    open_live(page, live)
    assert hours(page) == 0 and total(page, "woninginbraken") == "0"
    slider = page.get_by_role("slider", name="Interventieteam (fte)")
    slider.focus()
    for _ in range(8):  # 0 -> 4 FTE in steps of 0.5
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_selector(".wijksim-settings:has-text('interventieteam 4 fte')",
                           timeout=TIMEOUT_MS)
    assert "(aangepast)" in page.locator(".wijksim-totals").inner_text()
    page.get_by_role("button", name="▶").click()
    page.wait_for_function("() => Number(document.querySelector('.wijksim-status')"
                           "?.dataset.hours) > 0", timeout=TIMEOUT_MS)
    h0, t0 = hours(page), time.perf_counter()
    time.sleep(6)
    h1, t1 = hours(page), time.perf_counter()
    weeks = (h1 - h0) / WEEK_HOURS
    print(f"playing: {weeks:.0f} weeks in {t1 - t0:.1f} s = {(t1 - t0) / max(weeks, 1):.2f} s/week")
    assert weeks >= 3  # the issue asks < 1 s a week; measured ≈ 0.3-0.5 s
    # the interface answers while the model plays: pause
    start = time.perf_counter()
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for(timeout=TIMEOUT_MS)
    print(f"pause while playing: {time.perf_counter() - start:.2f} s")
    page.locator(".wijksim-lang").click()
    page.wait_for_selector(".wijksim-totals:has-text('Prevented')", timeout=TIMEOUT_MS)
    assert int(total(page, "woninginbraken").replace(",", "")) > 0
    assert total(page, "arrests") != "0"
    assert total(page, "cost").startswith("€") and total(page, "cost") != "€0"


def test_the_map_renders(live, page):
    open_live(page, live)
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("() => Number(document.querySelector('.wijksim-status')"
                           "?.dataset.hours) >= 168", timeout=TIMEOUT_MS)
    shot = page.locator(".wijksim-map img").screenshot()
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50, "the map is blank"


def test_a_bad_scenario_file_shows_a_message_and_the_server_keeps_running(live, page, tmp_path):
    bad = tmp_path / "kapot.toml"
    bad.write_text("[boa]\nburglary_patrol_share = 7\n", encoding="utf-8")
    open_live(page, live)
    page.locator(".wijksim-file input").fill(str(bad))
    page.locator(".wijksim-load").click()
    error = page.locator(".wijksim-scenario-error")
    error.wait_for(timeout=TIMEOUT_MS)
    assert "kapot.toml" in error.inner_text() and "burglary_patrol_share" in error.inner_text()
    assert live.alive()
    page.locator(".wijksim-picker").click()  # back to a good one: the page still works
    page.locator(".v-menu__content.menuable__content__active .v-list-item",
                 has_text="politienorm").click()
    page.wait_for_selector(".wijksim-settings:has-text('wijkagenten 19 fte')",
                           timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    import subprocess
    import sys

    from sim.core.paths import ROOT

    out = tmp_path_factory.mktemp("serve") / "council"
    subprocess.run([sys.executable, "-m", "sim", "compare", "baseline", "interventieteam",
                    "-r", "2", "--years", "0.25", "--burn-in", "0", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return out


def test_meeting_mode_shows_the_key_table_and_figures(browser, comparison):
    with ServerProcess(str(comparison)) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url)
        table = page.locator(".wijksim-key-table").first
        table.wait_for(timeout=TIMEOUT_MS)
        text = table.inner_text()
        assert "interventieteam" in text and "Woninginbraken" in text
        page.wait_for_selector(".wijksim-figure img", timeout=TIMEOUT_MS)
        assert page.locator(".wijksim-figure img").count() >= 5
        page.locator(".wijksim-lang").click()
        page.wait_for_selector(".wijksim-key-table:has-text('Burglaries')", timeout=TIMEOUT_MS)
        page.close()
