"""Random days at the desk: any sequence of moves keeps the queue's invariants.

Hypothesis drives the real engine over a real SQLite file: tickets issued (some with repeated
idempotency keys), next numbers called at random counters, every counter move tried on any
ticket (legal or not), the holder's "more time" and "leave", counters and services opened and
closed, and a clock that jumps across midnight. After every step the whole database is checked.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from server.demo import MovingClock
from server.domain.errors import Conflict, DomainError, InvalidTransition, ValidationError
from server.domain.remote_joining import MORE_TIME_LIMIT, MORE_TIME_PLACES, MoveRefused
from server.domain.tickets import (
    IDEMPOTENCY_TTL,
    MOVES,
    PRIORITY_NEEDS,
    Status,
    idempotency_scope,
    next_status,
)
from server.engine import Change, QueueEngine
from server.engine.clock import iso
from server.storage import connect
from server.store import set_counter_active
from tests.core.conftest import START
from tests.core.state import branch_seq, database_state
from tests.store import copy_store

# The move each ticket event records (None: the event changes no status).
EVENT_MOVES = {
    "called": "call",
    "recalled": "recall",
    "started": "start",
    "finished": "finish",
    "no_show": "no_show",
    "parked": "park",
    "transferred": "transfer",
    "cancelled": "cancel",
    "expired": "cancel",  # closed by the first call of a later service day
    "left": "cancel",  # the holder left the queue
    "rated": None,
    "more_time": None,
    "on_my_way": None,
}
# The events that change no status, and the status they happen in.
STILL = {"rated": Status.DONE, "more_time": Status.WAITING, "on_my_way": Status.WAITING}
COUNTER_MOVES = ("recall", "start", "finish", "no_show", "park", "cancel")


# Each ticket with how it last joined a queue (issued, parked or transferred), from its history.
TICKETS = (
    "SELECT tickets.*, (SELECT kind FROM ticket_events WHERE ticket_id = tickets.id"
    " AND kind IN ('issued', 'parked', 'transferred') ORDER BY id DESC LIMIT 1) AS joined_by"
    " FROM tickets"
)


def calling_order(ticket: dict) -> tuple:
    """DESIGN.md's order, from the history: the oracle for QUEUE_ORDER and its columns."""
    transferred_in = ticket["joined_by"] == "transferred"
    return (ticket["priority"] is None, not transferred_in, ticket["queued_at"], ticket["id"])


class DeskDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="sira-property-"))
        path = str(self.directory / "sira.db")
        self.store = copy_store(path)
        self.db = connect(path)
        self.clock = MovingClock(START)
        self.engine = QueueEngine(self.db, self.clock)
        self.changes = 0  # committed changes so far: the branch seq must equal this
        self.expired = 0  # earlier days' tickets closed by calls, an event each

    def teardown(self) -> None:
        self.db.conn.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------

    def a_second_later(self) -> None:
        """Real time never stands still between two taps (it does within one step, here)."""
        self.clock.advance(1)

    def rows(self, sql: str, params: list | tuple = ()) -> list[dict]:
        return [dict(row) for row in self.db.execute(sql, params)]

    def ticket(self, ticket_id: int) -> dict:
        return self.rows(f"{TICKETS} WHERE id = ?", [ticket_id])[0]

    def active(self, table: str, row_id: int) -> bool:
        return bool(self.rows(f"SELECT active FROM {table} WHERE id = ?", [row_id])[0]["active"])

    def committed(self, change: Change) -> None:
        """A change the engine made: exactly one more seq, returned with the change."""
        self.changes += 1
        assert change.seq == self.changes == branch_seq(self.db, self.store.branch_id)

    def pick(self, data: st.DataObject, statuses: frozenset[Status]) -> int | None:
        """Mostly a ticket the move applies to, sometimes any ticket (to try illegal moves)."""
        everyone = [row["id"] for row in self.rows("SELECT id FROM tickets ORDER BY id")]
        if not everyone:
            return None
        marks = ", ".join("?" * len(statuses))
        legal = [
            row["id"]
            for row in self.rows(
                f"SELECT id FROM tickets WHERE status IN ({marks}) ORDER BY id", sorted(statuses)
            )
        ]
        anything = data.draw(st.integers(0, 3), label="try any ticket") == 0
        return data.draw(st.sampled_from(everyone if anything or not legal else legal))

    def refused(self, error: type[DomainError], attempt: Callable[[], object]) -> None:
        """The attempt raises `error` and leaves every row as it was."""
        before = database_state(self.db)
        with pytest.raises(error):
            attempt()
        assert database_state(self.db) == before

    # -- rules -----------------------------------------------------------------------------

    @initialize()
    def opening(self) -> None:
        assert branch_seq(self.db, self.store.branch_id) == 0
        self.asked: dict[str, tuple[int, str | None]] = {}  # what each key's first request was

    @rule(
        service=st.sampled_from(["payments", "returns"]),
        priority=st.sampled_from([None, None, None, *PRIORITY_NEEDS]),
        key=st.sampled_from([None, None, "kiosk:1", "kiosk:2"]),
    )
    def issue(self, service: str, priority: str | None, key: str | None) -> None:
        self.a_second_later()
        service_id = getattr(self.store, service)
        stored = idempotency_scope(key, None, None) if key else None
        live_since = iso(self.clock() - IDEMPOTENCY_TTL)  # an older key starts afresh
        earlier = self.rows(
            "SELECT id FROM tickets WHERE idempotency_key = ? AND created_at >= ?",
            [stored, live_since],
        )
        if earlier and self.asked[key] != (service_id, priority):
            self.refused(
                ValidationError,
                lambda: self.engine.issue_ticket(
                    service_id, priority=priority, idempotency_key=key
                ),
            )
        elif earlier:
            change = self.engine.issue_ticket(service_id, priority=priority, idempotency_key=key)
            assert change.replayed and change.ticket["id"] == earlier[0]["id"]
            assert branch_seq(self.db, self.store.branch_id) == self.changes
        elif not self.active("services", service_id):
            self.refused(ValidationError, lambda: self.engine.issue_ticket(service_id))
        else:
            self.committed(
                self.engine.issue_ticket(service_id, priority=priority, idempotency_key=key)
            )
            if key:
                self.asked[key] = (service_id, priority)

    @rule(counter=st.sampled_from(["counter1", "counter2"]))
    def call_next(self, counter: str) -> None:
        self.a_second_later()
        counter_id = getattr(self.store, counter)
        if not self.active("counters", counter_id):
            self.refused(InvalidTransition, lambda: self.engine.call_next(counter_id))
            return
        if self.rows(
            "SELECT 1 FROM tickets WHERE counter_id = ? AND status IN ('called', 'serving')",
            [counter_id],
        ):
            self.refused(Conflict, lambda: self.engine.call_next(counter_id))
            return
        candidates = self.rows(
            f"{TICKETS} JOIN counter_services USING (service_id)"
            " JOIN services ON services.id = tickets.service_id"
            " WHERE counter_services.counter_id = ? AND services.active"
            " AND tickets.status = 'waiting' AND tickets.service_day = ?",
            [counter_id, self.engine.reads.today(self.store.branch_id)],
        )
        stale = self.rows(
            "SELECT id FROM tickets WHERE status = 'waiting' AND service_day < ?",
            [self.engine.reads.today(self.store.branch_id)],
        )
        if candidates:
            expected = min(candidates, key=calling_order)
            ahead = self.engine.reads.ticket(expected["id"])["position"]
            change = self.engine.call_next(counter_id)
            self.committed(change)
            assert change.ticket["id"] == expected["id"]
            assert ahead == 0  # the one called was first in its own service's queue
        else:
            assert self.engine.call_next(counter_id) is None
        # No queue carries over: earlier days' waiting tickets were closed by this call.
        self.expired += len(stale)
        assert all(self.ticket(row["id"])["status"] == Status.CANCELLED for row in stale)

    @rule(move=st.sampled_from(COUNTER_MOVES), data=st.data())
    def counter_move(self, move: str, data: st.DataObject) -> None:
        self.a_second_later()
        ticket_id = self.pick(data, MOVES[move][0])
        if ticket_id is None:
            return
        status = self.ticket(ticket_id)["status"]
        attempt = getattr(self.engine, move)
        if Status(status) in MOVES[move][0]:
            self.committed(attempt(ticket_id))
        else:
            self.refused(InvalidTransition, lambda: attempt(ticket_id))

    @rule(service=st.sampled_from(["payments", "returns"]), data=st.data())
    def transfer(self, service: str, data: st.DataObject) -> None:
        self.a_second_later()
        ticket_id = self.pick(data, MOVES["transfer"][0])
        if ticket_id is None:
            return
        service_id = getattr(self.store, service)
        status = self.ticket(ticket_id)["status"]
        attempt = lambda: self.engine.transfer(ticket_id, service_id, "moved")  # noqa: E731
        if not self.active("services", service_id):
            self.refused(ValidationError, attempt)
        elif Status(status) not in MOVES["transfer"][0]:
            self.refused(InvalidTransition, attempt)
        else:
            change = attempt()
            self.committed(change)
            moved = self.ticket(ticket_id)
            ahead = [
                other
                for other in self.rows(
                    f"{TICKETS} WHERE status = 'waiting' AND service_id = ? AND service_day = ?",
                    [service_id, moved["service_day"]],
                )
                if calling_order(other) < calling_order(moved)
            ]
            # Front of the new queue: only priority needs and earlier transfers go first.
            assert all(other["priority"] or other["joined_by"] == "transferred" for other in ahead)
            assert change.ticket["position"] == len(ahead)

    def standing(self, ticket: dict) -> tuple:
        return calling_order(ticket)[:2]

    @rule(data=st.data())
    def holder_asks_for_more_time(self, data: st.DataObject) -> None:
        self.a_second_later()
        ticket_id = self.pick(data, frozenset({Status.WAITING}))
        if ticket_id is None:
            return
        ticket = self.ticket(ticket_id)
        attempt = lambda: self.engine.more_time(ticket["token"])  # noqa: E731
        queue = sorted(
            self.rows(
                f"{TICKETS} WHERE status = 'waiting' AND service_id = ? AND service_day = ?",
                [ticket["service_id"], ticket["service_day"]],
            ),
            key=calling_order,
        )
        ids = [row["id"] for row in queue]
        behind = (
            [
                row
                for row in queue[ids.index(ticket_id) + 1 :]
                if self.standing(row) == self.standing(ticket)
            ]
            if ticket_id in ids
            else []
        )
        used_up = ticket["more_time_count"] >= MORE_TIME_LIMIT
        if ticket["status"] != Status.WAITING or used_up or not behind:
            self.refused(MoveRefused, attempt)
        else:
            self.committed(attempt())
            target = behind[min(MORE_TIME_PLACES, len(behind)) - 1]
            moved = sorted(
                self.rows(
                    f"{TICKETS} WHERE status = 'waiting' AND service_id = ? AND service_day = ?",
                    [ticket["service_id"], ticket["service_day"]],
                ),
                key=calling_order,
            )
            order = [row["id"] for row in moved]
            # Right behind the ticket it let pass last, the others' order untouched.
            assert order.index(ticket_id) == order.index(target["id"]) + 1
            assert [i for i in order if i != ticket_id] == [i for i in ids if i != ticket_id]

    @rule(data=st.data())
    def holder_is_on_the_way(self, data: st.DataObject) -> None:
        self.a_second_later()
        ticket_id = self.pick(data, frozenset({Status.WAITING}))
        if ticket_id is None:
            return
        ticket = self.ticket(ticket_id)
        attempt = lambda: self.engine.on_my_way(ticket["token"])  # noqa: E731
        if ticket["status"] != Status.WAITING:
            self.refused(MoveRefused, attempt)
        elif ticket["on_my_way_at"]:
            before = database_state(self.db)
            assert attempt() is None  # said already: nothing changes
            assert database_state(self.db) == before
        else:
            self.committed(attempt())

    @rule(data=st.data())
    def holder_leaves(self, data: st.DataObject) -> None:
        self.a_second_later()
        ticket_id = self.pick(data, frozenset({Status.WAITING}))
        if ticket_id is None:
            return
        ticket = self.ticket(ticket_id)
        attempt = lambda: self.engine.leave(ticket["token"])  # noqa: E731
        if ticket["status"] != Status.WAITING:
            self.refused(MoveRefused, attempt)
        else:
            self.committed(attempt())
            assert self.ticket(ticket_id)["status"] == Status.CANCELLED

    @rule(score=st.integers(1, 5), data=st.data())
    def rate(self, score: int, data: st.DataObject) -> None:
        ticket_id = self.pick(data, frozenset({Status.DONE}))
        if ticket_id is None:
            return
        ticket = self.ticket(ticket_id)
        attempt = lambda: self.engine.rate(ticket["token"], score)  # noqa: E731
        if ticket["status"] != Status.DONE:
            self.refused(ValidationError, attempt)
        elif self.rows("SELECT 1 FROM ratings WHERE ticket_id = ?", [ticket_id]):
            self.refused(Conflict, attempt)
        else:
            self.committed(attempt())

    @rule(open_=st.booleans())
    def open_or_close_counter2(self, open_: bool) -> None:
        set_counter_active(self.db, self.store.counter2, open_)

    @rule(open_=st.booleans())
    def open_or_close_returns(self, open_: bool) -> None:
        self.db.execute("UPDATE services SET active = ? WHERE id = ?", [open_, self.store.returns])

    @rule(seconds=st.sampled_from([1, 45, 600, 4 * 3600, 9 * 3600]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def codes_are_unique_and_numbered_without_gaps(self) -> None:
        for group in self.rows(
            "SELECT group_concat(number) AS numbers, count(DISTINCT code) AS codes, count(*) AS n"
            " FROM tickets GROUP BY branch_id, service_day, substr(code, 1, 1)"
        ):
            numbers = sorted(int(n) for n in group["numbers"].split(","))
            assert numbers == list(range(1, group["n"] + 1))
            assert group["codes"] == group["n"]

    @invariant()
    def a_ticket_is_at_one_counter_and_a_counter_holds_one_ticket(self) -> None:
        for ticket in self.rows("SELECT status, counter_id FROM tickets"):
            # Waiting and cancelled tickets are at no counter; the others are, or were, at one.
            never_left_the_queue = ticket["status"] in (Status.WAITING, Status.CANCELLED)
            assert (ticket["counter_id"] is None) == never_left_the_queue
        busy = self.rows(
            "SELECT counter_id, count(*) AS n FROM tickets"
            " WHERE status IN ('called', 'serving') GROUP BY counter_id"
        )
        assert all(row["n"] == 1 for row in busy)

    @invariant()
    def every_status_change_in_the_history_is_a_legal_move(self) -> None:
        histories: dict[int, list[str]] = {}
        for event in self.rows("SELECT ticket_id, kind FROM ticket_events ORDER BY id"):
            histories.setdefault(event["ticket_id"], []).append(event["kind"])
        for ticket in self.rows("SELECT id, code, status FROM tickets"):
            kinds = histories[ticket["id"]]
            assert kinds[0] == "issued"
            status = Status.WAITING
            for kind in kinds[1:]:
                move = EVENT_MOVES[kind]
                if move is None:
                    assert status == STILL[kind]
                else:
                    status = next_status(move, status, ticket["code"])
            assert status == ticket["status"]

    @invariant()
    def positions_run_from_zero_in_calling_order(self) -> None:
        queues: dict[tuple, list[dict]] = {}
        for ticket in self.rows(f"{TICKETS} WHERE status = 'waiting'"):
            queues.setdefault((ticket["service_id"], ticket["service_day"]), []).append(ticket)
        for queue in queues.values():
            in_order = sorted(queue, key=calling_order)
            shown = [self.engine.reads.ticket(ticket["id"])["position"] for ticket in in_order]
            assert shown == list(range(len(queue)))

    @invariant()
    def queue_lengths_are_the_waiting_tickets(self) -> None:
        kept = self.rows("SELECT service_id, service_day, waiting FROM queue_lengths")
        counted = self.rows(
            "SELECT service_id, service_day, count(*) AS waiting FROM tickets"
            " WHERE status = 'waiting' GROUP BY service_id, service_day"
        )
        assert [row for row in kept if row["waiting"]] == counted

    @invariant()
    def the_seq_counts_every_change_and_each_change_has_one_event(self) -> None:
        assert branch_seq(self.db, self.store.branch_id) == self.changes
        events = self.db.execute("SELECT count(*) FROM ticket_events").fetchone()[0]
        assert events == self.changes + self.expired


DeskDay.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_days_at_the_desk_keep_the_queue_invariants = DeskDay.TestCase
