"""sim serve in a real browser: Playwright driving Debian's Chromium.

Skipped, with the reason, when Playwright (``pip install -e '.[dev]'``) or Chromium
(``apt-get install chromium``) is missing. Each server runs in a subprocess on a free port
and is always stopped.
"""

from __future__ import annotations

import importlib.util
import time

import pytest

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


#: Mesa's and Solara's English labels that the Dutch view must not show (issue 22.6).
ENGLISH = ["Controls", "Play Interval", "Render Interval", "Use Threads", "Model Parameters",
           "PAGE 0", "This website runs on", "Reset", "Step", "Prevented", "Burglaries"]


def console_problems(page) -> list[str]:  # noqa: ANN001
    """Collect console errors and failed requests of ``page`` from now on (a live list)."""
    found: list[str] = []
    page.on("console", lambda m: found.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("response", lambda r: found.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("requestfailed", lambda r: found.append(f"failed {r.url}"))
    return found


def test_22_6_the_dutch_projector_view(live, browser):
    """No English control visible, the map at least half of 1920 px, sliders with values and
    units, a real comparison from the start, prevented only once demonstrable."""
    print(f"server answered after {live.ready_s:.2f} s")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    problems = console_problems(page)
    open_live(page, live)
    text = page.locator("body").inner_text()
    visible = [w for w in ENGLISH if w.lower() in text.lower()]
    assert not visible, visible
    box = page.locator(".wijksim-map img").bounding_box()
    print(f"map: {box['width']:.0f} x {box['height']:.0f} px at 1920x1080")
    assert box["width"] >= 960
    labels = page.locator(".wijksim-lever .v-label").all_inner_texts()
    assert len(labels) == 5 and all(":" in lb and any(u in lb for u in ("fte", "uur", "jaar",
                                                                           "per gebied"))
                                    for lb in labels), labels
    totals = page.locator(".wijksim-totals").inner_text()
    assert "interventieteam" in totals and "huidige inzet" in totals
    assert total(page, "prevented") == "nog niet aantoonbaar"
    assert total(page, "cost_per_prevented") == "nog niet aantoonbaar"
    assert "Stadshart" in page.locator(".wijksim-wijken").inner_text()  # names, not codes
    assert not problems, problems
    page.close()


def test_moving_a_slider_and_playing_changes_the_totals(live, page):
    open_live(page, live)
    assert hours(page) == 0 and total(page, "woninginbraken") == "0"
    lever = page.locator(".wijksim-lever-team_fte")
    lever.get_by_role("slider").focus()
    for _ in range(4):  # 4 -> 6 FTE in steps of 0.5
        page.keyboard.press("ArrowRight")
    lever.locator(".v-label:has-text('Interventieteam: 6 fte')").wait_for(timeout=TIMEOUT_MS)
    page.locator(".wijksim-apply").click()
    page.wait_for_selector(".wijksim-settings:has-text('interventieteam 6 fte')",
                           timeout=TIMEOUT_MS)
    assert "(aangepast)" in page.locator(".wijksim-totals").inner_text()
    page.locator(".wijksim-play").click()
    page.wait_for_function("() => Number(document.querySelector('.wijksim-status')"
                           "?.dataset.hours) > 0", timeout=TIMEOUT_MS)
    h0, t0 = hours(page), time.perf_counter()
    time.sleep(6)
    h1, t1 = hours(page), time.perf_counter()
    weeks = (h1 - h0) / WEEK_HOURS
    print(f"playing: {weeks:.0f} weeks in {t1 - t0:.1f} s = {(t1 - t0) / max(weeks, 1):.2f} s/week")
    assert weeks >= 3
    start = time.perf_counter()
    page.locator(".wijksim-play").click()  # pause while playing
    page.locator(".wijksim-play:has-text('Afspelen')").wait_for(timeout=TIMEOUT_MS)
    print(f"pause while playing: {time.perf_counter() - start:.2f} s")
    page.locator(".wijksim-lang").click()
    page.wait_for_selector(".wijksim-totals:has-text('Prevented')", timeout=TIMEOUT_MS)
    assert int(total(page, "woninginbraken").replace(",", "")) > 0
    assert total(page, "cost").startswith("€") and total(page, "cost") != "€0"


def test_a_bad_upload_shows_one_dutch_error_and_the_server_keeps_running(live, page):
    open_live(page, live)
    page.locator(".wijksim-paste textarea").fill("[boa]\nburglary_patrol_share = 7\n")
    page.locator(".wijksim-load").click()
    error = page.locator(".wijksim-error")
    error.first.wait_for(timeout=TIMEOUT_MS)
    time.sleep(0.5)
    assert error.count() == 1  # once
    assert "regel 2: burglary_patrol_share = 7" in error.inner_text()
    assert "toegestaan" in error.inner_text()
    assert live.alive()
    page.locator(".wijksim-picker").click()  # a shipped one: the page still works
    page.locator(".v-menu__content.menuable__content__active .v-list-item",
                 has_text="politienorm").click()
    page.wait_for_selector(".wijksim-settings:has-text('wijkagenten 19 fte')",
                           timeout=TIMEOUT_MS)
    assert page.locator(".wijksim-error").count() == 0


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


def test_22_7_meeting_mode_opens_on_the_summary_and_loads_everything_locally(browser,
                                                                            comparison):
    with ServerProcess(str(comparison)) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems = console_problems(page)
        page.goto(server.url)
        page.locator(".wijksim-key-table").first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_selector(".wijksim-figure img", timeout=TIMEOUT_MS)
        assert page.locator(".wijksim-figure img").count() >= 5
        headings = page.locator(".wijksim-meeting h2").all_inner_texts()
        assert headings[0] == "In het kort", headings
        assert headings.index("6. Wat betekent de onzekerheid?") < headings.index("3. Kerntabel")
        text = page.locator("body").inner_text()
        assert "sim compare" not in text and "--out" not in text  # no command line
        assert "This website runs on" not in text
        assert "interventieteam" in page.locator(".wijksim-key-table").first.inner_text()
        time.sleep(1.0)
        assert not problems, problems  # no 404s (katex), no console errors
        page.locator(".wijksim-lang").click()
        page.wait_for_selector(".wijksim-key-table:has-text('Burglaries')", timeout=TIMEOUT_MS)
        page.close()


def _rss_mb(server: ServerProcess) -> float:
    import psutil

    return psutil.Process(server.proc.pid).memory_info().rss / 2**20


def _open_round(browser, server: ServerProcess, n: int) -> list:  # noqa: ANN001
    """``n`` sessions open at once (each page loaded before the next is opened)."""
    pages = []
    for _ in range(n):
        p = browser.new_page(viewport={"width": 1000, "height": 800})
        p.goto(server.url)
        p.wait_for_selector(".wijksim-totals", timeout=2 * TIMEOUT_MS)
        pages.append(p)
    return pages


def _settle(server: ServerProcess, seconds: float) -> float:
    time.sleep(seconds)
    return _rss_mb(server)


@pytest.mark.slow  # about two minutes: two rounds of eight sessions
def test_19_2_a_ninth_visitor_waits_and_closed_sessions_give_their_memory_back(browser, request):
    """Two rounds of 8 sessions, opened and closed: the server's memory returns near its start.

    (Issue 19: 437 -> 608 MB after two rounds of 8.) Closed pages end their session at once,
    give their place back and their runs' memory. What stays after the first round (about
    60 MB: Solara's widgets, matplotlib's caches, the threads' heaps) does not grow with
    further rounds.
    """
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("about two minutes: run with -m slow")
    with ServerProcess("--idle-minutes", "5") as server:
        for p in _open_round(browser, server, 1):  # imports, the city: loaded once
            p.close(run_before_unload=True)
        start = _settle(server, 4)
        peaks, ends = [], []
        for _round in range(2):
            pages = _open_round(browser, server, 8)
            ninth = browser.new_page()
            ninth.goto(server.url)
            ninth.locator(".wijksim-notice:has-text('Er kijken al 8 mensen mee')").wait_for(
                timeout=TIMEOUT_MS)
            peaks.append(_rss_mb(server))
            for p in [*pages, ninth]:
                p.close(run_before_unload=True)
            ends.append(_settle(server, 8))  # closed pages end their sessions at once
        print(f"server memory: start {start:.0f} MB; open {peaks[0]:.0f}, {peaks[1]:.0f}; "
              f"closed {ends[0]:.0f}, {ends[1]:.0f} MB")
        taken = peaks[0] - start
        # measured: start 371, open 521 / 540, closed 435 / 454 MB (the issue: +85 MB a round)
        assert ends[0] < peaks[0] - 0.4 * taken, "closed sessions kept their memory"
        assert ends[1] - ends[0] < 30.0, "a second round of 8 sessions grew the server"
        again = _open_round(browser, server, 1)[0]  # places were given back
        assert again.locator(".wijksim-totals").count() == 1
        again.close()
