"""Real python-socketio clients against a running `sira serve`: rooms, events, seq, refusals."""

from __future__ import annotations

from typing import Any

import pytest
import socketio

from tests.e2e.conftest import ApiClient
from tests.live import LiveServer

pytestmark = pytest.mark.slow

# Events a branch room receives; each carries the branch seq.
BRANCH_EVENTS = ("queue", "called", "withdrawn", "counter", "device")


@pytest.fixture
def staff(live_server, store) -> ApiClient:
    return ApiClient(live_server.url, store.staff_token)


def issue(staff: ApiClient, service_id: int) -> dict:
    answer = staff.post("/tickets", {"service_id": service_id})
    assert answer.status_code == 201, answer.text
    return answer.json()


def move(staff: ApiClient, path: str, json: dict | None = None) -> dict:
    answer = staff.post(path, json)
    assert answer.status_code == 200, answer.text
    return answer.json()


def branch_seq(staff: ApiClient, branch_id: int) -> int:
    return staff.get(f"/branches/{branch_id}/snapshot").json()["seq"]


def test_display_joins_branch_room_with_state_and_seq(live_server, store, staff, listen):
    issue(staff, store.payments)
    display = listen(live_server.url, store.display_token)
    ack = display.subscribe(f"branch:{store.branch_id}")
    assert ack["ok"] and ack["room"] == f"branch:{store.branch_id}"
    assert ack["seq"] == ack["state"]["seq"] == branch_seq(staff, store.branch_id) == 1
    waiting = {s["prefix"]: s["waiting"] for s in ack["state"]["services"]}
    assert waiting == {"A": 1, "B": 0}


def test_display_hears_the_call_with_ticket_and_counter(live_server, store, staff, listen):
    display = listen(live_server.url, store.display_token)
    start = display.subscribe(f"branch:{store.branch_id}")["seq"]
    issue(staff, store.returns)
    ticket = move(staff, f"/counters/{store.counter1}/call-next")
    called = display.wait_for("called", lambda data: data["ticket"]["code"] == ticket["code"])
    assert called["ticket"]["code"] == "B001"
    assert called["ticket"]["service"]["prefix"] == "B"
    assert called["counter"] == {"id": store.counter1, "name": "Counter 1", "names": {}}
    assert called["recall"] is False
    assert called["seq"] == start + 2


def test_the_board_hears_called_before_the_queue_of_the_same_change(
    live_server, store, staff, listen
):
    display = listen(live_server.url, store.display_token)
    display.subscribe(f"branch:{store.branch_id}")
    issue(staff, store.returns)
    ticket = move(staff, f"/counters/{store.counter1}/call-next")
    called = display.wait_for("called", lambda data: data["ticket"]["code"] == ticket["code"])
    display.wait_for("queue", lambda data: data["seq"] == called["seq"])
    of_the_call = [
        name
        for name, data in display.events
        if name in BRANCH_EVENTS and isinstance(data, dict) and data.get("seq") == called["seq"]
    ]
    assert of_the_call[0] == "called" and of_the_call.count("queue") == 1


def test_branch_events_seq_has_no_gaps(live_server, store, staff, listen):
    display = listen(live_server.url, store.display_token)
    start = display.subscribe(f"branch:{store.branch_id}")["seq"]
    first, second, third = (
        issue(staff, service) for service in (store.payments, store.returns, store.payments)
    )
    counter1, counter2 = f"/counters/{store.counter1}", f"/counters/{store.counter2}"
    assert move(staff, f"{counter1}/call-next")["id"] == first["id"]
    move(staff, f"/tickets/{first['id']}/recall")
    move(staff, f"/tickets/{first['id']}/start")
    move(staff, f"/tickets/{first['id']}/finish")
    assert move(staff, f"{counter2}/call-next")["id"] == third["id"]
    move(staff, f"/tickets/{third['id']}/park")
    assert move(staff, f"{counter1}/call-next")["id"] == second["id"]
    move(staff, f"/tickets/{second['id']}/transfer", {"service_id": store.payments})
    assert move(staff, f"{counter2}/call-next")["id"] == second["id"], "transferred go first"
    move(staff, f"/tickets/{second['id']}/no-show")
    move(staff, f"/tickets/{third['id']}/cancel")
    end = branch_seq(staff, store.branch_id)
    assert end == start + 14

    display.wait_for("queue", lambda data: data["seq"] == end)
    events = [(name, data) for name, data in list(display.events) if name in BRANCH_EVENTS]
    seqs = [data["seq"] for _, data in events]  # the display is in no other room
    assert seqs == sorted(seqs), "events of one-at-a-time changes arrive in order"
    assert covered(events) == set(range(start + 1, end + 1)), "a change was never announced"
    assert [d["recall"] for d in display.received("called")] == [False, True, False, False, False]


def covered(events: list[tuple[str, dict]]) -> set[int]:
    """The changes a branch room's events account for: a paced `queue` (or the `called` that
    supersedes it) stands for every change from its `seq_from` to its `seq`."""
    seqs: set[int] = set()
    for _, data in events:
        first = data.get("seq_from", data["seq"])
        seqs.update(range(first, data["seq"] + 1))
    return seqs


@pytest.fixture
def paced_server(db_path, store):
    """A server pacing `queue` events two seconds apart: a burst of changes falls inside."""
    server = LiveServer(db_path, env={"SIRA_QUEUE_EVENT_INTERVAL_S": "2"}).start()
    yield server
    server.stop()


def board_of(server: LiveServer, store, listen) -> tuple[ApiClient, Any, int]:
    """Staff's API, and a display that has joined the branch room, with the seq it joined at."""
    display = listen(server.url, store.display_token)
    start = display.subscribe(f"branch:{store.branch_id}")["seq"]
    return ApiClient(server.url, store.staff_token), display, start


