"""The web server of ``sim serve``: Solara's Starlette app under uvicorn, production mode.

It listens on 127.0.0.1 unless told otherwise; the page (:mod:`sim.serve.app`) reads what
to show from the environment (:data:`sim.serve.target.TARGET_ENV`).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import warnings
from collections.abc import Callable

from sim.core.errors import UserError
from sim.serve.target import TARGET_ENV, Target

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def check_port(host: str, port: int) -> None:
    """Refuse a host that cannot be listened on, or a port already in use (UserError)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UserError(f"'{host}' is not a host name or address this machine can listen on "
                        f"({exc}); the default is {DEFAULT_HOST}.", field="--host") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE (Linux, macOS, Windows)
                raise UserError(f"port {port} on {host} is in use; choose another with "
                                "--port.", field="--port") from None
            raise UserError(f"cannot listen on {host}:{port} ({exc.strerror}).",
                            field="--host") from None


def _solara_environment() -> None:
    """Solara settings read from the environment when it is imported: quiet, production."""
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_VARIANT", "light")
    os.environ["SOLARA_APP"] = "sim.serve.page"


def warm_up(target: Target) -> None:
    """Load what the first page needs (the page module, the city) before anyone asks."""
    import sim.serve.app  # noqa: F401  (Solara, Mesa's SolaraViz, matplotlib)

    if target.kind == "live":
        from sim.serve.live import choose

        choose(target.ref)


def serve(target: Target, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the page until interrupted (Ctrl-C); ``on_ready(url)`` once it listens."""
    check_port(host, port)
    # Solara warns on every visit over plain http that it cannot set a samesite=none cookie
    # (only for pages embedded in an iframe, which this one is not)
    warnings.filterwarnings("ignore", message="Cookies with samesite")
    os.environ[TARGET_ENV] = target.to_env()
    _solara_environment()
    import uvicorn

    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                            log_level="warning", access_log=False, lifespan="on",
                            ws_max_size=64 * 1024 * 1024)
    server = uvicorn.Server(config)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            if on_ready is not None:
                on_ready(url)
            warm_up(target)  # after the server listens: it must not slow the start

    # uvicorn runs in a thread and this thread waits for Ctrl-C or SIGTERM itself: however
    # the process was started (a shell's background job ignores SIGINT), both stop it.
    thread = threading.Thread(target=server.run, name="wijksim-server", daemon=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        thread.start()
        threading.Thread(target=announce, daemon=True).start()
        while thread.is_alive():
            thread.join(0.25)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(timeout=5)
        server.force_exit = True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started and not server.should_exit:
        raise UserError(f"the server could not start on {host}:{port} (see the messages "
                        "above).", field="--host")
