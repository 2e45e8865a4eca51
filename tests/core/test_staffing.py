"""Counters are open while someone works at them: sign-in, sign-out, change of counter,
heartbeat loss, and calls from a closed counter (server/engine/staffing.py)."""

from __future__ import annotations

import json

from server.domain.events import CounterChanged

STAFF, MANAGER = 1, 2  # the test store's users


def is_open(engine, counter_id: int) -> bool:
    return engine.reads.counter_summary(counter_id)["open"]


def counter_events(db, counter_id: int) -> list[tuple[str, dict]]:
    return [
        (row["kind"], json.loads(row["data"]))
        for row in db.execute(
            "SELECT kind, data FROM counter_events WHERE counter_id = ? ORDER BY id", [counter_id]
        ).fetchall()
    ]


def test_a_counter_nobody_signed_in_at_is_closed(engine, store):
    summary = engine.reads.counter_summary(store.counter1)
    assert (summary["open"], summary["staffed_by"]) == (False, None)


def test_signing_in_at_a_counter_opens_it_and_says_who_is_there(engine, store, db):
    seq = engine.reads.branch(store.branch_id)["seq"]
    [change] = engine.open_counter(store.counter1, STAFF)
    summary = engine.reads.counter_summary(store.counter1)
    assert summary["open"] and summary["staffed_by"] == {"id": STAFF, "name": "staff"}
    assert change.seq == seq + 1 and change.events == [CounterChanged(store.counter1, "opened")]
    assert counter_events(db, store.counter1) == [("opened", {})]
    # The queue state published with it counts the open counter.
    services = {s["id"]: s for s in change.queue["services"]}
    assert services[store.payments]["open_counters"] == 1


def test_signing_in_again_at_ones_own_counter_changes_nothing(engine, store):
    engine.open_counter(store.counter1, STAFF)
    assert engine.open_counter(store.counter1, STAFF) == []


def test_signing_out_closes_the_counter(engine, store, db):
    engine.open_counter(store.counter1, STAFF)
    [change] = engine.sign_out(STAFF)
    assert not is_open(engine, store.counter1)
    assert change.events == [CounterChanged(store.counter1, "closed")]
    assert counter_events(db, store.counter1)[-1] == (
        "closed",
        {"reason": "signed_out", "staff_id": STAFF},
    )


def test_changing_counter_closes_the_one_left(engine, store, db):
    engine.open_counter(store.counter1, STAFF)
    [change] = engine.open_counter(store.counter2, STAFF)
    assert (is_open(engine, store.counter1), is_open(engine, store.counter2)) == (False, True)
    assert change.events == [
        CounterChanged(store.counter1, "closed"),
        CounterChanged(store.counter2, "opened"),
    ]
    assert counter_events(db, store.counter1)[-1][1]["reason"] == "changed_counter"


def test_a_colleague_taking_over_the_counter_is_recorded(engine, store, db):
    engine.open_counter(store.counter1, STAFF)
    engine.open_counter(store.counter1, MANAGER)
    assert engine.reads.counter_summary(store.counter1)["staffed_by"]["id"] == MANAGER
    assert counter_events(db, store.counter1)[-1] == ("opened", {"replaced": STAFF})


def test_a_lost_heartbeat_closes_the_counter_after_the_grace_period(engine, store, clock, db):
    engine.open_counter(store.counter1, STAFF)
    assert engine.heartbeat(store.counter1, STAFF)
    clock.advance(50)
    assert engine.close_unattended(60) == []
    assert is_open(engine, store.counter1)
    clock.advance(20)
    [change] = engine.close_unattended(60)
    assert change.events == [CounterChanged(store.counter1, "closed")]
    assert not is_open(engine, store.counter1)
    assert counter_events(db, store.counter1)[-1][1]["reason"] == "heartbeat_lost"
    # The workstation comes back: its heartbeat says the counter is no longer its own.
    assert not engine.heartbeat(store.counter1, STAFF)


def test_heartbeats_keep_a_counter_open(engine, store, clock):
    engine.open_counter(store.counter1, STAFF)
    for _ in range(5):
        clock.advance(40)
        engine.heartbeat(store.counter1, STAFF)
        assert engine.close_unattended(60) == []
    assert is_open(engine, store.counter1)


def test_a_counter_opened_without_a_workstation_does_not_time_out(engine, store, clock):
    engine.open_counter(store.counter1, STAFF)  # through the API: no heartbeat ever
    clock.advance(3600)
    assert engine.close_unattended(60) == []
    assert is_open(engine, store.counter1)


def test_a_call_from_a_closed_counter_opens_it(engine, store, db):
    engine.issue_ticket(store.payments)
    change = engine.call_next(store.counter2, STAFF)
    assert CounterChanged(store.counter2, "opened") in change.events
    assert is_open(engine, store.counter2)
    assert counter_events(db, store.counter2) == [("opened", {})]


def test_a_call_from_an_open_counter_records_no_counter_event(engine, store, db):
    engine.open_counter(store.counter2, STAFF)
    engine.issue_ticket(store.payments)
    change = engine.call_next(store.counter2, STAFF)
    assert not any(isinstance(event, CounterChanged) for event in change.events)


def test_a_paused_counter_is_staffed_but_not_open(engine, store):
    engine.open_counter(store.counter1, STAFF)
    engine.pause(store.counter1, "lunch")
    summary = engine.reads.counter_summary(store.counter1)
    assert (summary["open"], summary["staffed_by"]["id"]) == (False, STAFF)


def test_closing_the_last_counter_of_a_service_leaves_its_tickets_without_an_estimate(
    engine, store
):
    engine.open_counter(store.counter1, STAFF)
    ticket = engine.issue_ticket(store.returns).ticket  # only counter 1 serves Returns
    assert ticket["eta_s"] == 0
    engine.sign_out(STAFF)
    assert engine.reads.ticket(ticket["id"])["eta_s"] is None


def test_the_estimate_given_at_issue_is_kept_on_the_ticket(engine, store, db):
    engine.open_counter(store.counter2, STAFF)
    first = engine.issue_ticket(store.payments).ticket
    second = engine.issue_ticket(store.payments).ticket
    engine.sign_out(STAFF)
    unstaffed = engine.issue_ticket(store.payments).ticket
    stored = dict(db.execute("SELECT id, eta_at_issue_s FROM tickets").fetchall())
    assert stored[first["id"]] == 0 and stored[second["id"]] == second["eta_s"] > 0
    assert stored[unstaffed["id"]] is None
