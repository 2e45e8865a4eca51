"""Idle and slow connections: they cannot hold every file descriptor and lock everyone out.

`sira serve` raises its open-files limit to the hard limit, closes a kept-alive connection that
sends nothing, and cuts off a client that trickles its headers (slowloris).
"""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from tests.live import LiveServer

pytestmark = pytest.mark.slow

# Short deadlines so that the test need not wait out the production ones.
QUICK = {"SIRA_KEEPALIVE_TIMEOUT_S": "2", "SIRA_HEADER_TIMEOUT_S": "2"}


@contextlib.contextmanager
def soft_open_files_limit(soft: int) -> Iterator[None]:
    """Start processes under this soft limit (they inherit it); this process keeps its own."""
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, before[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)


@contextlib.contextmanager
def idle_connections(url_port: int, count: int) -> Iterator[list[socket.socket]]:
    opened = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                sock.connect(("127.0.0.1", url_port))
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


@pytest.fixture
def limited_server(db_path, store) -> Iterator[LiveServer]:
    """A server started under `ulimit -Sn 1024`, the usual default soft limit."""
    with soft_open_files_limit(1024):
        server = LiveServer(db_path, env=QUICK).start()
    yield server
    server.stop()


@pytest.fixture
def capped_server(db_path, store) -> Iterator[LiveServer]:
    """A server whose hard limit is 1024 too (`ulimit -n 1024`): it cannot raise it."""
    server = LiveServer(db_path, env=QUICK).start()
    resource.prlimit(server.process.pid, resource.RLIMIT_NOFILE, (1024, 1024))
    yield server
    server.stop()


def open_files_soft_limit(pid: int) -> int:
    with open(f"/proc/{pid}/limits") as limits:
        for line in limits:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no open-files line in /proc/<pid>/limits")


def test_serve_raises_its_open_files_limit(limited_server):
    assert open_files_soft_limit(limited_server.process.pid) > 1024


@pytest.mark.parametrize("server", ["limited_server", "capped_server"])
def test_1100_idle_connections_do_not_lock_everyone_out(request, server):
    """Raised limit: all fit. Capped at 1024: idle ones are closed and the rest get their turn."""
    live = request.getfixturevalue(server)
    with idle_connections(live.port, 1100):
        time.sleep(0.5)
        answer = requests.get(f"{live.url}/api/v1/services", timeout=30)
        assert answer.status_code == 200


def test_idle_connections_are_closed(limited_server):
    with idle_connections(limited_server.port, 50) as idle:
        time.sleep(4)  # past the 2 s keep-alive deadline
        for sock in idle:
            sock.setblocking(True)
            sock.settimeout(5)
            assert sock.recv(1) == b"", "the server closed the idle connection"


def test_slowloris_clients_are_cut_off(limited_server):
    slow = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", limited_server.port))
            sock.sendall(b"GET /api/v1/services HTTP/1.1\r\nHost: x\r\n")
            slow.append(sock)
        cut_off = set()
        deadline = time.monotonic() + 20
        while len(cut_off) < len(slow) and time.monotonic() < deadline:
            for number, sock in enumerate(slow):
                if number in cut_off:
                    continue
                try:
                    sock.sendall(b"X-a: b\r\n")  # one more header line, never the end
                    sock.setblocking(False)
                    if sock.recv(4096) == b"":
                        cut_off.add(number)
                except BlockingIOError:
                    pass
                except OSError:
                    cut_off.add(number)
                finally:
                    sock.setblocking(True)
            time.sleep(0.5)
        assert len(cut_off) == len(slow), f"{len(slow) - len(cut_off)} slow clients still open"
        assert requests.get(f"{limited_server.url}/api/v1/services", timeout=10).ok
    finally:
        for sock in slow:
            sock.close()
