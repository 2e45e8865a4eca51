"""Joining from a phone: the store's rules, one ticket per phone, "more time" and "leave"."""

from __future__ import annotations

import json

import pytest

from server.domain.errors import NotFound, ValidationError
from server.domain.remote_joining import JoinRefused, MoveRefused
from server.joining import set_remote_joining
from tests.core.state import database_state, ticket_events

OPEN = {"enabled": True, "closes_before_min": 30}


@pytest.fixture
def remote(db, store):
    """The test store with remote joining switched on (no hours set: always open)."""
    set_remote_joining(db, "branch", store.branch_id, OPEN)
    return store


def join(engine, store, phone="phone-1", **fields):
    return engine.join("test", fields.pop("service_id", store.payments), phone_id=phone, **fields)


def refused(engine, db, store, rule, error=JoinRefused, **fields):
    before = database_state(db)
    with pytest.raises(error) as caught:
        join(engine, store, **fields)
    assert caught.value.code == rule
    assert database_state(db) == before
    return caught.value


def test_a_phone_joins_through_the_kiosks_numbering(engine, remote):
    kiosk = engine.issue_ticket(remote.payments).ticket
    change = join(engine, remote, language="tr", customer_name="Ayşe")
    ticket = change.ticket
    assert (kiosk["channel"], ticket["channel"]) == ("kiosk", "phone")
    assert (ticket["code"], ticket["position"], ticket["language"]) == ("A002", 1, "tr")
    assert ticket["customer_name"] == "Ayşe"
    assert [e["kind"] for e in ticket_events(engine.db, ticket["id"])] == ["issued"]


def test_staff_tickets_are_marked_staff(engine, remote):
    assert engine.issue_ticket(remote.payments, user_id=1).ticket["channel"] == "staff"


def test_remote_joining_is_off_until_a_store_opens_it(engine, db, store):
    refused(engine, db, store, "remote_joining_off")


def test_a_service_can_stay_off_while_its_branch_is_on(engine, db, remote):
    set_remote_joining(db, "service", remote.returns, {"enabled": False})
    refused(engine, db, remote, "remote_joining_off", service_id=remote.returns)
    assert join(engine, remote).ticket["channel"] == "phone"


def test_one_active_ticket_per_phone_per_branch(engine, db, remote, other_branch):
    first = join(engine, remote).ticket
    refused(engine, db, remote, "one_ticket_per_phone", MoveRefused, service_id=remote.returns)
    # Another phone behind the same shop Wi-Fi (the engine never sees addresses) may join.
    assert join(engine, remote, phone="phone-2").ticket["code"] == "A002"
    # Once the first ticket is over, the phone may join again.
    engine.leave(first["token"])
    assert join(engine, remote).ticket["code"] == "A003"
    # Another branch is another queue.
    set_remote_joining(db, "branch", other_branch.branch_id, OPEN)
    other = engine.join("other", other_branch.service, phone_id="phone-1")
    assert other.ticket["branch_id"] == other_branch.branch_id


def test_a_repeated_key_from_the_same_phone_returns_the_first_ticket(engine, remote):
    first = join(engine, remote, idempotency_key="k1")
    again = join(engine, remote, idempotency_key="k1")
    assert again.replayed and again.ticket["id"] == first.ticket["id"]
    # The same key from another phone is that phone's own join.
    other = join(engine, remote, phone="phone-2", idempotency_key="k1")
    assert not other.replayed and other.ticket["id"] != first.ticket["id"]


def test_hours_close_a_set_time_before_the_branch(engine, db, remote, clock):
    # The test clock is Monday 12:00 in Istanbul.
    db.execute(
        "UPDATE branches SET opening_hours = ? WHERE id = ?",
        [json.dumps({"mon": {"opens": "09:00", "closes": "12:20"}}), remote.branch_id],
    )
    refused(engine, db, remote, "remote_joining_closed")  # 12:00 is within 30 min of 12:20
    set_remote_joining(db, "branch", remote.branch_id, {**OPEN, "closes_before_min": 10})
    assert join(engine, remote).ticket["status"] == "waiting"
    clock.advance(24 * 3600)  # Tuesday: closed all day
    refused(engine, db, remote, "remote_joining_closed", phone="phone-2")


