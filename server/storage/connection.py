"""Open SQLite the one way Sıra uses it: WAL, foreign keys, busy timeout, explicit transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000
# Database files whose WAL a background thread of this process checkpoints (checkpoints.py):
# their connections never checkpoint on commit, which would stall whoever committed.
CHECKPOINTED_IN_BACKGROUND: set[str] = set()
# Per connection, how often it undid writes (ROLLBACK, ROLLBACK TO). What was read on it since
# its last write may be gone, so a cache of such reads (the wait estimates) compares this count.
_UNDONE: WeakKeyDictionary[sqlite_utils.Database, int] = WeakKeyDictionary()


def connect(path: str, *, any_thread: bool = False) -> sqlite_utils.Database:
    """A connection for one thread or request; never used by two threads at once (`any_thread`:
    it may pass from one thread to another, as pooled connections do)."""
    # isolation_level=None: the sqlite3 module must not open transactions behind our back;
    # every write runs inside transaction() below.
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=not any_thread,
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        if os.path.abspath(path) in CHECKPOINTED_IN_BACKGROUND:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
    # FULL: a ticket whose 201 has been sent survives a crash or a power cut.
    conn.execute("PRAGMA synchronous = FULL")
    return sqlite_utils.Database(conn)


def hold_wal_open(path: str) -> sqlite_utils.Database:
    """An idle connection kept open for the life of a server process.

    When the last connection to a WAL database closes, SQLite checkpoints the WAL into the
    database file and deletes it: about 10 ms each time, and a fresh WAL file to create for the
    next write (benchmarks/README.md). While this connection stays open, checkpoints are the
    background thread's (checkpoints.py), or SQLite's automatic ones where there is none.
    """
    return connect(path)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE … COMMIT: takes the write lock up front so racing writers queue, not fail.

    Inside an open transaction (the writer's group commit) it is a SAVEPOINT instead: the
    change is undone alone on error and committed with its group.
    """
    if db.conn.in_transaction:
        db.execute("SAVEPOINT change")
        try:
            yield db
        except BaseException:
            undo(db, "ROLLBACK TO change")
            db.execute("RELEASE change")
            raise
        db.execute("RELEASE change")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        undo(db, "ROLLBACK")
        raise
    db.execute("COMMIT")


def undo(db: sqlite_utils.Database, statement: str) -> None:
    """ROLLBACK or ROLLBACK TO a savepoint, counted (`times_undone`)."""
    db.execute(statement)
    _UNDONE[db] = _UNDONE.get(db, 0) + 1


def times_undone(db: sqlite_utils.Database) -> int:
    return _UNDONE.get(db, 0)
