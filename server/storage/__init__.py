"""SQLite storage: connections with the pragmas Sıra relies on, transactions, migrations."""

from server.storage.connection import connect, hold_wal_open, times_undone, transaction
from server.storage.migrations import migrate

__all__ = ["connect", "hold_wal_open", "migrate", "times_undone", "transaction"]
