"""A store with a long served history, written straight to SQLite for the read benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlite_utils import Database

from server.storage import connect, migrate, transaction

START = datetime(2026, 1, 1, tzinfo=UTC)  # when the history begins


@contextmanager
def history_store(path: str, tickets: int, counters: int) -> Iterator[Database]:
    """A new store at `path`: branch 1, service 1 ("A"), counters 1…`counters` and `tickets`
    served tickets of 2026-01-01, left open in the transaction for the caller's rows."""
    db = connect(path)
    migrate(db)
    with transaction(db):
        db.execute("INSERT INTO branches (id, slug, name) VALUES (1, 'b', 'Branch')")
        db.execute("INSERT INTO services (id, branch_id, prefix, name) VALUES (1, 1, 'A', 'A')")
        db.conn.executemany(
            "INSERT INTO counters (id, branch_id, name) VALUES (?, 1, ?)",
            [(n, f"Counter {n}") for n in range(1, counters + 1)],
        )
        db.conn.executemany(
            "INSERT INTO tickets (id, branch_id, service_id, service_day, number, code, token,"
            " status, created_at, queued_at) VALUES (?, 1, 1, '2026-01-01', ?, ?, ?, 'done', ?, ?)",
            (
                (i, i, f"A{i:03d}", f"t{i}", START.isoformat(), START.isoformat())
                for i in range(1, tickets + 1)
            ),
        )
        yield db
    db.conn.close()
