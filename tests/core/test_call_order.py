"""call_next: who is called first, at which counters, and when a counter may not call."""

from __future__ import annotations

import pytest

from server.domain.errors import Conflict, InvalidTransition, NotFound
from server.store import set_counter_active
from tests.core.state import database_state, ticket_events


def issue(engine, service_id, **fields) -> dict:
    return engine.issue_ticket(service_id, **fields).ticket


def test_call_next_takes_the_longest_waiting_ticket(engine, store, clock):
    first = issue(engine, store.payments)
    clock.advance(60)
    issue(engine, store.payments)
    assert engine.call_next(store.counter2).ticket["id"] == first["id"]


def test_the_longest_wait_wins_across_the_services_a_counter_serves(engine, store, clock):
    returns = issue(engine, store.returns)
    clock.advance(60)
    issue(engine, store.payments)
    assert engine.call_next(store.counter1).ticket["id"] == returns["id"]


def test_tickets_issued_in_the_same_instant_are_called_in_issue_order(engine, store):
    tickets = [issue(engine, store.payments) for _ in range(3)]
    called = [engine.call_next(c).ticket["id"] for c in (store.counter1, store.counter2)]
    assert called == [tickets[0]["id"], tickets[1]["id"]]


def test_a_stated_priority_need_goes_first(engine, store, clock):
    issue(engine, store.payments)
    clock.advance(60)
    elderly = issue(engine, store.payments, priority="elderly")
    assert engine.call_next(store.counter2).ticket["id"] == elderly["id"]


def test_a_ticket_transferred_in_goes_before_those_waiting_longer(engine, store, clock):
    waiting = issue(engine, store.returns)
    clock.advance(60)
    issue(engine, store.payments)
    moved = engine.call_next(store.counter2).ticket
    engine.transfer(moved["id"], store.returns, "needs a refund")
    called = engine.call_next(store.counter1).ticket
    assert called["id"] == moved["id"] != waiting["id"]


def test_a_priority_need_goes_before_a_ticket_transferred_in(engine, store, clock):
    issue(engine, store.payments)
    moved = engine.call_next(store.counter2).ticket
    clock.advance(60)
    pregnant = issue(engine, store.returns, priority="pregnancy")
    engine.transfer(moved["id"], store.returns)
    assert engine.call_next(store.counter1).ticket["id"] == pregnant["id"]


def test_a_counter_calls_only_the_services_it_serves(engine, store):
    issue(engine, store.returns)
    assert engine.call_next(store.counter2) is None  # counter 2 serves payments only


def test_a_closed_service_is_skipped(engine, store, db, clock):
    issue(engine, store.returns)
    clock.advance(60)
    payments = issue(engine, store.payments)
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.returns])
    assert engine.call_next(store.counter1).ticket["id"] == payments["id"]


def test_only_a_closed_services_tickets_waiting_means_nobody_to_call(engine, store, db):
    issue(engine, store.returns)
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.returns])
    assert engine.call_next(store.counter1) is None


def test_yesterdays_waiting_tickets_are_not_called_today_but_closed(engine, store, clock, db):
    yesterday = issue(engine, store.payments)
    clock.advance(86400)
    today = issue(engine, store.payments)
    assert engine.call_next(store.counter2).ticket["id"] == today["id"]
    assert engine.reads.ticket(yesterday["id"])["status"] == "cancelled"
    assert ticket_events(db, yesterday["id"])[-1]["kind"] == "expired"


def test_nobody_waiting_returns_none_and_changes_nothing(engine, store, db):
    before = database_state(db)
    assert engine.call_next(store.counter1) is None
    assert database_state(db) == before


def test_the_called_ticket_is_at_the_counter_with_the_staff_member(engine, store, clock):
    issue(engine, store.payments)
    clock.advance(90)
    called = engine.call_next(store.counter2, user_id=1).ticket
    assert called["status"] == "called"
    assert called["counter"] == {"id": store.counter2, "name": "Counter 2", "names": {}}
    assert called["called_at"] == "2026-03-02T09:01:30.000000+00:00"
    assert called["position"] is None and called["eta_s"] is None


def test_a_closed_counter_may_not_call(engine, store, db):
    issue(engine, store.payments)
    set_counter_active(db, store.counter2, False)
    before = database_state(db)
    with pytest.raises(InvalidTransition) as refused:
        engine.call_next(store.counter2)
    assert refused.value.field == "counter_id"
    assert "closed" in refused.value.message
    assert database_state(db) == before


def test_a_counter_still_holding_a_ticket_may_not_call_another(engine, store, db):
    issue(engine, store.payments)
    issue(engine, store.payments)
    engine.call_next(store.counter2)
    before = database_state(db)
    with pytest.raises(Conflict) as refused:
        engine.call_next(store.counter2)
    assert "A001" in refused.value.message
    assert database_state(db) == before


def test_an_unknown_counter_is_not_found(engine, store):
    with pytest.raises(NotFound) as refused:
        engine.call_next(999)
    assert refused.value.field == "counter_id"
