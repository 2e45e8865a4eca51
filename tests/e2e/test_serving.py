"""What `sira serve` sets up around the app: its listening socket and its held connection."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from server.serving import listener
from server.storage import connect, hold_wal_open
from server.store import add_counter
from tests.e2e.conftest import ApiClient
from tests.live import LiveServer


def test_accepted_connections_send_without_delay():
    with listener("127.0.0.1", 0) as server, socket.create_connection(server.getsockname()):
        accepted, _ = server.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_held_connection_keeps_the_wal_across_request_connections(db_path, store):
    """Without it, each request's closing connection checkpoints and deletes the WAL."""
    wal = Path(f"{db_path}-wal")
    held = hold_wal_open(db_path)
    try:
        request = connect(db_path)
        add_counter(request, store.branch_id, "Counter 9", [store.payments])
        request.conn.close()
        assert wal.exists() and wal.stat().st_size > 0
    finally:
        held.conn.close()
    assert not wal.exists(), "the last connection to close checkpoints the WAL"


@pytest.mark.slow
@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_each_async_mode_serves_the_api_and_websockets(db_path, store, listen, async_mode):
    """Both modes the benchmarks compare really serve, so the choice stays a measured one."""
    server = LiveServer(db_path, env={"SIRA_ASYNC_MODE": async_mode}).start()
    try:
        display = listen(server.url, store.display_token)
        assert display.subscribe(f"branch:{store.branch_id}")["ok"]
        staff = ApiClient(server.url, store.staff_token)
        assert staff.post("/tickets", {"service_id": store.payments}).status_code == 201
        assert staff.post(f"/counters/{store.counter1}/call-next").status_code == 200
        assert display.wait_for("called")["ticket"]["code"] == "A001"
        display.close()
    finally:
        server.stop()
    assert f"({async_mode})" in server.log_path.read_text()
