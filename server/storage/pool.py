"""Idle read connections kept for the next request.

Opening a connection (the file, its WAL index, four pragmas) and closing it cost a request more
than its own queries did, all of it on the event loop (benchmarks/README.md). A request takes an
idle connection, or opens one, and gives it back afterwards; at most `keep` stay idle.
"""

from __future__ import annotations

from collections import deque

import sqlite_utils

from server.storage.connection import connect, undo

KEEP = 16


class ConnectionPool:
    def __init__(self, path: str, keep: int = KEEP):
        self.path = path
        self.keep = keep
        self.idle: deque[sqlite_utils.Database] = deque()

    def take(self) -> sqlite_utils.Database:
        try:
            return self.idle.pop()
        except IndexError:
            # Used by one request at a time, but not always on the thread that opened it.
            return connect(self.path, any_thread=True)

    def give_back(self, db: sqlite_utils.Database) -> None:
        """A connection left inside a transaction is rolled back; beyond `keep`, closed."""
        if db.conn.in_transaction:
            undo(db, "ROLLBACK")
        if len(self.idle) < self.keep:
            self.idle.append(db)
        else:
            db.conn.close()
