"""What one change costs: every statement of a move reads tickets through an index, never the
branch's history, and a ticket's place is counted in the waiting index without reading rows."""

from __future__ import annotations

import re

import pytest

# Past days full of finished tickets: a full scan of the tickets table would have to walk them.
HISTORY_DAYS = 3
# How a move may reach tickets and their events: by id, or through an index whose entries are
# only the waiting tickets, only those at counters, or one ticket's events. An index over the
# branch's days (tickets_daily, tickets_day_status…) would walk its history.
BOUNDED_READS = (
    "USING INTEGER PRIMARY KEY (rowid=?)",
    "USING COVERING INDEX tickets_waiting (service_id=? AND service_day=? AND status=?)",
    # The tickets behind one just issued: the waiting index from its arrival on.
    "USING COVERING INDEX tickets_waiting (service_id=? AND service_day=? AND status=?"
    " AND queued_at>?)",
    "USING COVERING INDEX tickets_waiting_days (branch_id=? AND status=? AND service_day<?)",
    "USING INDEX tickets_at_branch_counters (branch_id=?)",
    "USING INDEX tickets_at_counter (counter_id=?)",
    "USING INDEX tickets_recent_done (service_id=? AND status=?)",
    "USING COVERING INDEX tickets_idempotency (branch_id=? AND idempotency_key=?)",
    # The key's first request, with its fingerprint and age (issue 11): one row of a unique index.
    "USING INDEX tickets_idempotency (branch_id=? AND idempotency_key=?)",
    "USING INDEX ticket_events_ticket (ticket_id=?)",
    # A new ticket's foreign-key check of events pointing at it (shown with the queue triggers).
    "USING COVERING INDEX ticket_events_ticket (ticket_id=?)",
    # A statistics rollup row's longest wait, once the longest left it: max() over the last
    # column of one day × service × counter × staff member × channel, a single seek.
    "USING COVERING INDEX tickets_rollup_max (branch_id=? AND service_day=? AND service_id=?"
    " AND counter_id=? AND user_id=? AND channel=?)",
    # The wait model (server/engine/estimates.py): the branch's waiting tickets, its latest
    # calls (LIMIT, newest first, like tickets_recent_done), the last hour's arrivals, and the
    # day's first arrival (min(), one entry of the index), the last hour's transfers.
    "USING INDEX tickets_queue_order (branch_id=? AND service_day=?)",
    "USING INDEX tickets_calls (branch_id=? AND called_at>?)",
    "USING INDEX tickets_day_created (branch_id=? AND service_day=? AND created_at>?)",
    "USING COVERING INDEX tickets_day_created (branch_id=? AND service_day=?)",
    "USING INDEX ticket_events_at (at>?)",
)


def statements_of(db, move) -> list[str]:
    """The SQL statements (with their values) that `move` ran on `db`."""
    ran: list[str] = []
    db.conn.set_trace_callback(ran.append)
    try:
        move()
    finally:
        db.conn.set_trace_callback(None)
    return [sql for sql in ran if re.match(r"\s*(SELECT|UPDATE|INSERT|DELETE)", sql, re.I)]


def plan(db, sql: str) -> list[str]:
    return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]


@pytest.fixture
def busy_queue(engine, store, clock):
    """Yesterday's served tickets and today's queue of 30 in each service."""
    for _ in range(HISTORY_DAYS):
        for _ in range(10):
            ticket = engine.issue_ticket(store.payments).ticket["id"]
            engine.call_next(store.counter2)
            engine.start(ticket)
            engine.finish(ticket)
        clock.advance(86_400)
    for _ in range(30):
        engine.issue_ticket(store.payments)
        engine.issue_ticket(store.returns, priority="elderly")


def every_move(engine, store) -> None:
    engine.issue_ticket(store.payments, idempotency_key="kiosk-retry-0001")
    ticket = engine.call_next(store.counter2).ticket["id"]
    engine.recall(ticket)
    engine.start(ticket)
    engine.park(ticket)
    ticket = engine.call_next(store.counter2).ticket["id"]
    engine.start(ticket)
    engine.transfer(ticket, store.returns)
    engine.no_show(engine.call_next(store.counter1).ticket["id"])
    engine.cancel(engine.issue_ticket(store.payments).ticket["id"])


def test_every_statement_of_the_moves_reads_tickets_through_a_bounded_index(
    engine, db, store, busy_queue
):
    statements = statements_of(db, lambda: every_move(engine, store))
    assert len(statements) > 50
    for sql in statements:
        for step in plan(db, sql):
            if re.search(
                r"\b(tickets|ticket_events|t|e)\b USING|SCAN (tickets|ticket_events|e)\b", step
            ):
                assert step.endswith(BOUNDED_READS), (sql, step)


def test_a_new_tickets_place_is_its_queues_length_less_the_few_behind_it(
    engine, db, store, busy_queue
):
    statements = statements_of(db, lambda: engine.issue_ticket(store.payments))
    assert not [sql for sql in statements if "count(*)" in sql and "queued_at <" in sql], (
        "nothing counts the tickets ahead of a new ticket: the whole queue"
    )
    assert any("FROM queue_lengths" in sql for sql in statements)
    behind = [sql for sql in statements if "count(*)" in sql and "queued_at >=" in sql]
    assert behind, "the tickets behind the new one are counted"
    assert plan(db, behind[0]) == [
        "SEARCH tickets USING COVERING INDEX tickets_waiting"
        " (service_id=? AND service_day=? AND status=? AND queued_at>?)"
    ]


def test_queue_lengths_follow_every_way_into_and_out_of_a_queue(engine, db, store, busy_queue):
    def lengths() -> dict:
        kept = db.execute("SELECT service_id, service_day, waiting FROM queue_lengths")
        counted = db.execute(
            "SELECT service_id, service_day, count(*) FROM tickets WHERE status = 'waiting'"
            " GROUP BY service_id, service_day"
        )
        return {(s, d): n for s, d, n in kept if n}, {(s, d): n for s, d, n in counted}

    every_move(engine, store)
    kept, counted = lengths()
    assert kept == counted and sum(counted.values()) == 60
    db.execute("DELETE FROM ticket_events")
    db.execute("DELETE FROM print_jobs")
    db.execute("DELETE FROM tickets WHERE status = 'waiting' AND service_id = ?", [store.returns])
    kept, counted = lengths()
    assert kept == counted
