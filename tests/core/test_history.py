"""Every change appends one ticket event and bumps the branch seq by exactly one, together."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest

from server.domain.events import TicketCalled, TicketChanged, TicketRated
from server.domain.tickets import Status
from server.engine import Change
from tests.core.flows import ticket_in
from tests.core.state import branch_seq, database_state, ticket_events

# Each change: the status it starts from, how it is made, and the event kind it records.
CHANGES: dict[str, tuple[Status | None, Callable[..., Change]]] = {
    "issued": (None, lambda engine, ticket, store: engine.issue_ticket(store.payments)),
    "called": (Status.WAITING, lambda engine, ticket, store: engine.call_next(store.counter2)),
    "recalled": (Status.CALLED, lambda engine, ticket, store: engine.recall(ticket)),
    "started": (Status.CALLED, lambda engine, ticket, store: engine.start(ticket)),
    "finished": (Status.SERVING, lambda engine, ticket, store: engine.finish(ticket)),
    "no_show": (Status.CALLED, lambda engine, ticket, store: engine.no_show(ticket)),
    "parked": (Status.SERVING, lambda engine, ticket, store: engine.park(ticket)),
    "transferred": (
        Status.CALLED,
        lambda engine, ticket, store: engine.transfer(ticket, store.returns, "see B"),
    ),
    "cancelled": (Status.WAITING, lambda engine, ticket, store: engine.cancel(ticket)),
    "rated": (
        Status.DONE,
        lambda engine, ticket, store: engine.rate(engine.reads.ticket(ticket)["token"], 5),
    ),
}


@pytest.fixture(params=sorted(CHANGES))
def change_kind(request) -> str:
    return request.param


def prepared(kind: str, engine, store) -> Callable[[], Change]:
    """Bring a ticket to where `kind` applies; returns the change, ready to make."""
    start, make = CHANGES[kind]
    ticket_id = ticket_in(start, engine, store) if start else None
    return lambda: make(engine, ticket_id, store)


def test_a_change_bumps_the_branch_seq_by_exactly_one(change_kind, engine, store, db):
    make = prepared(change_kind, engine, store)
    before = branch_seq(db, store.branch_id)
    change = make()
    assert branch_seq(db, store.branch_id) == change.seq == before + 1


def test_a_change_appends_exactly_one_ticket_event(change_kind, engine, store, db, clock):
    make = prepared(change_kind, engine, store)
    events_before = db.execute("SELECT count(*) FROM ticket_events").fetchone()[0]
    clock.advance(42)
    change = make()
    assert db.execute("SELECT count(*) FROM ticket_events").fetchone()[0] == events_before + 1
    last = ticket_events(db, change.ticket["id"])[-1]
    assert last["kind"] == change_kind
    assert last["at"] == "2026-03-02T09:00:42.000000+00:00"


def test_a_change_returns_what_happened_for_the_publisher(change_kind, engine, store):
    change = prepared(change_kind, engine, store)()
    assert change.events[0] == TicketChanged(
        change.ticket["id"], change_kind, change.events[0].counter_id
    )
    assert change.branch_id == store.branch_id
    assert change.queue["branch_id"] == store.branch_id


def test_calls_and_recalls_are_announced_at_their_counter(engine, store):
    call = prepared("called", engine, store)()
    recall = engine.recall(call.ticket["id"])
    assert call.events[1:] == [TicketCalled(call.ticket["id"], store.counter2, recall=False)]
    assert recall.events[1:] == [TicketCalled(call.ticket["id"], store.counter2, recall=True)]


def test_a_rating_is_announced_and_recorded(engine, store, db):
    change = prepared("rated", engine, store)()
    assert change.events[1:] == [TicketRated(change.ticket["id"])]
    event = ticket_events(db, change.ticket["id"])[-1]
    assert json.loads(event["data"]) == {"score": 5, "channel": "phone"}
    rating = db.execute("SELECT score, channel FROM ratings").fetchone()
    assert tuple(rating) == (5, "phone")


def test_counter_events_name_the_counter_and_the_staff_member(engine, store, db):
    ticket_id = engine.issue_ticket(store.payments, user_id=2).ticket["id"]
    engine.call_next(store.counter2, user_id=1)
    engine.start(ticket_id, user_id=1)
    engine.finish(ticket_id, user_id=1)
    history = [(e["kind"], e["counter_id"], e["user_id"]) for e in ticket_events(db, ticket_id)]
    assert history == [
        ("issued", None, 2),
        ("called", store.counter2, 1),
        ("started", store.counter2, 1),
        ("finished", store.counter2, 1),
    ]


def test_a_ticket_issued_by_a_kiosk_records_the_device(engine, store, db):
    ticket_id = engine.issue_ticket(store.payments, device_id=1).ticket["id"]
    assert json.loads(ticket_events(db, ticket_id)[0]["data"]) == {"device_id": 1}


def test_the_seqs_of_two_branches_are_independent(engine, store, db, other_branch):
    engine.issue_ticket(store.payments)
    engine.issue_ticket(other_branch.service)
    engine.issue_ticket(other_branch.service)
    assert branch_seq(db, store.branch_id) == 1
    assert branch_seq(db, other_branch.branch_id) == 2


def test_a_change_that_fails_half_way_leaves_nothing_behind(engine, store, db):
    """The ticket row, its number and the seq are written in one transaction with the event."""
    engine.issue_ticket(store.payments)
    db.execute("ALTER TABLE ticket_events RENAME TO ticket_events_gone")
    tables = ("branches", "tickets", "number_sequences")
    before = database_state(db, tables)
    with pytest.raises(sqlite3.OperationalError):
        engine.issue_ticket(store.payments)
    with pytest.raises(sqlite3.OperationalError):
        engine.call_next(store.counter2)
    assert database_state(db, tables) == before
