"""How long the admin audit log takes to page through a long history.

Builds a database with many staff ticket moves and admin entries, then times audit.entries().
    .venv/bin/python benchmarks/audit_log.py [--events 300000] [--admin 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from server import audit
from server.storage import connect, migrate, transaction


def build(path: str, events: int, admin_entries: int) -> None:
    db = connect(path)
    migrate(db)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with transaction(db):
        db.execute("INSERT INTO branches (id, slug, name) VALUES (1, 'b', 'Branch')")
        db.execute("INSERT INTO services (id, branch_id, prefix, name) VALUES (1, 1, 'A', 'A')")
        db.execute("INSERT INTO counters (id, branch_id, name) VALUES (1, 1, 'Counter 1')")
        for user_id in range(1, 11):
            db.execute(
                "INSERT INTO users (id, username, role) VALUES (?, ?, 'staff')",
                [user_id, f"user{user_id}"],
            )
        tickets = events // 4
        db.conn.executemany(
            "INSERT INTO tickets (id, branch_id, service_id, service_day, number, code, token,"
            " status, created_at, queued_at) VALUES (?, 1, 1, '2026-01-01', ?, ?, ?, 'done', ?, ?)",
            (
                (i, i, f"A{i:03d}", f"t{i}", start.isoformat(), start.isoformat())
                for i in range(1, tickets + 1)
            ),
        )
        db.conn.executemany(
            "INSERT INTO ticket_events (ticket_id, at, kind, counter_id, user_id)"
            " VALUES (?, ?, 'finished', 1, ?)",
            (
                (i % tickets + 1, (start + timedelta(seconds=i * 7)).isoformat(), i % 10 + 1)
                for i in range(events)
            ),
        )
        db.conn.executemany(
            "INSERT INTO audit_log (at, user_id, action, summary)"
            " VALUES (?, ?, 'service.updated', 'x')",
            (
                ((start + timedelta(seconds=i * 97)).isoformat(), i % 10 + 1)
                for i in range(admin_entries)
            ),
        )
    db.conn.close()


def timed(label: str, function, repeat: int = 20) -> None:
    began = time.perf_counter()
    for _ in range(repeat):
        function()
    print(f"{label:<32} {(time.perf_counter() - began) / repeat * 1000:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--admin", type=int, default=20_000)
    arguments = parser.parse_args()
    path = str(Path(tempfile.mkdtemp()) / "audit.db")
    build(path, arguments.events, arguments.admin)
    db = connect(path)
    print(f"{arguments.events} staff ticket moves, {arguments.admin} admin entries")
    timed("first page", lambda: audit.entries(db, 1))
    timed("page 20", lambda: audit.entries(db, 20))
    timed("first page, one person", lambda: audit.entries(db, 1, user_id=3))


if __name__ == "__main__":
    main()
