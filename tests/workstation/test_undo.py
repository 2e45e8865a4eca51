"""Undo at the counter: a finish or no-show of a moment ago is taken back, as its own move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import InvalidTransition
from server.domain.tickets import UNDO_WINDOW
from server.engine import QueueEngine
from tests.conftest import bearer
from tests.core.state import database_state


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(db, clock) -> QueueEngine:
    return QueueEngine(db, clock)


def serving(desk: QueueEngine, store, clock: Clock) -> dict:
    ticket = desk.issue_ticket(store.payments).ticket
    clock.tick(60)
    desk.call_next(store.counter2, user_id=1)
    desk.start(ticket["id"], user_id=1)
    return ticket


def test_a_finish_is_undone_and_service_time_counts_both_spells(desk, store, clock, db):
    ticket = serving(desk, store, clock)
    clock.tick(100)
    desk.finish(ticket["id"], user_id=1)
    assert desk.reads.counter_state(store.counter2)["undo"]["ticket_id"] == ticket["id"]
    clock.tick(4)

    change = desk.undo_last(store.counter2, user_id=1)

    assert change.ticket["status"] == "serving" and change.ticket["finished_at"] is None
    assert desk.reads.counter_state(store.counter2)["current"]["id"] == ticket["id"]
    kinds = [e["kind"] for e in desk.reads.ticket_history(ticket["id"])]
    assert kinds[-2:] == ["finished", "finish_undone"]
    clock.tick(50)
    desk.finish(ticket["id"], user_id=1)
    service_ms = db.execute("SELECT service_ms FROM tickets WHERE id = ?", [ticket["id"]])
    assert service_ms.fetchone()[0] == 150_000  # 100 s, then 50 s after the undo


def test_a_no_show_is_undone_back_to_called(desk, store, clock):
    ticket = desk.issue_ticket(store.payments).ticket
    desk.call_next(store.counter2, user_id=1)
    desk.no_show(ticket["id"], user_id=1)
    change = desk.undo_last(store.counter2, user_id=1)
    assert change.ticket["status"] == "called"
    assert desk.reads.ticket_history(ticket["id"])[-1]["kind"] == "no_show_undone"


def test_too_late_or_after_another_move_nothing_is_undone(desk, store, clock, db):
    first = serving(desk, store, clock)
    desk.finish(first["id"], user_id=1)
    clock.tick(UNDO_WINDOW.total_seconds() + 1)
    assert desk.reads.counter_state(store.counter2)["undo"] is None
    before = database_state(db)
    with pytest.raises(InvalidTransition):
        desk.undo_last(store.counter2)
    assert database_state(db) == before
    second = serving(desk, store, clock)
    desk.finish(second["id"], user_id=1)
    desk.issue_ticket(store.payments)
    desk.call_next(store.counter2, user_id=1)  # the counter moved on
    with pytest.raises(InvalidTransition):
        desk.undo_last(store.counter2)


def test_a_rated_visit_is_not_undone(desk, store, clock, db):
    ticket = serving(desk, store, clock)
    desk.finish(ticket["id"], user_id=1)
    desk.rate(ticket["token"], 5, channel="feedback", counter_id=store.counter2)
    # the rating is the counter's latest event: nothing to undo any more
    with pytest.raises(InvalidTransition):
        desk.undo_last(store.counter2)
    assert desk.reads.ticket_row(ticket["id"])["status"] == "done"


def test_undo_over_the_api_is_audited(client, store, db):
    post = lambda path: client.post(f"/api/v1{path}", headers=bearer(store.staff_token))  # noqa: E731
    client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    ticket = post(f"/counters/{store.counter2}/call-next").json
    assert post(f"/tickets/{ticket['id']}/no-show").status_code == 200
    undone = post(f"/counters/{store.counter2}/undo")
    assert undone.status_code == 200 and undone.json["status"] == "called"
    staff_id = db.execute("SELECT id FROM users WHERE username = 'staff'").fetchone()[0]
    event = db.execute(
        "SELECT kind, user_id FROM ticket_events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
        [ticket["id"]],
    ).fetchone()
    assert tuple(event) == ("no_show_undone", staff_id)
    again = post(f"/counters/{store.counter2}/undo")
    assert again.status_code == 409 and again.json["error"]["field"] == "counter_id"
