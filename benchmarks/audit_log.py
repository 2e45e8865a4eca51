"""How long the admin audit log takes to page through a long history.

Builds a database with many staff ticket moves and admin entries, then times audit.entries().
    .venv/bin/python -m benchmarks.audit_log [--events 300000] [--admin 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.history import START, history_store
from server import audit
from server.storage import connect


def build(path: str, events: int, admin_entries: int) -> None:
    tickets = events // 4
    with history_store(path, tickets, counters=1) as db:
        for user_id in range(1, 11):
            db.execute(
                "INSERT INTO users (id, username, role) VALUES (?, ?, 'staff')",
                [user_id, f"user{user_id}"],
            )
        db.conn.executemany(
            "INSERT INTO ticket_events (ticket_id, at, kind, counter_id, user_id)"
            " VALUES (?, ?, 'finished', 1, ?)",
            (
                (i % tickets + 1, (START + timedelta(seconds=i * 7)).isoformat(), i % 10 + 1)
                for i in range(events)
            ),
        )
        db.conn.executemany(
            "INSERT INTO audit_log (at, user_id, action, summary)"
            " VALUES (?, ?, 'service.updated', 'x')",
            (
                ((START + timedelta(seconds=i * 97)).isoformat(), i % 10 + 1)
                for i in range(admin_entries)
            ),
        )


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
