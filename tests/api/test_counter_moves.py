"""Staff at the counter: call next, recall, start, finish, no-show, park, cancel, transfer."""

from __future__ import annotations

import json

import pytest

from server.store import add_branch, add_service, set_counter_active
from tests.api.calls import assert_error, called, issued, served, staff_post


def test_call_next_returns_the_called_ticket(client, store):
    ticket = issued(client, store)
    response = staff_post(client, store, f"/counters/{store.counter2}/call-next")
    assert response.status_code == 200
    assert (response.json["id"], response.json["status"]) == (ticket["id"], "called")
    assert response.json["counter"] == {"id": store.counter2, "name": "Counter 2", "names": {}}


def test_call_next_with_nobody_waiting_is_204_and_writes_nothing(client, store, unchanged):
    with unchanged():
        response = staff_post(client, store, f"/counters/{store.counter1}/call-next")
    assert (response.status_code, response.data) == (204, b"")


def test_call_next_records_who_called(client, store, db):
    ticket = called(client, store)
    row = db.execute("SELECT user_id FROM tickets WHERE id = ?", [ticket["id"]]).fetchone()
    staff_id = db.execute("SELECT id FROM users WHERE username = 'staff'").fetchone()[0]
    assert row["user_id"] == staff_id


def test_a_counter_holding_a_ticket_may_not_call_another(client, store, unchanged):
    called(client, store)
    issued(client, store)
    with unchanged():
        response = staff_post(client, store, f"/counters/{store.counter2}/call-next")
    error = assert_error(response, 409, "conflict", "counter_id")
    assert "A001" in error["message"]


def test_a_closed_counter_may_not_call(client, store, db, unchanged):
    issued(client, store)
    set_counter_active(db, store.counter2, False)
    with unchanged():
        response = staff_post(client, store, f"/counters/{store.counter2}/call-next")
    assert_error(response, 409, "invalid_transition", "counter_id")


def test_an_unknown_counter_cannot_call(client, store, unchanged):
    with unchanged():
        response = staff_post(client, store, "/counters/99/call-next")
    assert_error(response, 404, "not_found", "counter_id")


# Each move from a state where it is legal, and the status it leaves.
LEGAL = [
    ("recall", "called", "called"),
    ("start", "called", "serving"),
    ("no-show", "called", "no_show"),
    ("park", "called", "waiting"),
    ("finish", "serving", "done"),
    ("park", "serving", "waiting"),
    ("cancel", "waiting", "cancelled"),
]


def ticket_in(client, store, status: str) -> dict:
    if status == "waiting":
        return issued(client, store)
    ticket = called(client, store)
    if status == "serving":
        ticket = staff_post(client, store, f"/tickets/{ticket['id']}/start").json
    return ticket


@pytest.mark.parametrize(("move", "start", "after"), LEGAL)
def test_a_legal_move_returns_the_ticket_after_it(client, store, move, start, after):
    ticket = ticket_in(client, store, start)
    response = staff_post(client, store, f"/tickets/{ticket['id']}/{move}")
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["status"]) == (ticket["id"], after)


def test_recall_counts_the_recalls(client, store):
    ticket = called(client, store)
    staff_post(client, store, f"/tickets/{ticket['id']}/recall")
    response = staff_post(client, store, f"/tickets/{ticket['id']}/recall")
    assert response.json["recall_count"] == 2


ILLEGAL = [
    ("finish", "waiting"),
    ("start", "waiting"),
    ("recall", "waiting"),
    ("no-show", "waiting"),
    ("park", "waiting"),
    ("transfer", "waiting"),
    ("cancel", "called"),
    ("finish", "called"),
    ("start", "serving"),
    ("no-show", "serving"),
    ("cancel", "serving"),
    ("recall", "serving"),
]


@pytest.mark.parametrize(("move", "start"), ILLEGAL)
def test_an_illegal_move_is_409_and_writes_nothing(client, store, unchanged, move, start):
    ticket = ticket_in(client, store, start)
    body = {"service_id": store.returns} if move == "transfer" else {}
    with unchanged():
        response = staff_post(client, store, f"/tickets/{ticket['id']}/{move}", **body)
    error = assert_error(response, 409, "invalid_transition")
    assert f"it is {start}" in error["message"]


@pytest.mark.parametrize("move", ["finish", "start", "no-show", "recall", "cancel", "park"])
def test_a_closed_ticket_moves_no_more(client, store, unchanged, move):
    ticket = served(client, store)
    with unchanged():
        response = staff_post(client, store, f"/tickets/{ticket['id']}/{move}")
    assert_error(response, 409, "invalid_transition")


@pytest.mark.parametrize("move", ["recall", "start", "finish", "no-show", "park", "cancel"])
def test_a_move_on_an_unknown_ticket_is_404(client, store, unchanged, move):
    with unchanged():
        response = staff_post(client, store, f"/tickets/999/{move}")
    assert_error(response, 404, "not_found", "ticket_id")


def test_transfer_keeps_the_code_and_the_note(client, store, db):
    ticket = called(client, store)
    response = staff_post(
        client,
        store,
        f"/tickets/{ticket['id']}/transfer",
        service_id=store.returns,
        note="wants an exchange",
    )
    assert response.status_code == 200
    moved = response.json
    assert (moved["code"], moved["service_id"], moved["status"], moved["position"]) == (
        "A001",
        store.returns,
        "waiting",
        0,
    )
    data = db.execute(
        "SELECT data FROM ticket_events WHERE kind = 'transferred' AND ticket_id = ?",
        [ticket["id"]],
    ).fetchone()[0]
    assert json.loads(data)["note"] == "wants an exchange"


def test_transfer_without_a_note_is_fine(client, store):
    ticket = called(client, store)
    response = staff_post(
        client, store, f"/tickets/{ticket['id']}/transfer", service_id=store.returns
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "service_id"),
        ({"service_id": "returns"}, "service_id"),
        ({"service_id": 999}, "service_id"),
        ({"service_id": 2, "note": "n" * 501}, "note"),
        ({"service_id": 2, "note": ["n"]}, "note"),
    ],
)
def test_transfer_with_a_bad_field_is_422_naming_it(client, store, unchanged, body, field):
    ticket = called(client, store)
    with unchanged():
        response = staff_post(client, store, f"/tickets/{ticket['id']}/transfer", **body)
    assert_error(response, 422, "invalid", field)


def test_transfer_to_another_branchs_service_is_422(client, store, db, unchanged):
    service = add_service(db, add_branch(db, "Other", "other"), "Z", "Elsewhere")
    ticket = called(client, store)
    with unchanged():
        response = staff_post(
            client, store, f"/tickets/{ticket['id']}/transfer", service_id=service
        )
    assert_error(response, 422, "invalid", "service_id")


def test_transfer_of_an_unknown_ticket_is_404(client, store, unchanged):
    with unchanged():
        response = staff_post(client, store, "/tickets/999/transfer", service_id=store.returns)
    assert_error(response, 404, "not_found", "ticket_id")
