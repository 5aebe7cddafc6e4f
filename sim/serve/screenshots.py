"""Screenshots of ``sim serve`` for the README (``make screenshots``), and browser helpers.

The browser tests share these helpers: a server in a subprocess, and Debian's Chromium
under Playwright.

Playwright is a development dependency (``pip install -e '.[dev]'``) and drives the
system's Chromium (``apt-get install chromium``): Playwright's own browser download is not
needed. Usage: ``python -m sim.serve.screenshots [--out docs/img] [--meeting FOLDER]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sim.core.errors import UserError
from sim.core.paths import ROOT

#: How long a server may take to answer (s); generous for busy machines.
START_TIMEOUT_S = 60.0
CHROMIUM_HINT = "apt-get install chromium (Debian/Ubuntu: the browser the tests drive)"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chromium() -> str | None:
    """The system's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class ServerProcess:
    """``sim serve TARGET`` in a subprocess on a free port; ``ready_s``: seconds to answer."""

    def __init__(self, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.args = [sys.executable, "-m", "sim", "serve", *args, "--port", str(self.port)]
        self.log = tempfile.TemporaryFile()
        self.proc: subprocess.Popen | None = None
        self.ready_s = float("nan")

    def __enter__(self) -> ServerProcess:
        start = time.perf_counter()
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        while time.perf_counter() - start < START_TIMEOUT_S:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"sim serve exited ({self.proc.returncode}): {self.output()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:  # noqa: S310 (local)
                    if r.status == 200:
                        self.ready_s = time.perf_counter() - start
                        return self
            except urllib.error.HTTPError:  # it answers, but wants the token (--allow-remote)
                self.ready_s = time.perf_counter() - start
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sim serve did not answer within {START_TIMEOUT_S:g} s: "
                           f"{self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """End the server (its own process group), however it behaves."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A headless Chromium (the system's) under Playwright."""
    from playwright.sync_api import sync_playwright

    path = chromium()
    if path is None:
        raise UserError(f"Chromium is not installed; {CHROMIUM_HINT}.")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def shoot_live(b, out: Path, scenario: str = "interventieteam", weeks: int = 40) -> None:  # noqa: ANN001
    """Play the live page for about ``weeks`` weeks, pause, and save a screenshot."""
    with ServerProcess(scenario) as server:
        page = b.new_page(viewport={"width": 1920, "height": 1080})  # a projector
        page.goto(server.url)
        page.wait_for_selector(".wijksim-totals", timeout=60_000)
        page.locator(".wijksim-play").click()
        page.wait_for_function(
            f"() => Number(document.querySelector('.wijksim-status')?.dataset.hours) >= "
            f"{weeks * 168}", timeout=300_000)
        page.locator(".wijksim-play").click()
        time.sleep(1.5)
        page.screenshot(path=str(out))


def shoot_meeting(b, out: Path, folder: Path) -> None:  # noqa: ANN001
    """The meeting page of a comparison folder."""
    with ServerProcess(str(folder)) as server:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url)
        page.wait_for_selector(".wijksim-key-table", timeout=60_000)
        page.wait_for_selector(".wijksim-figure img", timeout=60_000)
        time.sleep(1.0)
        page.screenshot(path=str(out))


def main(argv: list[str] | None = None) -> int:
    """Write serve.png and serve-meeting.png."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"))
    ap.add_argument("--meeting", default=str(ROOT / "results" / "council"),
                    help="a 'sim compare' folder (made in a temporary folder if absent)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with browser() as b, tempfile.TemporaryDirectory() as tmp:
            shoot_live(b, out / "serve.png")
            folder = Path(args.meeting)
            if not (folder / "comparison.json").is_file():
                folder = Path(tmp) / "council"
                subprocess.run([sys.executable, "-m", "sim", "compare", "baseline",
                                "interventieteam", "wijkregisseur", "-r", "2", "--years", "2",
                                "--out", str(folder)], cwd=ROOT, check=True,
                               stdout=subprocess.DEVNULL)
            shoot_meeting(b, out / "serve-meeting.png", folder)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out / 'serve.png'} and {out / 'serve-meeting.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
