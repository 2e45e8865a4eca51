"""Socket.IO floods: one connection cannot starve the others.

Each connection has an event budget (a burst, then a steady rate), a cap on its handlers running
at once and on the rooms it holds; a connection that keeps flooding past its budget is cut off.
Room names are canonical: `branch:01` is not a second name of `branch:1`.
"""

from __future__ import annotations

import threading
import time

import pytest
import websocket

pytestmark = pytest.mark.slow

FLOOD = 50_000


def issue(staff, service_id: int) -> dict:
    answer = staff.post("/tickets", {"service_id": service_id})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_flood_of_subscribes_does_not_freeze_other_clients(
    live_server, store, staff, listen, raw_socket
):
    ticket = issue(staff, store.payments)
    display = listen(live_server.url, store.display_token)
    attacker = raw_socket(live_server.url)
    flooding = threading.Thread(
        target=attacker.flood, args=("subscribe", {"room": f"ticket:{ticket['token']}"}, FLOOD)
    )
    flooding.start()
    try:
        time.sleep(0.3)  # the flood is being read
        slowest = 0.0
        for _ in range(5):
            began = time.monotonic()
            ack = display.client.call(
                "subscribe", {"room": f"branch:{store.branch_id}"}, timeout=30
            )
            assert ack["ok"], ack
            answer = staff.get("/services")
            assert answer.status_code == 200
            slowest = max(slowest, time.monotonic() - began)
            time.sleep(0.2)
    finally:
        flooding.join()
    # An outright freeze took 39 s; a second is a generous bound for a socket event and a GET.
    assert slowest < 1.0, f"another client waited {slowest:.2f}s during the flood"


def test_the_flooding_connection_is_cut_off(live_server, store, staff, raw_socket):
    ticket = issue(staff, store.payments)
    attacker = raw_socket(live_server.url)
    attacker.flood("subscribe", {"room": f"ticket:{ticket['token']}"}, 5_000)
    attacker.ws.settimeout(10)
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
        while True:  # acks of the events within budget, then the server hangs up
            if not attacker.ws.recv():
                raise ConnectionError("closed")


@pytest.mark.parametrize(
    "room",
    [
        "branch:01",
        "branch:²",
        "branch:" + "9" * 40,
        "branch:0",
        "counter:-1",
        "branch:1 ",
        "ticket:",
    ],
)
def test_odd_room_names_get_an_error_ack(live_server, store, listen, room):
    staff_socket = listen(live_server.url, store.staff_token)
    ack = staff_socket.subscribe(room)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "invalid" and ack["error"]["field"] == "room"


def test_a_connection_holds_a_limited_number_of_rooms(live_server, store, staff, listen):
    phone = listen(live_server.url)
    tokens = [issue(staff, store.payments)["token"] for _ in range(9)]
    for token in tokens[:8]:
        assert phone.subscribe(f"ticket:{token}")["ok"]
    assert phone.subscribe(f"ticket:{tokens[0]}")["ok"], "a room already held may be joined again"
    refused = phone.subscribe(f"ticket:{tokens[8]}")
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    assert phone.client.call("unsubscribe", {"room": f"ticket:{tokens[0]}"}, timeout=10)["ok"]
    assert phone.subscribe(f"ticket:{tokens[8]}")["ok"], "leaving a room frees its place"


def test_an_event_nested_5000_deep_closes_its_connection_only(
    live_server, store, listen, raw_socket
):
    display = listen(live_server.url, store.display_token)
    attacker = raw_socket(live_server.url)
    attacker.ws.send('42["subscribe",' + "[" * 5000 + "]" * 5000 + "]")
    attacker.ws.settimeout(10)
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
        while True:
            if not attacker.ws.recv():
                raise ConnectionError("closed")
    assert display.subscribe(f"branch:{store.branch_id}")["ok"]
