"""Issuing tickets: daily numbers per service, codes, tokens and idempotent repeats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.domain.errors import ValidationError
from server.store import add_branch, add_service
from tests.core.state import branch_seq


def test_the_first_ticket_of_a_service_day_is_number_one(engine, store):
    ticket = engine.issue_ticket(store.payments).ticket
    assert (ticket["number"], ticket["code"], ticket["status"]) == (1, "A001", "waiting")


def test_each_service_counts_its_own_numbers(engine, store):
    services = [store.payments, store.payments, store.returns, store.payments, store.returns]
    codes = [engine.issue_ticket(service).ticket["code"] for service in services]
    assert codes == ["A001", "A002", "B001", "A003", "B002"]


def test_numbering_restarts_each_service_day_and_keeps_yesterdays_tickets(engine, store, clock, db):
    engine.issue_ticket(store.payments)
    engine.issue_ticket(store.payments)
    clock.advance(86400)
    today = engine.issue_ticket(store.payments).ticket
    assert (today["code"], today["service_day"]) == ("A001", "2026-03-03")
    history = db.execute("SELECT service_day, code FROM tickets ORDER BY id").fetchall()
    assert [tuple(row) for row in history] == [
        ("2026-03-02", "A001"),
        ("2026-03-02", "A002"),
        ("2026-03-03", "A001"),
    ]


def test_the_branch_timezone_decides_the_service_day(engine, store, clock):
    # 21:30 UTC on 2 March is already 00:30 on 3 March in Istanbul.
    clock.now = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
    ticket = engine.issue_ticket(store.payments).ticket
    assert (ticket["service_day"], ticket["code"]) == ("2026-03-03", "A001")


def test_a_day_starting_at_four_keeps_night_owls_in_the_previous_day(engine, db, clock):
    branch_id = add_branch(db, "Night", "night", timezone="Europe/Istanbul", day_starts_at="04:00")
    service = add_service(db, branch_id, "N", "Night desk")
    clock.now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 23:00 local
    evening = engine.issue_ticket(service).ticket
    clock.now = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # 03:30 local: still 2 March's day
    night = engine.issue_ticket(service).ticket
    clock.now = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)  # 04:30 local: a new day
    morning = engine.issue_ticket(service).ticket
    assert [(t["service_day"], t["code"]) for t in (evening, night, morning)] == [
        ("2026-03-02", "N001"),
        ("2026-03-02", "N002"),
        ("2026-03-03", "N001"),
    ]


def test_tokens_are_long_random_and_reveal_nothing(engine, store):
    tickets = [engine.issue_ticket(store.payments).ticket for _ in range(50)]
    tokens = [ticket["token"] for ticket in tickets]
    assert len(set(tokens)) == len(tokens)
    # 16 random bytes in URL-safe base64: 128 bits, far beyond guessing.
    assert all(len(token) >= 22 for token in tokens)
    assert all(ticket["code"] not in ticket["token"] for ticket in tickets)


def test_a_repeated_idempotency_key_returns_the_first_ticket_and_changes_nothing(engine, store, db):
    first = engine.issue_ticket(store.payments, idempotency_key="kiosk-1:42")
    seq = branch_seq(db, store.branch_id)
    repeat = engine.issue_ticket(store.payments, idempotency_key="kiosk-1:42")
    assert repeat.replayed and not first.replayed
    assert repeat.ticket["id"] == first.ticket["id"]
    assert repeat.seq == seq == branch_seq(db, store.branch_id)
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM ticket_events").fetchone()[0] == 1


def test_a_repeat_with_another_body_is_refused(engine, store):
    """Issue 11: a key replays only the request it was first sent with."""
    first = engine.issue_ticket(store.payments, idempotency_key="k")
    assert first.ticket["code"] == "A001"
    with pytest.raises(ValidationError) as refused:
        engine.issue_ticket(store.returns, idempotency_key="k")
    assert refused.value.field == "Idempotency-Key"


def test_different_idempotency_keys_make_different_tickets(engine, store):
    codes = [
        engine.issue_ticket(store.payments, idempotency_key=key).ticket["code"] for key in "xy"
    ]
    assert codes == ["A001", "A002"]


def test_idempotency_keys_of_two_branches_do_not_collide(engine, store, other_branch):
    ours = engine.issue_ticket(store.payments, idempotency_key="k", branch_id=store.branch_id)
    theirs = engine.issue_ticket(
        other_branch.service, idempotency_key="k", branch_id=other_branch.branch_id
    )
    assert not theirs.replayed
    assert theirs.ticket["id"] != ours.ticket["id"]


def test_a_staff_repeat_finds_the_ticket_in_the_branch_of_the_service(engine, store, other_branch):
    """Staff act in every branch, so their key is scoped by the service they ask for."""
    ours = engine.issue_ticket(store.payments, idempotency_key="k")
    theirs = engine.issue_ticket(other_branch.service, idempotency_key="k")
    again = engine.issue_ticket(other_branch.service, idempotency_key="k")
    assert theirs.ticket["branch_id"] == other_branch.branch_id != ours.ticket["branch_id"]
    assert again.replayed and again.ticket["id"] == theirs.ticket["id"]


def test_a_ticket_keeps_the_language_priority_and_name_given(engine, store):
    ticket = engine.issue_ticket(
        store.payments, language="tr", priority="elderly", customer_name="  Ayşe  "
    ).ticket
    assert (ticket["language"], ticket["priority"], ticket["customer_name"]) == (
        "tr",
        "elderly",
        "Ayşe",
    )


def test_without_a_language_the_ticket_takes_the_branch_default(engine, store):
    assert engine.issue_ticket(store.payments).ticket["language"] == "en"


def test_issued_and_queued_times_are_the_clock_in_utc(engine, store, clock):
    ticket = engine.issue_ticket(store.payments).ticket
    assert ticket["created_at"] == ticket["queued_at"] == "2026-03-02T09:00:00.000000+00:00"
