"""The web server of ``sim serve``: Solara's Starlette app under uvicorn, production mode.

It listens on 127.0.0.1. Another address is a decision: it is refused unless
``allow_remote``, and then every request needs a random token (:mod:`sim.serve.access`).
The page (:mod:`sim.serve.app`) reads what to show, and the session limits, from the
environment (:data:`sim.serve.target.TARGET_ENV`, :data:`sim.serve.access.LIMITS_ENV`).
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import threading
import time
import warnings
from collections.abc import Callable

from sim.core.errors import UserError
from sim.serve.access import (
    DEFAULT_IDLE_MINUTES,
    DEFAULT_MAX_SESSIONS,
    LIMITS_ENV,
    TokenGate,
    limits_env,
    new_token,
)
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


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is this machine only (127.0.0.0/8, ::1)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback
                               for info in infos)


def check_remote(host: str, allow_remote: bool) -> None:
    """Refuse an address other machines can reach, unless ``allow_remote`` (UserError)."""
    if not allow_remote and not is_loopback(host):
        raise UserError(f"'{host}' lets other machines reach this page; add --allow-remote to "
                        f"allow that (an access token is then required), or keep the default "
                        f"{DEFAULT_HOST}.", field="--host")


def remote_links(host: str, port: int, token: str) -> tuple[str, str]:
    """(the link with the token, who can reach it) for a non-loopback ``host``."""
    every = host in ("0.0.0.0", "::", "")
    shown = socket.gethostname() if every else host
    shown = f"[{shown}]" if ":" in shown else shown
    who = ("anyone who can reach this machine on any of its networks, port "
           f"{port}" if every else f"anyone who can reach {host}, port {port}")
    return f"http://{shown}:{port}/?token={token}", who


def solara_environment(idle_minutes: float = DEFAULT_IDLE_MINUTES) -> None:
    """Solara settings read from the environment when it is imported: quiet, production.

    Solara's own "Loading app" card and "This website runs on Solara" banner are replaced by
    a plain loader without the banner; a page left without a browser ends after the idle
    timeout (Solara's kernel cull), a page that is closed at once. Solara reads these once,
    when it is first imported: call this before anything imports it.
    """
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_VARIANT", "light")
    os.environ["SOLARA_THEME_LOADER"] = "plain"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ["SOLARA_THEME_TITLE"] = "Wijksim"
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = f"{max(1, round(idle_minutes * 60))}s"
    os.environ["SOLARA_APP"] = "sim.serve.page"


def warm_up(target: Target) -> None:
    """Load what the first page needs (the page module, the city) before anyone asks."""
    import sim.serve.app  # noqa: F401  (Solara, Mesa's SolaraViz, matplotlib)

    if target.kind == "live":
        from sim.serve.live import choose

        choose(target.ref)


def serve(target: Target, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          on_ready: Callable[[str], None] | None = None, *, allow_remote: bool = False,
          token: str | None = None, max_sessions: int = DEFAULT_MAX_SESSIONS,
          idle_minutes: float = DEFAULT_IDLE_MINUTES) -> None:
    """Serve the page until interrupted (Ctrl-C); ``on_ready(url)`` once it listens.

    A non-loopback ``host`` needs ``allow_remote``; every request then needs ``token`` (a
    new random one when None), and ``url`` carries it.
    """
    check_remote(host, allow_remote)
    check_port(host, port)
    remote = not is_loopback(host)
    if remote and token is None:
        token = new_token()
    # Solara warns on every visit over plain http that it cannot set a samesite=none cookie
    # (only for pages embedded in an iframe, which this one is not)
    warnings.filterwarnings("ignore", message="Cookies with samesite")
    os.environ[TARGET_ENV] = target.to_env()
    os.environ[LIMITS_ENV] = limits_env(max_sessions, idle_minutes)
    solara_environment(idle_minutes)
    import uvicorn
    from solara.server.starlette import app as solara_app

    app = TokenGate(solara_app, token) if token else solara_app
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="on", ws_max_size=4 * 1024 * 1024)
    server = uvicorn.Server(config)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    if token:
        url = remote_links(host, port, token)[0]

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