def test_a_burst_of_changes_reaches_the_boards_as_few_queue_events_without_gaps(
    paced_server, store, listen
):
    """Thirty tickets in a row: the board gets the newest queue a few times, not thirty."""
    staff, display, start = board_of(paced_server, store, listen)
    for _ in range(30):
        issue(staff, store.payments)
    end = branch_seq(staff, store.branch_id)
    last = display.wait_for("queue", lambda data: data["seq"] == end)
    queues = display.received("queue")
    assert len(queues) < 30
    assert covered([("queue", data) for data in queues]) == set(range(start + 1, end + 1))
    assert [s["waiting"] for s in last["services"] if s["id"] == store.payments] == [30]


def test_a_call_goes_first_and_stands_for_the_waiting_queue_that_follows_in_its_time(
    paced_server, store, listen
):
    """The boards hear a call before any queue's fan-out; no change is left unaccounted."""
    staff, display, start = board_of(paced_server, store, listen)
    issue(staff, store.payments)
    issue(staff, store.payments)  # within the interval: its queue waits
    called = move(staff, f"/counters/{store.counter1}/call-next")
    end = branch_seq(staff, store.branch_id)
    display.wait_for("queue", lambda data: data["seq"] == end)
    events = [(name, data) for name, data in list(display.events) if name in BRANCH_EVENTS]
    # the counter opens with its first call
    assert [name for name, _ in events] == ["queue", "called", "counter", "queue"]
    assert covered(events) == set(range(start + 1, end + 1))
    assert events[1][1]["ticket"]["code"] == called["code"]
    assert events[1][1]["seq_from"] == start + 2  # the second ticket's waiting queue
    assert events[3][1]["seq_from"] == start + 2 and events[3][1]["seq"] == end


def test_a_call_and_its_no_show_within_the_interval_share_one_queue_event(
    paced_server, store, listen
):
    """Each change's event to the boards goes at once; their queue goes once, after them."""
    staff, display, start = board_of(paced_server, store, listen)
    issue(staff, store.payments)
    called = move(staff, f"/counters/{store.counter1}/call-next")
    move(staff, f"/tickets/{called['id']}/no-show")
    end = branch_seq(staff, store.branch_id)
    withdrawn = display.wait_for("withdrawn")
    assert display.received("queue")[-1]["seq"] == start + 1, "the queue still waits"
    assert (withdrawn["code"], withdrawn["kind"], withdrawn["seq"]) == (
        called["code"],
        "no_show",
        end,
    )
    last = display.wait_for("queue", lambda data: data["seq"] == end)
    events = [(name, data) for name, data in list(display.events) if name in BRANCH_EVENTS]
    assert [name for name, _ in events] == ["queue", "called", "counter", "withdrawn", "queue"]
    assert covered(events) == set(range(start + 1, end + 1))
    assert last["seq_from"] == start + 2
    assert [s["waiting"] for s in last["services"] if s["id"] == store.payments] == [0]


def test_phone_follows_its_ticket_until_called(live_server, store, staff, listen):
    ahead = issue(staff, store.payments)
    mine = issue(staff, store.payments)
    phone = listen(live_server.url)  # a customer's phone has no token, only the ticket's link
    ack = phone.subscribe(f"ticket:{mine['token']}")
    assert ack["ok"] and ack["state"]["ticket"]["position"] == 1

    move(staff, f"/counters/{store.counter1}/call-next")
    moved = phone.wait_for("ticket", lambda data: data["kind"] == "moved")
    assert moved["ticket"]["code"] == mine["code"] and moved["ticket"]["position"] == 0
    assert "customer_name" not in moved["ticket"], "the phone sees the public view only"

    move(staff, f"/counters/{store.counter2}/call-next")
    called = phone.wait_for("called")
    assert called["ticket"]["code"] == mine["code"]
    assert called["counter"] == {"id": store.counter2, "name": "Counter 2", "names": {}}
    update = phone.wait_for("ticket", lambda data: data["kind"] == "called")
    assert update["ticket"]["status"] == "called" and update["ticket"]["counter"]["id"] == (
        store.counter2
    )
    assert ahead["code"] not in {d["ticket"]["code"] for d in phone.received("called")}


def test_feedback_screen_is_asked_to_rate_after_finish(live_server, store, staff, listen):
    feedback = listen(live_server.url, store.feedback_token)
    assert feedback.subscribe(f"counter:{store.counter1}")["ok"]
    ticket = issue(staff, store.payments)
    move(staff, f"/counters/{store.counter1}/call-next")
    move(staff, f"/tickets/{ticket['id']}/start")
    assert feedback.received("rate") == []
    move(staff, f"/tickets/{ticket['id']}/finish")
    rate = feedback.wait_for("rate")
    assert (rate["token"], rate["code"]) == (ticket["token"], ticket["code"])
    assert rate["seq"] == branch_seq(staff, store.branch_id)


def test_rooms_refuse_who_does_not_belong(live_server, store, staff, listen):
    anonymous = listen(live_server.url)
    refused = anonymous.subscribe(f"branch:{store.branch_id}")
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert anonymous.subscribe("ticket:no-such-token")["error"]["code"] == "not_found"

    display = listen(live_server.url, store.display_token)
    refused = display.subscribe(f"counter:{store.counter1}")
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"

    # The refused client is in no room: a change reaches the display, not the anonymous client.
    assert display.subscribe(f"branch:{store.branch_id}")["ok"]
    issue(staff, store.payments)
    display.wait_for("queue")
    assert anonymous.received("queue") == []


def test_unknown_token_is_refused_at_connection(live_server, listen):
    with pytest.raises(socketio.exceptions.ConnectionError):
        listen(live_server.url, "not-a-real-token")
