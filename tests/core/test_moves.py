"""The counter's moves on a ticket, and what each leaves in the ticket row and its history."""

from __future__ import annotations

import json

import pytest

from tests.core.state import ticket_events


@pytest.fixture
def called(engine, store, clock) -> dict:
    """A payments ticket called at counter 2 a minute after it was issued."""
    engine.issue_ticket(store.payments)
    clock.advance(60)
    return engine.call_next(store.counter2, user_id=1).ticket


@pytest.fixture
def serving(engine, called, clock) -> dict:
    clock.advance(30)
    return engine.start(called["id"]).ticket


def test_recall_counts_the_recalls_and_keeps_the_ticket_at_its_counter(engine, called):
    engine.recall(called["id"])
    ticket = engine.recall(called["id"]).ticket
    assert (ticket["status"], ticket["recall_count"]) == ("called", 2)
    assert (ticket["counter"], ticket["called_at"]) == (called["counter"], called["called_at"])


def test_start_begins_service_at_the_same_counter(engine, called, clock):
    clock.advance(30)
    ticket = engine.start(called["id"]).ticket
    assert ticket["status"] == "serving"
    assert ticket["started_at"] == "2026-03-02T09:01:30.000000+00:00"
    assert ticket["counter"] == called["counter"]


def test_finish_closes_the_service(engine, serving, clock):
    clock.advance(240)
    ticket = engine.finish(serving["id"]).ticket
    assert ticket["status"] == "done"
    assert ticket["finished_at"] == "2026-03-02T09:05:30.000000+00:00"
    assert ticket["counter"] is None  # no longer at a counter


def test_no_show_closes_a_called_ticket(engine, called):
    ticket = engine.no_show(called["id"]).ticket
    assert ticket["status"] == "no_show"
    assert ticket["finished_at"] is not None


def test_cancel_takes_a_waiting_ticket_out_of_the_queue(engine, store):
    ticket = engine.issue_ticket(store.payments).ticket
    cancelled = engine.cancel(ticket["id"]).ticket
    assert cancelled["status"] == "cancelled"
    assert engine.call_next(store.counter2) is None


def test_park_sends_the_ticket_to_the_end_of_its_queue(engine, store, called, clock):
    later = engine.issue_ticket(store.payments).ticket
    clock.advance(60)
    parked = engine.park(called["id"]).ticket
    assert parked["status"] == "waiting"
    assert (parked["counter"], parked["called_at"]) == (None, None)
    assert parked["queued_at"] == "2026-03-02T09:02:00.000000+00:00"
    assert parked["position"] == 1
    assert engine.call_next(store.counter2).ticket["id"] == later["id"]


def test_park_frees_the_counter(engine, store, called, clock):
    engine.issue_ticket(store.payments)
    clock.advance(60)
    engine.park(called["id"])
    assert engine.call_next(store.counter2).ticket["code"] == "A002"


def test_a_parked_ticket_that_was_transferred_in_waits_its_turn_like_the_others(
    engine, store, clock
):
    """Going before the others is a transfer's courtesy; a park afterwards goes to the back."""
    engine.issue_ticket(store.payments)
    moved = engine.call_next(store.counter2).ticket
    engine.transfer(moved["id"], store.returns)
    clock.advance(60)
    waiting = engine.issue_ticket(store.returns).ticket
    engine.call_next(store.counter1)  # the transferred ticket
    clock.advance(60)
    parked = engine.park(moved["id"]).ticket
    assert parked["position"] == 1
    assert engine.call_next(store.counter1).ticket["id"] == waiting["id"]


def test_transfer_keeps_the_code_and_puts_the_ticket_first_in_the_new_queue(engine, store, serving):
    for _ in range(2):
        engine.issue_ticket(store.returns)
    moved = engine.transfer(serving["id"], store.returns, "exchange, not refund").ticket
    assert (moved["code"], moved["service_id"], moved["status"]) == (
        "A001",
        store.returns,
        "waiting",
    )
    assert (moved["position"], moved["counter"], moved["started_at"]) == (0, None, None)


def test_transfer_keeps_the_note_in_the_tickets_history(engine, db, store, called):
    engine.transfer(called["id"], store.returns, "  exchange, not refund ")
    transfer = ticket_events(db, called["id"])[-1]
    assert transfer["kind"] == "transferred"
    assert transfer["counter_id"] == store.counter2
    assert json.loads(transfer["data"]) == {
        "from_service_id": store.payments,
        "to_service_id": store.returns,
        "note": "exchange, not refund",
    }


def test_a_transferred_ticket_is_called_at_a_counter_of_its_new_service(engine, store, called):
    engine.transfer(called["id"], store.returns)
    assert engine.call_next(store.counter2) is None  # counter 2 does not serve returns
    assert engine.call_next(store.counter1).ticket["id"] == called["id"]


def test_a_ticket_is_at_its_new_counter_only_after_a_second_call(engine, store, called):
    engine.transfer(called["id"], store.returns)
    again = engine.call_next(store.counter1).ticket
    assert again["counter"]["id"] == store.counter1
    assert engine.reads.counter_state(store.counter2)["current"] is None
