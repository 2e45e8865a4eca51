"""File locks beside the database, held across processes and released by the kernel when a
process dies, so a crash never leaves a store locked.

- `<db>.migrate-lock`, exclusive while a process upgrades the schema: servers started together
  run each migration once.
- `<db>.serve-lock`, shared by every running server: `sira restore` takes it exclusively, so it
  never replaces a database under a server.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO


class DatabaseInUse(Exception):
    """A server holds the database."""


def _open(db_path: str, kind: str) -> IO[bytes]:
    return open(f"{db_path}.{kind}-lock", "ab")


@contextmanager
def migrating(db_path: str) -> Iterator[None]:
    """Wait for any other process's migrations to finish, then hold the lock while ours run."""
    with _open(db_path, "migrate") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def hold_serving(db_path: str) -> IO[bytes]:
    """Mark the database as served for as long as the returned file stays open."""
    lock = _open(db_path, "serve")
    fcntl.flock(lock, fcntl.LOCK_SH)
    return lock


@contextmanager
def not_served(db_path: str) -> Iterator[None]:
    """Hold the database against servers starting; DatabaseInUse if one is running."""
    with _open(db_path, "serve") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(db_path) from None
        yield
