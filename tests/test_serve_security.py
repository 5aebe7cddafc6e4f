"""sim serve touches only what it was given (issue 19, items 1, 2 and 11).

The live page is rendered in this process (Solara's own renderer, the widgets the browser
would drive), so an audit hook sees every file the server opens while it is attacked.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import invoke_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.paths import ROOT
from sim.model.scenario import Scenario
from sim.serve.access import COOKIE, Sessions, TokenGate
from sim.serve.live import Message
from sim.serve.upload import scenario_from_upload

SECRET = "wijksim-secret-token-3f9a"
SEED_LABEL = "Toevalsgetal (zelfde getal, zelfde uitkomst)"

# ---- an audit of the files this process opens -----------------------------------------------
_OPENED: list[str] = []
_RECORDING = threading.Event()


def _audit(event: str, args: tuple) -> None:
    if _RECORDING.is_set() and event == "open" and args and isinstance(args[0], (str, Path)):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)  # a hook cannot be removed; it records only while asked to


class opened_files:  # noqa: N801 — used as a context manager
    """Record the paths opened inside the block (``.paths``)."""

    def __enter__(self):
        _OPENED.clear()
        _RECORDING.set()
        return self

    def __exit__(self, *exc):
        _RECORDING.clear()
        self.paths = list(_OPENED)


#: Where a live page may read: the shipped scenarios and cities, the installed packages
#: (lazy imports, fonts), matplotlib's cache and the system's own files (/dev, /proc, /sys).
ALLOWED = [ROOT / "scenarios", ROOT / "calibration", ROOT / "sim", Path(sys.prefix),
           Path(sys.base_prefix), Path("/usr"), Path("/dev"), Path("/proc"), Path("/sys"),
           Path.home() / ".cache", Path.home() / ".config", Path("/etc/fonts"),
           Path("/tmp/matplotlib")]


def outside_shipped(paths: list[str]) -> list[str]:
    """The opened paths outside :data:`ALLOWED`."""
    out = []
    for raw in paths:
        p = Path(raw)
        p = p if p.is_absolute() else Path.cwd() / p
        p = Path(str(p.resolve()) if p.exists() else str(p))
        if not any(p.is_relative_to(a.resolve()) for a in ALLOWED):
            out.append(raw)
    return out


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "secret.toml"
    p.write_text(f'name = "{SECRET}"\ntoken = "{SECRET}"\n', encoding="utf-8")
    return p


# ---- 19.1: uploads are content, extends and city only shipped -------------------------------
def test_19_1_an_upload_cannot_make_the_server_read_a_path(secret_file):
    attacks = [f'extends = "{secret_file}"\n', 'extends = "/etc/passwd"\n',
               'extends = "../scenarios/baseline.toml"\n', f'city = "{secret_file.parent}"\n',
               'city = "../../etc"\n', 'city = "/etc"\n', "extends = 3\n"]
    with opened_files() as probe:  # the audit would see such a read
        secret_file.read_text()
    assert outside_shipped(probe.paths) == [str(secret_file)]
    for text in attacks:
        with opened_files() as rec:
            got = scenario_from_upload("plan.toml", text.encode())
        assert isinstance(got, Message), text
        assert SECRET not in got.text + got.text_en
        assert str(secret_file) not in rec.paths and "/etc/passwd" not in rec.paths
        assert not outside_shipped(rec.paths), (text, rec.paths)
        assert "\n" not in got.text and len(got.text) < 400  # one line


def test_19_1_extends_a_shipped_scenario_works_and_names_come_from_the_upload():
    got = scenario_from_upload("../../mijn plan.toml",
                               b'extends = "interventieteam"\n[interventieteam]\nfte = 6\n')
    assert isinstance(got, Scenario), got
    assert got.interventieteam.fte == 6 and got.name == "mijn-plan"
    assert got.wijkagenten.fte == 14  # the rest from the shipped scenario


def test_19_1_an_error_quotes_only_the_first_offending_line_of_the_upload():
    text = ('description = "vertrouwelijk A"\n[boa]\nfte = 30\nburglary_patrol_share = 7\n'
            'duty_start_hour = 99\n')
    got = scenario_from_upload("kapot.toml", text.encode())
    assert isinstance(got, Message)
    assert "regel 4: burglary_patrol_share = 7" in got.text
    assert "vertrouwelijk" not in got.text and "duty_start_hour = 99" not in got.text
    assert got.text.startswith("kapot.toml: ") and "toegestaan: 0 tot 1" in got.text
    bad_toml = scenario_from_upload("x.toml", b'name = "ok"\nthis is = = not toml\n')
    assert "regel 2: this is = = not toml" in bad_toml.text
    assert "UTF-8" in scenario_from_upload("x.toml", b"\xff\xfe\x00").text
    assert "te groot" in scenario_from_upload("x.toml", b"#" * 70_000).text


# ---- 19.1 + 19.11: the live page, attacked through its own widgets --------------------------
@pytest.fixture(scope="module")
def live_page():
    import ipyvuetify as v
    import solara

    from sim.serve import app

    box, rc = solara.render(app.LivePage("interventieteam"), handle_error=False)
    yield rc, v
    rc.close()


def _click(rc, v, text: str) -> None:  # noqa: ANN001
    rc.find(v.Btn, children=[text]).widget.click()


def test_19_1_the_live_page_has_no_field_for_a_server_path(live_page):
    rc, v = live_page
    labels = [w.label for w in rc.find(v.TextField).widgets + rc.find(v.Textarea).widgets]
    assert labels and not any("pad" in (lb or "").lower() or "path" in (lb or "").lower()
                              for lb in labels), labels


PATHS = st.sampled_from(["/etc/passwd", "/etc/shadow", "../../etc/hosts", "~/.ssh/id_rsa",
                         "C:\\Windows\\win.ini", "/proc/self/environ", "scenarios/baseline"])
UPLOADS = st.one_of(
    PATHS,
    PATHS.map(lambda p: f'extends = "{p}"\n'),
    PATHS.map(lambda p: f'city = "{p}"\n'),
    PATHS.map(lambda p: f'name = "{p}"\n'),
    st.text(max_size=200),
    st.builds(lambda k, v: f"[boa]\n{k} = {v}\n", st.sampled_from(["fte", "x", "..", "city"]),
              st.sampled_from(["1", "-1", "1e999", "nan", '"/etc/passwd"', "[1,2]"])),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(upload=UPLOADS, seed=st.one_of(PATHS, st.text(max_size=30),
                                      st.integers(-2**70, 2**70).map(str)))
def test_19_11_random_uploads_and_fields_read_no_path_and_never_crash(live_page, upload, seed):
    rc, v = live_page
    with opened_files() as rec:
        rc.find(v.Textarea).widget.v_model = upload
        if upload.strip():
            _click(rc, v, "Inhoud laden")
        rc.find(v.TextField, label=SEED_LABEL).widget.v_model = seed
        _click(rc, v, "Toepassen en opnieuw beginnen")
    assert not outside_shipped(rec.paths), rec.paths
    assert rc.find(v.Btn, children=["Toepassen en opnieuw beginnen"]).widget is not None
    errors = rc.find(v.Alert).widgets
    assert len(errors) <= 1  # an error appears once
    for e in errors:
        assert "Traceback" not in str(e.children)


# ---- 19.2: remote access is a decision -------------------------------------------------------
def test_19_2_a_remote_host_is_refused_without_allow_remote(capsys, monkeypatch):
    for host in ("0.0.0.0", "::"):
        code, _out, err = invoke_cli(["serve", "--host", host], capsys, monkeypatch)
        assert code == 2, err
        assert "--allow-remote" in err and len(err.strip().splitlines()) == 1, err


def _call(gate: TokenGate, path: str, kind: str = "http", cookie: str = "") -> list[dict]:
    """One request through the gate (raw ASGI); the messages it sent back."""
    import asyncio

    query = path.split("?", 1)[1] if "?" in path else ""
    scope = {"type": kind, "path": path.split("?")[0], "query_string": query.encode(),
             "headers": [(b"cookie", cookie.encode())] if cookie else []}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(gate(scope, receive, send))
    return sent


def test_19_2_the_token_gate_lets_in_only_the_link_and_its_cookie():
    async def inner(scope, receive, send):  # noqa: ANN001 — the page, when let in
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    gate = TokenGate(inner, "s3cret")
    denied = _call(gate, "/")
    assert denied[0]["status"] == 403 and "toegangscode" in denied[1]["body"].decode()
    assert _call(gate, "/?token=wrong")[0]["status"] == 403
    ok = _call(gate, "/?token=s3cret")
    assert ok[0]["status"] == 200 and ok[1]["body"] == b"page"
    cookie = dict(ok[0]["headers"])[b"set-cookie"].decode()
    assert cookie.startswith(f"{COOKIE}=s3cret;") and "HttpOnly" in cookie
    assert _call(gate, "/", cookie=f"{COOKIE}=s3cret")[0]["status"] == 200
    assert _call(gate, "/", cookie=f"{COOKIE}=other")[0]["status"] == 403
    assert _call(gate, "/ws", "websocket", cookie=f"{COOKIE}=s3cret")[0]["type"] == \
        "websocket.accept"
    assert _call(gate, "/ws", "websocket") == [{"type": "websocket.close", "code": 4403}]


def test_19_2_a_remote_server_prints_its_token_link_and_wants_it():
    import urllib.error
    import urllib.request

    from sim.serve.screenshots import ServerProcess

    with ServerProcess("--host", "0.0.0.0", "--allow-remote") as server:
        deadline = time.time() + 20
        while "token=" not in server.output() and time.time() < deadline:
            time.sleep(0.2)
        out = server.output()
        token = out.split("token=", 1)[1].split()[0]
        assert len(token) >= 20 and "warning: reachable by anyone" in out
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(server.url, timeout=10)  # noqa: S310 (local)
        assert denied.value.code == 403
        with urllib.request.urlopen(f"{server.url}?token={token}", timeout=10) as r:  # noqa: S310
            assert r.status == 200


def test_19_2_sessions_are_capped_and_end_when_idle():
    s = Sessions(limit=8, idle_s=0.2)
    assert all(s.admit(f"k{i}") for i in range(8))
    assert not s.admit("ninth") and s.admit("k3")  # the ninth waits; a member stays in
    s.leave("k0")
    assert s.admit("ninth") and s.count() == 8
    assert not s.idle("k1")
    time.sleep(0.3)
    s.touch("k2")
    assert s.idle("k1") and not s.idle("k2")


def test_19_2_the_page_beyond_the_cap_says_so_and_an_idle_session_ends(monkeypatch):
    import ipyvuetify as v
    import solara

    from sim.serve import app

    limits = Sessions(limit=1, idle_s=1.0)
    monkeypatch.setattr(app, "sessions", lambda: limits)
    _box, first = solara.render(app.LiveSession("interventieteam"), handle_error=False)
    _box, second = solara.render(app.LiveSession("interventieteam"), handle_error=False)
    try:
        texts = [w.children for w in second.find(v.Html).widgets]
        assert any("Er kijken al 1 mensen mee" in str(c) for c in texts), texts
        assert limits.count() == 1
        deadline = time.time() + 15
        while limits.count() and time.time() < deadline:  # nobody touches the first page
            time.sleep(0.2)
        time.sleep(0.5)
        assert limits.count() == 0
        texts = [w.children for w in first.find(v.Html).widgets]
        assert any("beëindigd" in str(c) for c in texts), texts
        assert not first.find(v.Img).widgets  # its map (and model) are gone
    finally:
        first.close()
        second.close()
