"""Several server processes share events through Redis: a change on A reaches a client of B."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ApiClient
from tests.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.redis]


@pytest.fixture
def two_servers(db_path, store, message_queue):
    servers = [LiveServer(db_path, env=message_queue).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def test_call_on_one_process_reaches_a_display_on_the_other(two_servers, store, listen):
    process_a, process_b = two_servers
    display = listen(process_b.url, store.display_token)
    start = display.subscribe(f"branch:{store.branch_id}")["seq"]
    staff = ApiClient(process_a.url, store.staff_token)
    ticket = staff.post("/tickets", {"service_id": store.payments}).json()
    called = staff.post(f"/counters/{store.counter2}/call-next")
    assert called.status_code == 200, called.text

    heard = display.wait_for("called", lambda data: data["ticket"]["code"] == ticket["code"])
    assert heard["counter"] == {"id": store.counter2, "name": "Counter 2", "names": {}}
    assert heard["seq"] == start + 2
    queues = display.wait_for("queue", lambda data: data["seq"] == start + 2)
    assert [s["code"] for s in queues["now_serving"]] == [ticket["code"]]


def test_a_phone_on_one_process_is_told_its_place_when_the_other_calls(two_servers, store, listen):
    """Process A has no phone in its rooms, yet B's phone hears of the move A made."""
    process_a, process_b = two_servers
    staff = ApiClient(process_a.url, store.staff_token)
    staff.post("/tickets", {"service_id": store.payments})
    mine = staff.post("/tickets", {"service_id": store.payments}).json()
    phone = listen(process_b.url)
    assert phone.subscribe(f"ticket:{mine['token']}")["ok"]
    assert staff.post(f"/counters/{store.counter1}/call-next").status_code == 200
    moved = phone.wait_for("ticket", lambda data: data["kind"] == "moved")
    assert moved["ticket"]["code"] == mine["code"] and moved["ticket"]["position"] == 0


def test_without_a_message_queue_processes_do_not_share_events(db_path, store, listen):
    """The control: the test above passes because of Redis, not by some other path."""
    servers = [LiveServer(db_path).start() for _ in range(2)]
    try:
        display_b = listen(servers[1].url, store.display_token)
        display_a = listen(servers[0].url, store.display_token)
        for display in (display_a, display_b):
            assert display.subscribe(f"branch:{store.branch_id}")["ok"]
        staff = ApiClient(servers[0].url, store.staff_token)
        assert staff.post("/tickets", {"service_id": store.payments}).status_code == 201
        display_a.wait_for("queue")
        assert display_b.received("queue") == []
    finally:
        for server in servers:
            server.stop()
