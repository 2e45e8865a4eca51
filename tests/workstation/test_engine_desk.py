"""The engine's workstation moves: calling a chosen ticket, pausing and resuming a counter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import Conflict, InvalidTransition, ValidationError
from server.domain.events import CounterChanged, TicketCalled
from server.engine import QueueEngine


def events_of(db, ticket_id: int) -> list[tuple[str, dict]]:
    rows = db.execute(
        "SELECT kind, data FROM ticket_events WHERE ticket_id = ? ORDER BY id", [ticket_id]
    ).fetchall()
    return [(row["kind"], json.loads(row["data"])) for row in rows]


def test_call_ticket_calls_the_chosen_one_and_says_so_in_the_audit_trail(engine, store, db):
    first = engine.issue_ticket(store.payments).ticket
    second = engine.issue_ticket(store.payments).ticket

    change = engine.call_ticket(second["id"], store.counter1, user_id=1)

    assert change.ticket["code"] == "A002"
    assert change.ticket["status"] == "called"
    assert change.ticket["counter"] == {"id": store.counter1, "name": "Counter 1", "names": {}}
    assert TicketCalled(second["id"], store.counter1, recall=False) in change.events
    assert events_of(db, second["id"])[-1] == ("called", {"out_of_turn": True})
    assert engine.reads.ticket(first["id"])["position"] == 0  # the skipped one is still first


def test_call_ticket_refuses_a_service_the_counter_does_not_serve(engine, store):
    returns = engine.issue_ticket(store.returns).ticket
    with pytest.raises(ValidationError) as refused:
        engine.call_ticket(returns["id"], store.counter2)
    assert refused.value.field == "ticket_id"
    assert engine.reads.ticket(returns["id"])["status"] == "waiting"


def test_call_ticket_refuses_a_ticket_already_called(engine, store):
    ticket = engine.issue_ticket(store.payments).ticket
    engine.call_ticket(ticket["id"], store.counter1)
    with pytest.raises(InvalidTransition):
        engine.call_ticket(ticket["id"], store.counter2)


def test_call_ticket_refuses_a_busy_counter(engine, store):
    engine.issue_ticket(store.payments)
    other = engine.issue_ticket(store.payments).ticket
    engine.call_next(store.counter1)
    with pytest.raises(Conflict):
        engine.call_ticket(other["id"], store.counter1)


def test_call_ticket_refuses_yesterdays_ticket(db, store):
    yesterday = datetime(2026, 3, 1, 10, tzinfo=UTC)
    old = QueueEngine(db, lambda: yesterday).issue_ticket(store.payments).ticket
    today = QueueEngine(db, lambda: yesterday + timedelta(days=1))
    with pytest.raises(ValidationError):
        today.call_ticket(old["id"], store.counter1)


def test_pause_stops_calls_and_leaves_the_estimate(engine, store, db):
    engine.open_counter(store.counter1, 2)
    engine.open_counter(store.counter2, 3)
    engine.issue_ticket(store.payments)
    engine.issue_ticket(store.payments)
    third = engine.issue_ticket(store.payments).ticket
    before = third["eta_s"]
    seq = engine.reads.branch(store.branch_id)["seq"]

    change = engine.pause(store.counter2, "lunch", user_id=1)

    assert change.ticket is None
    assert change.seq == seq + 1
    assert change.events == [CounterChanged(store.counter2, "paused")]
    counter = engine.reads.counter_summary(store.counter2)
    assert counter["pause_reason"] == "lunch"
    assert counter["paused_at"] is not None
    assert engine.reads.open_counters(store.payments) == 1
    assert engine.reads.ticket(third["id"])["eta_s"] > before  # one counter, or a break's end
    with pytest.raises(InvalidTransition) as refused:
        engine.call_next(store.counter2)
    assert "paused" in refused.value.message
    row = db.execute(
        "SELECT kind, user_id, data FROM counter_events WHERE kind = 'paused'"
    ).fetchone()
    assert (row["kind"], row["user_id"], json.loads(row["data"])) == (
        "paused",
        1,
        {"reason": "lunch", "note": None},
    )


def test_a_paused_counter_cannot_call_a_chosen_ticket_either(engine, store):
    ticket = engine.issue_ticket(store.payments).ticket
    engine.pause(store.counter1, "break")
    with pytest.raises(InvalidTransition):
        engine.call_ticket(ticket["id"], store.counter1)


def test_resume_opens_the_counter_again_and_keeps_how_long_it_was_paused(db, store):
    now = datetime(2026, 3, 1, 10, tzinfo=UTC)
    clock = [now]
    engine = QueueEngine(db, lambda: clock[0])
    engine.issue_ticket(store.payments)
    engine.pause(store.counter1, "break")
    clock[0] = now + timedelta(minutes=15)

    change = engine.resume(store.counter1)

    assert change.events == [CounterChanged(store.counter1, "resumed")]
    assert engine.reads.counter_summary(store.counter1)["paused_at"] is None
    data = db.execute("SELECT data FROM counter_events WHERE kind = 'resumed'").fetchone()[0]
    assert json.loads(data) == {"reason": "break", "paused_s": 900}
    assert engine.call_next(store.counter1).ticket["code"] == "A001"


def test_pause_needs_a_reason_and_no_second_pause(engine, store):
    for reason in (None, "", "   ", "two\nlines", "x" * 101, 5):
        with pytest.raises(ValidationError) as refused:
            engine.pause(store.counter1, reason)
        assert refused.value.field == "reason"
    engine.pause(store.counter1, "break")
    with pytest.raises(InvalidTransition):
        engine.pause(store.counter1, "lunch")
    engine.resume(store.counter1)
    with pytest.raises(InvalidTransition):
        engine.resume(store.counter1)


def test_a_pause_reason_is_a_code_or_the_clerks_own_words(engine, store):
    engine.pause(store.counter1, "other", note="Printer jam")
    assert engine.reads.counter_summary(store.counter1)["pause_reason"] == "other"
    assert engine.reads.counter_summary(store.counter1)["pause_note"] == "Printer jam"
    engine.resume(store.counter1)
    engine.pause(store.counter1, "Öğle arası")  # typed text, as older clients send it
    paused = engine.reads.counter_summary(store.counter1)
    assert (paused["pause_reason"], paused["pause_note"]) == ("other", "Öğle arası")
    engine.resume(store.counter1)
    with pytest.raises(ValidationError) as refused:
        engine.pause(store.counter1, "other")
    assert refused.value.field == "note"


def test_counter_state_shows_history_notes_targets_and_pause(engine, store):
    ticket = engine.issue_ticket(store.returns, customer_name="Ali").ticket
    engine.call_next(store.counter1, user_id=1)
    engine.transfer(ticket["id"], store.payments, "Wants a refund", user_id=1)
    engine.call_next(store.counter2, user_id=1)
    engine.pause(store.counter2, "paperwork")

    state = engine.reads.counter_state(store.counter2)

    assert state["counter"]["pause_reason"] == "paperwork"
    assert [s["prefix"] for s in state["services"]] == ["A"]
    assert state["services"][0]["target_wait_s"] == 600
    current = state["current"]
    assert current["customer_name"] == "Ali"
    assert current["transferred"] is True
    assert [e["kind"] for e in current["history"]] == ["issued", "called", "transferred", "called"]
    assert current["history"][2]["data"]["note"] == "Wants a refund"
    assert current["history"][2]["user_name"] == "staff"
    assert current["history"][3]["counter_name"] == "Counter 2"


def test_staff_today_counts_own_services_only(db, store):
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    clock = [start]
    engine = QueueEngine(db, lambda: clock[0])
    for service_s in (60, 180):
        engine.issue_ticket(store.payments)
        ticket = engine.call_next(store.counter1, user_id=1).ticket
        engine.start(ticket["id"], user_id=1)
        clock[0] += timedelta(seconds=service_s)
        engine.finish(ticket["id"], user_id=1)
    engine.issue_ticket(store.payments)
    missed = engine.call_next(store.counter1, user_id=1).ticket
    engine.no_show(missed["id"], user_id=1)
    engine.issue_ticket(store.payments)
    other = engine.call_next(store.counter2, user_id=2).ticket
    engine.start(other["id"], user_id=2)
    engine.finish(other["id"], user_id=2)

    assert engine.reads.staff_today(1, store.branch_id) == {
        "served": 2,
        "no_show": 1,
        "avg_service_s": 120,
    }
    assert engine.reads.staff_today(3, store.branch_id) == {
        "served": 0,
        "no_show": 0,
        "avg_service_s": None,
    }
