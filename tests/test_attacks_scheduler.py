"""Issue 19, item 3: a bad ``--scheduler`` address gives exit 2 and one line, quickly.

Every server here listens on loopback only: a silent listener (an HTTP server waiting for a
request), a listener with an SSH banner, and a closed port. An unroutable address is
tested through the mapping of Dask's own connect time-out; no test sends traffic off
this machine.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from conftest import invoke_cli

from sim.core.errors import UserError
from sim.runs import executors

pytest.importorskip("distributed")


class Listener:
    """A loopback TCP server that accepts and then says ``banner`` (or nothing), forever."""

    def __init__(self, banner: bytes = b""):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.banner = banner
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.banner:
                conn.sendall(self.banner)

    def close(self) -> None:
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.fixture
def fast_timeout(monkeypatch):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _refused(address: str) -> tuple[float, str]:
    t0 = time.monotonic()
    with pytest.raises(UserError) as exc:
        executors.make_executor(None, address)
    return time.monotonic() - t0, str(exc.value)


def test_silent_listener_is_refused_within_the_timeout_not_hung(fast_timeout):
    srv = Listener()
    try:
        secs, msg = _refused(f"tcp://127.0.0.1:{srv.port}")
    finally:
        srv.close()
    assert secs < 10, f"took {secs:.1f} s"
    assert "no Dask handshake" in msg and "--scheduler" in msg


def test_ssh_banner_is_wrong_protocol_not_a_memory_error(fast_timeout):
    srv = Listener(b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n")
    try:
        secs, msg = _refused(f"tcp://127.0.0.1:{srv.port}")
    finally:
        srv.close()
    assert secs < 10
    assert "not in Dask's protocol" in msg


def test_refused_port_says_refused(fast_timeout):
    secs, msg = _refused(f"tcp://127.0.0.1:{_closed_port()}")
    assert secs < 10
    assert "refused" in msg


def test_unroutable_address_maps_dasks_connect_timeout_to_one_line():
    # What distributed.comm.connect raises when its connect timeout expires (unroutable).
    try:
        raise OSError("Timed out trying to connect to tcp://10.255.255.1:8786 after 8 s") \
            from TimeoutError()
    except OSError as exc:
        why = executors._connect_failure(exc, 8)
    assert "no connection within 8 s" in why and "unroutable" in why


def test_cli_banner_exit_2_one_line_and_no_store_left(tmp_path, capsys, monkeypatch):
    """Items 3 and 4: the failed start exits 2 in one line and claims no folder."""
    srv = Listener(b"SSH-2.0-OpenSSH_8.9p1\r\n")
    out = tmp_path / "sweep"
    try:
        code, _, err = invoke_cli(["sweep", "capaciteit", "--n", "2", "-r", "1", "--years",
                                   "0.02", "--scheduler", f"tcp://127.0.0.1:{srv.port}",
                                   "--out", str(out)], capsys, monkeypatch)
    finally:
        srv.close()
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not (out / "runs.sqlite").exists(), "a failed start must not claim the folder"
