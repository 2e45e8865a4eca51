"""The workstation's heartbeat over a real socket, and the server's watch closing a counter
whose workstation went quiet (a real `sira serve` with a short grace period)."""

from __future__ import annotations

import pytest
import requests
import socketio

from tests.conftest import bearer
from tests.live import LiveServer
from tests.workstation.test_board_and_phone import listen, next_event


@pytest.fixture
def quick_server(db_path, store):
    """`sira serve` closing counters after 2 s without a heartbeat."""
    server = LiveServer(db_path, env={"SIRA_COUNTER_GRACE_S": "2"}).start()
    yield server
    server.stop()


def open_counter(server, store, counter_id: int) -> dict:
    response = requests.post(
        f"{server.url}/api/v1/counters/{counter_id}/open",
        headers=bearer(store.staff_token),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_heartbeat_says_whether_the_counter_is_still_ones_own(live_server, store):
    open_counter(live_server, store, store.counter1)
    desk = socketio.Client()
    desk.connect(live_server.url, auth={"token": store.staff_token}, transports=["websocket"])
    try:
        ack = desk.call("heartbeat", {"counter_id": store.counter1}, timeout=5)
        assert ack == {"ok": True, "open": True}
        ack = desk.call("heartbeat", {"counter_id": store.counter2}, timeout=5)
        assert ack == {"ok": True, "open": False}  # never signed in there
        refused = desk.call("heartbeat", {"counter_id": "1"}, timeout=5)
        assert refused["ok"] is False and refused["error"]["field"] == "counter_id"
    finally:
        desk.disconnect()


def test_a_workstation_gone_quiet_closes_its_counter_after_the_grace(quick_server, store):
    board, received = listen(
        quick_server.url, store.display_token, f"branch:{store.branch_id}", ["counter"]
    )
    desk = socketio.Client()
    try:
        assert open_counter(quick_server, store, store.counter1)["open"]
        assert next_event(received, "counter")["kind"] == "opened"
        desk.connect(quick_server.url, auth={"token": store.staff_token}, transports=["websocket"])
        assert desk.call("heartbeat", {"counter_id": store.counter1}, timeout=5)["open"]
        desk.disconnect()  # the laptop lid closes
        kind, closed = received.get(timeout=20)  # the grace, the watch's round, a busy machine
        assert kind == "counter"
        assert (closed["kind"], closed["counter"]["id"]) == ("closed", store.counter1)
        assert closed["counter"]["open"] is False and closed["counter"]["staffed_by"] is None
    finally:
        board.disconnect()
