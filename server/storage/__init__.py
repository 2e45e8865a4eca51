"""SQLite storage: connections with the pragmas Sıra relies on, transactions, migrations."""

from server.storage.connection import connect, transaction
from server.storage.migrations import migrate

__all__ = ["connect", "migrate", "transaction"]
