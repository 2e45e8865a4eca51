"""Data minimised per device kind: the counter-top feedback screen gets only what it shows.

It greets the customer at its counter by first name and rates their visit; it never receives
the waiting customers' names or ticket tokens, nor the served ticket's notes and history.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

ALLOWED = {"code", "token", "status", "language", "customer_name"}


def issue(staff, service_id: int, name: str) -> dict:
    answer = staff.post("/tickets", {"service_id": service_id, "customer_name": name})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_feedback_screen_starts_from_its_counter_and_customer_only(
    live_server, store, staff, listen
):
    served = issue(staff, store.payments, "Ayşe Yılmaz")
    waiting = [issue(staff, store.payments, f"Waiting{n} Person") for n in range(2)]
    assert staff.post(f"/counters/{store.counter1}/call-next").status_code == 200
    assert staff.post(f"/tickets/{served['id']}/start").status_code == 200
    feedback = listen(live_server.url, store.feedback_token)
    ack = feedback.subscribe(f"counter:{store.counter1}")
    assert ack["ok"] and ack["room"] == f"counter:{store.counter1}"
    state = ack["state"]
    text = json.dumps(state, ensure_ascii=False)
    for ticket in waiting:
        assert ticket["token"] not in text and "Waiting" not in text
    assert "Yılmaz" not in text, "only the first name"
    assert set(state["current"]) == ALLOWED
    assert state["current"]["customer_name"] == "Ayşe"
    assert state["current"]["token"] == served["token"]
    assert state["counter"] == {"id": store.counter1, "name": "Counter 1", "names": {}}
    workstation = listen(live_server.url, store.staff_token)
    full = workstation.subscribe(f"counter:{store.counter1}")["state"]
    assert [t["token"] for t in full["waiting"]] == [t["token"] for t in waiting]


def test_ticket_events_reach_the_feedback_screen_cut_down(live_server, store, staff, listen):
    feedback = listen(live_server.url, store.feedback_token)
    workstation = listen(live_server.url, store.staff_token)
    for screen in (feedback, workstation):
        assert screen.subscribe(f"counter:{store.counter1}")["ok"]
    ticket = issue(staff, store.payments, "Mehmet Demir")
    assert staff.post(f"/counters/{store.counter1}/call-next").status_code == 200
    assert staff.post(f"/tickets/{ticket['id']}/start").status_code == 200
    assert staff.post(f"/tickets/{ticket['id']}/finish").status_code == 200
    workstation.wait_for("ticket", lambda data: data["kind"] == "finished")
    feedback.wait_for("rate", lambda data: data["token"] == ticket["token"])
    seen = feedback.received("ticket")
    assert [data["kind"] for data in seen] == ["called", "started", "finished"]
    for data in seen:
        assert set(data["ticket"]) == ALLOWED
        assert data["ticket"]["customer_name"] == "Mehmet"
    full = workstation.received("ticket")[-1]["ticket"]
    assert full["customer_name"] == "Mehmet Demir" and "service_id" in full
    assert feedback.wait_for("called")["ticket"]["code"] == ticket["code"]
