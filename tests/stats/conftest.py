"""A fixed, hand-checked day of tickets for the statistics tests, played through the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from server.engine import QueueEngine


class StepClock:
    """A clock the test sets by hand, so every timestamp below is known to the second."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, hhmm: str, day: int = 2) -> None:
        hours, minutes = map(int, hhmm.split(":"))
        self.now = datetime(2026, 3, day, hours, minutes, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class History:
    clock: StepClock
    engine: QueueEngine
    staff_id: int
    admin_id: int
    tokens: dict[str, str]  # ticket name in the story → token
    ids: dict[str, int]


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def history(db, store, clock) -> History:
    """The story (UTC; the store is in Istanbul, UTC+3, so 06:00 is 09:00 local on Monday):

    T1 A 06:00, called 06:05 at counter 1 (wait 300), served 06:06–06:10 (240), rated 5.
    T2 A 06:01, called 06:11 at counter 2 (wait 600), no-show 06:13.
    T3 B 06:02, called 06:12 at counter 1 (wait 600), serving 06:12–06:15 (180), transferred
       to A; called 06:20 at counter 2 (wait 300, 900 in all), served 06:20–06:25 (300, 480 in
       all), rated 1 with a comment.
    T4 A 06:03, cancelled 06:04.
    T5 B 20:55 (23:55 local, still Monday), called 20:58 (wait 180), served 20:58–21:00 (120),
       rated 4.
    T6 B 21:01 (00:01 local: Tuesday's first), called 21:05 (wait 240), served 21:05–21:10
       (300), rated 2.
    """
    engine = QueueEngine(db, clock)
    staff_id, admin_id = (
        db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0]
        for name in ("staff", "admin")
    )
    tickets = {}

    def issue(name: str, service_id: int, hhmm: str) -> int:
        clock.at(hhmm)
        tickets[name] = engine.issue_ticket(service_id).ticket
        return tickets[name]["id"]

    issue("T1", store.payments, "06:00")
    issue("T2", store.payments, "06:01")
    issue("T3", store.returns, "06:02")
    issue("T4", store.payments, "06:03")
    clock.at("06:04")
    engine.cancel(tickets["T4"]["id"])
    clock.at("06:05")
    assert engine.call_next(store.counter1, staff_id).ticket["code"] == "A001"
    clock.at("06:06")
    engine.start(tickets["T1"]["id"], staff_id)
    clock.at("06:10")
    engine.finish(tickets["T1"]["id"], staff_id)
    clock.at("06:11")
    assert engine.call_next(store.counter2, admin_id).ticket["code"] == "A002"
    clock.at("06:12")
    assert engine.call_next(store.counter1, staff_id).ticket["code"] == "B001"
    engine.start(tickets["T3"]["id"], staff_id)
    clock.at("06:13")
    engine.no_show(tickets["T2"]["id"], admin_id)
    clock.at("06:15")
    engine.transfer(tickets["T3"]["id"], store.payments, "needs a refund", staff_id)
    clock.at("06:20")
    assert engine.call_next(store.counter2, admin_id).ticket["code"] == "B001"
    engine.start(tickets["T3"]["id"], admin_id)
    clock.at("06:25")
    engine.finish(tickets["T3"]["id"], admin_id)
    for name, issued, start, finish in [
        ("T5", "20:55", "20:58", "21:00"),
        ("T6", "21:01", "21:05", "21:10"),
    ]:
        ticket_id = issue(name, store.returns, issued)
        clock.at(start)
        assert engine.call_next(store.counter1, staff_id).ticket["id"] == ticket_id
        engine.start(ticket_id, staff_id)
        clock.at(finish)
        engine.finish(ticket_id, staff_id)
    engine.rate(tickets["T1"]["token"], 5, None, "feedback", ["friendliness"])
    engine.rate(tickets["T3"]["token"], 1, "<b>Too slow</b>", "phone", ["wait_time"])
    engine.rate(tickets["T5"]["token"], 4)
    engine.rate(tickets["T6"]["token"], 2, "=1+1 rude")
    return History(
        clock,
        engine,
        staff_id,
        admin_id,
        {name: ticket["token"] for name, ticket in tickets.items()},
        {name: ticket["id"] for name, ticket in tickets.items()},
    )
