"""The thin read that feeds the wait model (server/domain/estimates.py) from the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

import sqlite_utils

from server.domain.estimates import (
    BranchEstimates,
    CounterNow,
    ServiceTimes,
    Waiting,
    breaks_ahead,
    estimate_branch,
    learn_history,
)
from server.domain.tickets import QUEUE_ORDER
from server.engine.clock import Clock, iso, parse
from server.storage import times_undone

# How much history the model learns from: recent services per service, recent calls, pauses.
RECENT_SERVICES = 100
RECENT_CALLS = 200
RECENT_PAUSES = 20
# The day's pattern of breaks is read from the pauses that began over the last few days.
RECENT_BREAKS = 60
# Seconds between two stamps, worked out by SQLite (NULL when either is).
SECONDS = "(julianday({end}) - julianday({start})) * 86400"
# Priority and transfer arrivals are counted over the last hour (or the day so far, if shorter).
JUMP_WINDOW_S = 3600
MIN_JUMP_WINDOW_S = 900


def run_here(work: Callable[[], Any]) -> Any:
    return work()


def seconds_between(start: str | None, end: str) -> float | None:
    return None if start is None else (parse(end) - parse(start)).total_seconds()


@dataclass(frozen=True)
class State:
    """What a branch's estimates are a function of, short of reading the queue: the branch's
    `seq` (bumped by every change of it), the service day, the clock to the second, and the
    connection's undone writes (a rolled-back change gives its seq to the next one)."""

    day: str
    seq: int
    second: datetime
    undone: int


# Per connection, per branch: the last estimates and the state they were made in. A writer
# makes a new engine for every unit and a pooled connection serves request after request: the
# estimates are kept for as long as the connection lives, not the engine.
KEPT: WeakKeyDictionary[sqlite_utils.Database, dict[int, tuple[State, BranchEstimates]]] = (
    WeakKeyDictionary()
)


# Per connection, per branch: what its history says, and the marker it was learned at.
LEARNED: WeakKeyDictionary[
    sqlite_utils.Database, dict[int, tuple[tuple[int, int], ServiceTimes]]
] = WeakKeyDictionary()


