"""What a refused request must leave untouched: every row a queue change could write."""

from __future__ import annotations

import sqlite_utils

# The tables a queue move, a rating, a login or a device change may write to.
WRITTEN_TABLES = (
    "branches",
    "tickets",
    "ticket_events",
    "number_sequences",
    "ratings",
    "print_jobs",
    "users",
    "api_tokens",
    "devices",
)


def database_state(
    db: sqlite_utils.Database, tables: tuple[str, ...] = WRITTEN_TABLES
) -> dict[str, list[tuple]]:
    """Every row of the tables, in id order, to compare before and after a refusal."""
    return {
        table: [tuple(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid")]
        for table in tables
    }


def branch_seq(db: sqlite_utils.Database, branch_id: int) -> int:
    return db.execute("SELECT seq FROM branches WHERE id = ?", [branch_id]).fetchone()[0]


def ticket_events(db: sqlite_utils.Database, ticket_id: int) -> list[dict]:
    """The ticket's history, oldest first, with `data` as stored (JSON text)."""
    return [
        dict(row)
        for row in db.execute(
            "SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id", [ticket_id]
        )
    ]
