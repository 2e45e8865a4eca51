"""The durations the engine keeps on each ticket equal those its events tell, and migration 0031
back-fills the same values into a database that had only the events."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta

import pytest

from server.domain.errors import DomainError
from server.engine import QueueEngine
from server.stats import StatsFilter, compute_stats, kpis
from server.storage import connect, migrate
from server.storage.migrations import MIGRATIONS
from tests.stats.conftest import StepClock

# The columns migration 0031 adds, which a database before it lacks.
STORED = (
    "wait_ms",
    "service_ms",
    "wait_whole_s",
    "service_whole_s",
    "rating_score",
    "arrival_slot",
)


def from_events(db, ticket_id: int) -> tuple[int | None, int | None]:
    """Wait and service time in ms, added up here from the ticket's events by the definition."""
    wait = service = None
    previous = None
    for kind, at in db.execute(
        "SELECT kind, at FROM ticket_events WHERE ticket_id = ? AND kind IN"
        " ('issued', 'transferred', 'parked', 'called', 'started', 'finished') ORDER BY id",
        [ticket_id],
    ):
        if previous is not None:
            elapsed = (datetime.fromisoformat(at) - previous[1]) // timedelta(milliseconds=1)
            if kind == "called" and previous[0] in ("issued", "transferred", "parked"):
                wait = (wait or 0) + elapsed
            if kind in ("finished", "transferred", "parked") and previous[0] == "started":
                service = (service or 0) + elapsed
        previous = (kind, datetime.fromisoformat(at))
    return wait, service


def whole(ms: int | None) -> int | None:
    """Half a second and more rounds up, as SQLite's round() does for these positive spans."""
    return None if ms is None else (ms + 500) // 1000


# Calling, starting and finishing twice as often as the rest, so that tickets get served.
MOVES = ["issue", "call", "call", "start", "start", "finish", "finish", "park", "transfer"]
MOVES += ["no_show", "cancel", "recall", "rate", "call_ticket"]
SUITS = {
    "call_ticket": ("waiting",),
    "start": ("called",),
    "finish": ("serving",),
    "no_show": ("called",),
    "recall": ("called",),
    "cancel": ("waiting",),
    "rate": ("done",),
}
STATUSES = ("waiting", "called", "serving", "done", "no_show", "cancelled")


def play_random_moves(engine: QueueEngine, clock: StepClock, store, seed: int) -> None:
    """Issue, call (in turn or not), start, finish, park, transfer, no-show, cancel, recall and
    rate at random, the clock moving by whole milliseconds; refused moves are skipped."""
    rng = random.Random(seed)
    services = [store.payments, store.returns]
    counters = [store.counter1, store.counter2]
    for _ in range(300):
        clock.advance(milliseconds=rng.randint(0, 120_000))
        move = rng.choice(MOVES)
        # Mostly a ticket in a status the move suits, sometimes any ticket.
        statuses = SUITS.get(move, ("called", "serving")) if rng.random() < 0.9 else STATUSES
        candidates = [
            row
            for row in engine.db.execute("SELECT id, token, status FROM tickets ORDER BY id")
            if row["status"] in statuses
        ]
        try:
            if move == "call":
                engine.call_next(rng.choice(counters))
            elif move == "issue" or not candidates:
                engine.issue_ticket(rng.choice(services))
            elif move == "call_ticket":
                engine.call_ticket(rng.choice(candidates)["id"], rng.choice(counters))
            elif move == "transfer":
                engine.transfer(rng.choice(candidates)["id"], rng.choice(services))
            elif move == "rate":
                engine.rate(rng.choice(candidates)["token"], rng.randint(1, 5))
            else:
                getattr(engine, move)(rng.choice(candidates)["id"])
        except DomainError:
            pass