class BranchEstimator:
    """Gathers one branch's counters, queue and history, and plays the model once per state.

    A change that reads the ticket, then the queue state, then each phone's position pays once;
    a ticket issued at the end of the queue (`joining`) continues the last play instead of
    replaying the whole queue, so issuing does not cost more as the queue grows.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Clock,
        long_work: Callable[[Callable[[], Any]], Any] = run_here,
    ):
        self.db = db
        self.clock = clock
        self.long_work = long_work
        self.joining: dict[int, tuple[State, Waiting]] = {}

    def estimates(self, branch_id: int, day: str) -> BranchEstimates:
        now = self.clock()
        state = self.state(branch_id, day, now)
        kept = KEPT.setdefault(self.db, {})
        before, estimates = kept.get(branch_id, (None, None))
        if before == state:
            return estimates
        joined = self.joining.pop(branch_id, None)
        if joined and before == joined[0] and state == replace(before, seq=before.seq + 1):
            estimates = estimates.then(joined[1])
        else:
            estimates = self.long_work(lambda: self.play(branch_id, day, now))
        kept[branch_id] = (state, estimates)
        return estimates

    def play(self, branch_id: int, day: str, now: datetime) -> BranchEstimates:
        """A full play of the branch's queue: time in proportion to its length."""
        now_text = iso(now)
        return estimate_branch(
            self.counters(branch_id, now_text),
            self.waiting(branch_id, day),
            self.service_times(branch_id, day, now_text),
        )

    def join(self, branch_id: int, day: str, ticket_id: int, service_id: int) -> None:
        """Tell the estimator that the change under way adds this ticket at the end of the
        queue (no priority, not transferred) and nothing else the model reads."""
        state = self.state(branch_id, day, self.clock())
        self.joining[branch_id] = (state, Waiting(ticket_id, service_id))

    def state(self, branch_id: int, day: str, now: datetime) -> State:
        (seq,) = self.db.execute("SELECT seq FROM branches WHERE id = ?", [branch_id]).fetchone()
        return State(day, seq, now.replace(microsecond=0), times_undone(self.db))

    def rows(self, sql: str, params: list | dict) -> list[dict]:
        return [dict(r) for r in self.db.execute(sql, params).fetchall()]

    def tuples(self, sql: str, params: list | dict) -> list[tuple]:
        cursor = self.db.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    def counters(self, branch_id: int, now: str) -> list[CounterNow]:
        found = self.rows(
            "SELECT counters.id, counters.active, counters.staffed_by, counters.paused_at,"
            " (SELECT json_group_array(service_id) FROM counter_services"
            "   JOIN services ON services.id = counter_services.service_id AND services.active"
            "   WHERE counter_id = counters.id) AS service_ids"
            " FROM counters WHERE counters.branch_id = ? ORDER BY counters.id",
            [branch_id],
        )
        in_hand = {  # through tickets_at_branch_counters: only the tickets at counters now
            t["counter_id"]: t
            for t in self.rows(
                "SELECT counter_id, service_id, called_at, started_at FROM tickets"
                " WHERE branch_id = ? AND status IN ('called', 'serving')",
                [branch_id],
            )
        }
        nothing = {"service_id": None, "called_at": None, "started_at": None}
        counters = []
        for c in found:
            ticket = in_hand.get(c["id"], nothing)
            counters.append(
                CounterNow(
                    id=c["id"],
                    service_ids=frozenset(json.loads(c["service_ids"])),
                    state=availability(c),
                    paused_s=seconds_between(c["paused_at"], now) or 0.0,
                    current_service_id=ticket["service_id"],
                    called_s=seconds_between(ticket["called_at"], now),
                    started_s=seconds_between(ticket["started_at"], now),
                )
            )
        return counters

    def waiting(self, branch_id: int, day: str) -> list[tuple[int, int]]:
        """The branch's whole queue in calling order (each counter picks its services' part),
        read in that order from tickets_queue_order, as plain (id, service_id) tuples: every
        full play reads it."""
        return self.tuples(
            "SELECT tickets.id, tickets.service_id FROM tickets"
            " WHERE tickets.branch_id = ? AND tickets.service_day = ?"
            f" AND tickets.status = 'waiting' ORDER BY {QUEUE_ORDER}",
            [branch_id, day],
        )

    def service_times(self, branch_id: int, day: str, now: str) -> ServiceTimes:
        return self.history(branch_id).for_today(
            self.jump_rates(branch_id, day, now), self.breaks_due(branch_id, now)
        )

    def history(self, branch_id: int) -> ServiceTimes:
        """What the branch's history says, learned again only when it has changed: its
        `history_seq`, bumped by triggers (migration 0150), or a write undone on this
        connection (a rolled-back change gives its history_seq to the next one)."""
        (version,) = self.db.execute(
            "SELECT history_seq FROM branches WHERE id = ?", [branch_id]
        ).fetchone()
        marker = (version, times_undone(self.db))
        learned = LEARNED.setdefault(self.db, {})
        kept = learned.get(branch_id)
        if kept is None or kept[0] != marker:
            kept = learned[branch_id] = (marker, self.learn_history(branch_id))
        return kept[1]

    def learn_history(self, branch_id: int) -> ServiceTimes:
        """The branch's recent services, calls and pauses, read as plain tuples with the seconds
        worked out by SQLite, and learned from."""
        services = [
            row
            for (service_id,) in self.db.execute(
                "SELECT id FROM services WHERE branch_id = ?", [branch_id]
            ).fetchall()
            for row in self.tuples(  # each service's latest, through tickets_recent_done
                "SELECT service_id, counter_id,"
                f" {SECONDS.format(start='started_at', end='finished_at')} FROM tickets"
                " WHERE service_id = ? AND status = 'done' AND started_at IS NOT NULL"
                " ORDER BY finished_at DESC LIMIT ?",
                [service_id, RECENT_SERVICES],
            )
        ]
        calls = self.tuples(  # (call → start, or None; call → no-show, or None)
            f"SELECT {SECONDS.format(start='called_at', end='started_at')},"
            " CASE WHEN status = 'no_show' THEN"
            f" {SECONDS.format(start='called_at', end='finished_at')} END FROM tickets"
            " WHERE branch_id = ? AND called_at IS NOT NULL"
            " AND (started_at IS NOT NULL OR status = 'no_show')"
            " ORDER BY called_at DESC LIMIT ?",
            [branch_id, RECENT_CALLS],
        )
        pauses = self.tuples(
            "SELECT json_extract(counter_events.data, '$.paused_s') FROM counter_events"
            " JOIN counters ON counters.id = counter_events.counter_id"
            " WHERE counters.branch_id = ? AND counter_events.kind = 'resumed'"
            " ORDER BY counter_events.id DESC LIMIT ?",
            [branch_id, RECENT_PAUSES],
        )
        return learn_history(services, calls, [s for (s,) in pauses if s is not None])

    def breaks_due(self, branch_id: int, now: str) -> tuple[float, ...]:
        """Seconds from now to the breaks the branch's recent days say are still to come."""
        zone = ZoneInfo(
            self.db.execute("SELECT timezone FROM branches WHERE id = ?", [branch_id]).fetchone()[0]
        )
        rows = self.db.execute(
            "SELECT counter_events.at FROM counter_events"
            " JOIN counters ON counters.id = counter_events.counter_id"
            " WHERE counters.branch_id = ? AND counter_events.kind = 'paused'"
            " ORDER BY counter_events.id DESC LIMIT ?",
            [branch_id, RECENT_BREAKS],
        ).fetchall()
        local_now = parse(now).astimezone(zone)
        starts = []
        for (at,) in rows:
            local = parse(at).astimezone(zone)
            starts.append((local.date().isoformat(), seconds_of_day(local)))
        return breaks_ahead(starts, local_now.date().isoformat(), seconds_of_day(local_now))

    def jump_rates(self, branch_id: int, day: str, now: str) -> dict[int, float]:
        """Per service, priority tickets and transfers in per second over the recent window."""
        first = self.db.execute(
            "SELECT min(created_at) FROM tickets INDEXED BY tickets_day_created"
            " WHERE branch_id = ? AND service_day = ?",
            [branch_id, day],
        ).fetchone()[0]
        if first is None:
            return {}
        window = min(JUMP_WINDOW_S, max(seconds_between(first, now), MIN_JUMP_WINDOW_S))
        since = iso(parse(now) - timedelta(seconds=window))
        counts = self.rows(
            "SELECT service_id, count(*) AS n FROM tickets INDEXED BY tickets_day_created"
            " WHERE branch_id = :branch AND service_day = :day AND created_at >= :since"
            " AND priority IS NOT NULL"
            " GROUP BY service_id"
            " UNION ALL SELECT json_extract(e.data, '$.to_service_id'), count(*)"
            " FROM ticket_events e INDEXED BY ticket_events_at"
            " JOIN tickets ON tickets.id = e.ticket_id"
            " WHERE e.at >= :since AND e.kind = 'transferred' AND tickets.branch_id = :branch"
            " GROUP BY 1",
            {"branch": branch_id, "day": day, "since": since},
        )
        rates: dict[int, float] = {}
        for r in counts:
            rates[r["service_id"]] = rates.get(r["service_id"], 0.0) + r["n"] / window
        return rates


def seconds_of_day(moment: datetime) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def availability(counter: dict) -> str:
    """Open while someone is signed in at it and it is not paused."""
    if not counter["active"] or counter["staffed_by"] is None:
        return "closed"
    return "paused" if counter["paused_at"] else "open"
