"""Who may use ``sim serve``: an access token for remote use, a cap on sessions, idle ends.

* :class:`TokenGate` wraps the web app: with ``--allow-remote`` every request needs the
  random token, from the link (``?token=...``, then kept in a cookie) or the cookie.
* :class:`Sessions` admits at most ``--max-sessions`` browser sessions at a time; a visitor
  beyond that sees a Dutch message. A session that is closed, or idle for longer than
  ``--idle-minutes``, gives up its place, and its model is dropped; :func:`release_memory`
  then hands the freed memory back to the operating system.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

#: The cookie that keeps the token after the first visit through the link.
COOKIE = "wijksim_token"
DEFAULT_MAX_SESSIONS = 8
DEFAULT_IDLE_MINUTES = 30.0

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]],
                   Awaitable[None]]

DENIED_HTML = ("<!doctype html><html lang='nl'><meta charset='utf-8'><title>Wijksim</title>"
               "<body style='font-family:sans-serif;font-size:20px;margin:40px'>"
               "<h1>Geen toegang</h1><p>Deze pagina vraagt om de toegangscode: open de link "
               "met <code>?token=…</code> die <code>sim serve</code> bij het starten "
               "toonde.</p><p lang='en'>Access denied: open the link with the token that "
               "<code>sim serve</code> printed.</p></body></html>").encode()


def new_token() -> str:
    """A random access token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class TokenGate:
    """ASGI middleware: HTTP and websocket requests need the token (query or cookie)."""

    def __init__(self, app: ASGIApp, token: str):
        self.app, self.token = app, token

    def _allowed(self, scope: Scope) -> tuple[bool, bool]:
        """(allowed, from the query string)."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for given in query.get("token", []):
            if hmac.compare_digest(given.encode(), self.token.encode()):
                return True, True
        cookie = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                with contextlib.suppress(Exception):
                    cookie.load(value.decode("latin-1"))
        held = cookie.get(COOKIE)
        ok = held is not None and hmac.compare_digest(held.value.encode(), self.token.encode())
        return ok, False

    async def __call__(self, scope: Scope, receive, send) -> None:  # noqa: ANN001
        """Pass an allowed request on (setting the cookie from a link); refuse the rest."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        allowed, from_link = self._allowed(scope)
        if not allowed:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4403})
                return
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/html; charset=utf-8")]})
            await send({"type": "http.response.body", "body": DENIED_HTML})
            return
        if not from_link or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def send_with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def release_memory() -> None:
    """Collect garbage and return freed heap memory to the system (glibc's malloc_trim)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)


class Sessions:
    """The sessions admitted at once (at most ``limit``), each with its last activity.

    A session is a key (Solara's kernel id); :meth:`admit` is asked once per session,
    :meth:`touch` on every use, :meth:`idle` says when its time is up, :meth:`leave` ends it.
    """

    def __init__(self, limit: int = DEFAULT_MAX_SESSIONS,
                 idle_s: float = DEFAULT_IDLE_MINUTES * 60):
        self.limit, self.idle_s = limit, idle_s
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> bool:
        """Whether session ``key`` may start (or already runs)."""
        with self._lock:
            if key in self._last:
                return True
            if len(self._last) >= self.limit:
                return False
            self._last[key] = time.monotonic()
            return True

    def touch(self, key: str) -> None:
        """Note that session ``key`` was used now."""
        with self._lock:
            if key in self._last:
                self._last[key] = time.monotonic()

    def idle(self, key: str) -> bool:
        """Whether session ``key`` has been idle for longer than the timeout (or has ended)."""
        with self._lock:
            last = self._last.get(key)
        return last is None or time.monotonic() - last > self.idle_s

    def leave(self, key: str) -> None:
        """End session ``key``: its place is free (its memory goes with its page's state)."""
        with self._lock:
            self._last.pop(key, None)

    def count(self) -> int:
        """Sessions admitted now."""
        with self._lock:
            return len(self._last)


#: The environment variable that carries ``--max-sessions`` and ``--idle-minutes`` (JSON).
LIMITS_ENV = "WIJKSIM_SERVE_LIMITS"
_SESSIONS: Sessions | None = None


def limits_env(max_sessions: int, idle_minutes: float) -> str:
    """The JSON for :data:`LIMITS_ENV`."""
    return json.dumps({"max_sessions": max_sessions, "idle_s": idle_minutes * 60})


def sessions() -> Sessions:
    """The server's sessions (limits from :data:`LIMITS_ENV`, else the defaults)."""
    global _SESSIONS
    if _SESSIONS is None:
        try:
            limits = json.loads(os.environ.get(LIMITS_ENV, "{}"))
            _SESSIONS = Sessions(int(limits.get("max_sessions", DEFAULT_MAX_SESSIONS)),
                                 float(limits.get("idle_s", DEFAULT_IDLE_MINUTES * 60)))
        except (ValueError, TypeError, AttributeError):
            _SESSIONS = Sessions()
    return _SESSIONS