def test_a_service_closes_earlier_than_its_branch(engine, db, remote):
    db.execute(
        "UPDATE branches SET opening_hours = ? WHERE id = ?",
        [json.dumps({"mon": {"opens": "09:00", "closes": "13:00"}}), remote.branch_id],
    )
    set_remote_joining(db, "service", remote.returns, {"enabled": True, "closes_before_min": 90})
    refused(engine, db, remote, "remote_joining_closed", service_id=remote.returns)
    assert join(engine, remote).ticket["status"] == "waiting"


def test_the_cap_on_remote_tickets_waiting(engine, db, remote):
    set_remote_joining(db, "branch", remote.branch_id, {**OPEN, "max_waiting": 2})
    join(engine, remote, phone="a")
    engine.issue_ticket(remote.payments)  # kiosk tickets do not count
    join(engine, remote, phone="b", service_id=remote.returns)
    refused(engine, db, remote, "remote_tickets_full", phone="c")
    engine.call_next(remote.counter2)  # a's ticket leaves the queue
    assert join(engine, remote, phone="c").ticket["channel"] == "phone"


def test_a_services_own_cap(engine, db, remote):
    set_remote_joining(db, "service", remote.payments, {"enabled": True, "max_waiting": 1})
    join(engine, remote, phone="a")
    refused(engine, db, remote, "remote_tickets_full", phone="b")
    assert join(engine, remote, phone="b", service_id=remote.returns).ticket["code"] == "B001"


def test_no_remote_ticket_past_the_queue_length(engine, db, remote):
    set_remote_joining(db, "branch", remote.branch_id, {**OPEN, "max_queue": 2})
    engine.issue_ticket(remote.payments)
    join(engine, remote, phone="a")
    refused(engine, db, remote, "queue_too_long", phone="b")


def test_priority_only_where_the_service_allows_it(engine, db, remote):
    db.execute("UPDATE services SET priority_allowed = 0 WHERE id = ?", [remote.payments])
    with pytest.raises(ValidationError) as caught:
        join(engine, remote, priority="elderly")
    assert caught.value.field == "priority"
    assert join(engine, remote, service_id=remote.returns, priority="elderly").ticket["priority"]


def test_an_unknown_or_closed_branch_is_not_found(engine, db, remote):
    with pytest.raises(NotFound):
        engine.join("nowhere", remote.payments, phone_id="p")
    db.execute("UPDATE branches SET active = 0 WHERE id = ?", [remote.branch_id])
    with pytest.raises(NotFound):
        join(engine, remote)


def test_a_service_of_another_branch_is_refused(engine, remote, other_branch):
    with pytest.raises(ValidationError) as caught:
        join(engine, remote, service_id=other_branch.service)
    assert caught.value.field == "service_id"


# -- more time -------------------------------------------------------------------------------


def queue_codes(engine, store) -> list[str]:
    day = engine.reads.today(store.branch_id)
    return [row["code"] for row in engine.reads.waiting_rows(store.payments, day)]


def test_more_time_moves_back_three_places_at_most_twice(engine, db, remote, clock):
    mine = join(engine, remote).ticket
    for _ in range(7):
        clock.advance(1)
        engine.issue_ticket(remote.payments)
    change = engine.more_time(mine["token"])
    assert queue_codes(engine, remote)[:5] == ["A002", "A003", "A004", "A001", "A005"]
    assert (change.ticket["position"], change.ticket["more_time_count"]) == (3, 1)
    assert ticket_events(db, mine["id"])[-1]["kind"] == "more_time"
    assert json.loads(ticket_events(db, mine["id"])[-1]["data"]) == {"places": 3, "count": 1}
    assert engine.more_time(mine["token"]).ticket["position"] == 6
    before = database_state(db)
    with pytest.raises(MoveRefused) as caught:
        engine.more_time(mine["token"])
    assert caught.value.code == "more_time_used_up"
    assert database_state(db) == before