@pytest.mark.parametrize("seed", range(4))
def test_stored_durations_equal_those_from_the_events(db, store, seed):
    clock = StepClock()
    play_random_moves(QueueEngine(db, clock), clock, store, seed)
    tickets = db.execute(
        "SELECT tickets.*, ratings.score FROM tickets"
        " LEFT JOIN ratings ON ratings.ticket_id = tickets.id"
    ).fetchall()
    assert len(tickets) > 20
    moved = {"transferred": 0, "parked": 0, "served": 0}
    for ticket in tickets:
        wait, service = from_events(db, ticket["id"])
        assert (ticket["wait_ms"], ticket["service_ms"]) == (wait, service), ticket["code"]
        assert ticket["wait_whole_s"] == whole(wait)
        assert ticket["service_whole_s"] == whole(service)
        assert ticket["rating_score"] == ticket["score"]
        created = datetime.fromisoformat(ticket["created_at"])
        assert ticket["arrival_slot"] == int(created.timestamp()) // 600
        moved["served"] += ticket["status"] == "done"
    for kind in ("transferred", "parked"):
        moved[kind] = db.execute(
            "SELECT count(*) FROM ticket_events WHERE kind = ?", [kind]
        ).fetchone()[0]
    assert all(moved.values()), moved  # the mix really went back to queues and got served


def test_migration_back_fills_what_the_engine_keeps(db, store, history, tmp_path):
    """The story of conftest.py copied into a database as it was before migration 0031."""
    before_path = str(tmp_path / "before.db")
    before = connect(before_path)
    migrate(before, [m for m in MIGRATIONS if m[0] < "0031"])
    before.conn.close()
    db.execute("ATTACH DATABASE ? AS before", [before_path])
    for table in (
        "branches",
        "services",
        "counters",
        "counter_services",
        "users",
        "tickets",
        "ticket_events",
        "ratings",
    ):
        columns = [row[1] for row in db.execute(f"PRAGMA before.table_info({table})")]
        names = ", ".join(columns)
        db.execute(f"INSERT OR REPLACE INTO before.{table} ({names}) SELECT {names} FROM {table}")
    db.execute("DETACH DATABASE before")
    before = connect(before_path)
    assert migrate(before) == [m[0] for m in MIGRATIONS if m[0] >= "0031"]
    kept, filled = (
        connection.execute(f"SELECT id, {', '.join(STORED)} FROM tickets ORDER BY id").fetchall()
        for connection in (db, before)
    )
    assert [tuple(row) for row in filled] == [tuple(row) for row in kept]
    transferred = history.ids["T3"]
    assert tuple(
        before.execute(
            "SELECT wait_ms, service_ms FROM tickets WHERE id = ?", [transferred]
        ).fetchone()
    ) == (900_000, 480_000)
    query = StatsFilter(store.branch_id, "2026-03-02", "2026-03-03")
    assert compute_stats(before, query) == compute_stats(db, query)
    # Migration 0130 builds the rollups the engine kept move by move (sketches as JSON, their
    # keys in any order).
    rollups = [
        {
            tuple(row[:-3]): [json.loads(sketch) for sketch in row[-3:]]
            for row in connection.execute(
                "SELECT * FROM stats_rollups ORDER BY branch_id, span, period"
            ).fetchall()
        }
        for connection in (db, before)
    ]
    assert rollups[0] == rollups[1]
    assert {key[1:3] for key in rollups[0]} == {
        ("day", "2026-03-02"),
        ("day", "2026-03-03"),
        ("month", "2026-03"),
    }
    before.conn.close()


def test_back_fill_keeps_milliseconds_as_julianday_counts_them():
    """Timestamps with microseconds: each becomes whole milliseconds before subtracting."""
    db = sqlite3.connect(":memory:")
    elapsed = db.execute(
        "SELECT CAST(round((julianday('2026-03-02T06:05:00.000600+00:00')"
        " - julianday('2026-03-02T06:00:00.000400+00:00')) * 86400000) AS INTEGER)"
    ).fetchone()[0]
    assert elapsed == 300_001


def test_month_rows_and_day_rows_agree(db, store, history):
    """March read through its month rows, and through its day rows (a range that ends on April
    1st makes March a partial month): the same figures."""
    through_month = compute_stats(db, StatsFilter(store.branch_id, "2026-03-01", "2026-03-31"))
    through_days = compute_stats(db, StatsFilter(store.branch_id, "2026-03-02", "2026-04-01"))
    assert kpis.periods(StatsFilter(store.branch_id, "2026-03-01", "2026-03-31")) == [
        ("month", "2026-03", "2026-03")
    ]
    for result in (through_month, through_days):
        for key in ("from", "to", "daily"):
            result.pop(key)
    assert through_days == through_month
    assert through_month["issued"] == 6
    assert through_month["wait_s"]["p90"] == pytest.approx(780.0, rel=0.01)  # 180 … 900