def test_more_time_goes_back_only_as_far_as_the_queue(engine, remote, clock):
    mine = join(engine, remote).ticket
    clock.advance(1)
    engine.issue_ticket(remote.payments)
    assert engine.more_time(mine["token"]).ticket["position"] == 1
    with pytest.raises(MoveRefused) as caught:
        engine.more_time(mine["token"])
    assert caught.value.code == "nobody_behind"


def test_more_time_never_jumps_behind_a_different_standing(engine, remote, clock):
    mine = join(engine, remote, priority="elderly").ticket
    clock.advance(1)
    engine.issue_ticket(remote.payments)  # no priority: always behind mine
    with pytest.raises(MoveRefused) as caught:
        engine.more_time(mine["token"])
    assert caught.value.code == "nobody_behind"


def test_the_counter_calls_in_the_new_order(engine, remote, clock):
    mine = join(engine, remote).ticket
    clock.advance(1)
    engine.issue_ticket(remote.payments)
    engine.more_time(mine["token"])
    assert engine.call_next(remote.counter2).ticket["code"] == "A002"
    assert engine.call_next(remote.counter1).ticket["code"] == "A001"


def test_only_a_waiting_ticket_gets_more_time_or_leaves(engine, db, remote):
    mine = join(engine, remote).ticket
    engine.call_next(remote.counter2)
    before = database_state(db)
    for move in (engine.more_time, engine.leave):
        with pytest.raises(MoveRefused) as caught:
            move(mine["token"])
        assert caught.value.code == "not_waiting"
    assert database_state(db) == before


def test_leaving_cancels_the_ticket_and_moves_the_queue_up(engine, db, remote, clock):
    mine = join(engine, remote).ticket
    clock.advance(1)
    other = engine.issue_ticket(remote.payments).ticket
    change = engine.leave(mine["token"])
    assert change.ticket["status"] == "cancelled"
    assert ticket_events(db, mine["id"])[-1]["kind"] == "left"
    assert engine.reads.ticket(other["id"])["position"] == 0
    with pytest.raises(NotFound):
        engine.leave("no-such-token")


def test_join_info_says_which_services_a_phone_may_join_and_why_not(engine, db, remote):
    set_remote_joining(db, "service", remote.returns, {"enabled": True, "max_queue": 1})
    engine.issue_ticket(remote.returns)
    db.execute("UPDATE services SET priority_allowed = 0 WHERE id = ?", [remote.returns])
    info = engine.join_info("test")
    assert (info["name"], info["languages"], info["branch_id"]) == (
        "Test Store",
        ["en", "tr", "ms"],
        remote.branch_id,
    )
    payments, returns = info["services"]
    assert (payments["open"], payments["closed_because"], payments["waiting"]) == (True, None, 0)
    assert (returns["open"], returns["closed_because"], returns["waiting"]) == (
        False,
        "queue_too_long",
        1,
    )
    assert (payments["priority_allowed"], returns["priority_allowed"]) == (True, False)


def test_a_ticket_left_waiting_yesterday_does_not_hold_the_phone(engine, remote, clock):
    join(engine, remote)
    clock.advance(24 * 3600)
    assert join(engine, remote).ticket["code"] == "A001"  # today's first


def test_on_my_way_is_kept_once_and_only_while_waiting(engine, db, remote, clock):
    mine = join(engine, remote).ticket
    change = engine.on_my_way(mine["token"])
    assert change.ticket["on_my_way_at"] == "2026-03-02T09:00:00.000000+00:00"
    assert ticket_events(db, mine["id"])[-1]["kind"] == "on_my_way"
    clock.advance(5)
    before = database_state(db)
    assert engine.on_my_way(mine["token"]) is None  # said again: nothing changes
    assert database_state(db) == before
    engine.call_next(remote.counter2)
    with pytest.raises(MoveRefused) as caught:
        engine.on_my_way(mine["token"])
    assert caught.value.code == "not_waiting"
