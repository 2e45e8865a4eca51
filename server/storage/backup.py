"""Backups through SQLite's online backup API, and restoring one in place of the database.

A plain file copy of a WAL database misses what is still in the -wal file; the backup API reads a
consistent snapshot while servers keep writing. Restoring removes the old -wal and -shm files,
which SQLite would otherwise pair with the restored file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from server.storage.connection import BUSY_TIMEOUT_MS
from server.storage.locks import not_served


class NotABackup(Exception):
    """The file is not a sound Sıra database."""


def snapshot(source: str, target: Path) -> Path:
    """Copy source, as one consistent snapshot, into a checked, flushed file beside target
    (a plain rollback-journal database); the caller moves it into place."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    writer = sqlite3.connect(partial)
    try:
        reader.backup(writer)  # all pages in one step: one read transaction, one snapshot
        writer.execute("PRAGMA journal_mode = DELETE")
    finally:
        writer.close()
        reader.close()
    check(partial)
    with partial.open("rb") as file:
        os.fsync(file.fileno())
    return partial


def check(path: Path) -> None:
    """NotABackup unless path is an intact SQLite database that Sıra has set up."""
    if not path.is_file():
        raise NotABackup(f"{path}: no such file")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            migrated = db.execute("SELECT count(*) FROM _migrations").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise NotABackup(f"{path}: {error}") from None
    if integrity != "ok" or not migrated:
        raise NotABackup(f"{path}: integrity check says {integrity!r}")


def backup(db_path: str, target: Path) -> None:
    """Write a consistent copy of the database to target, even while servers write."""
    check(Path(db_path))  # never back up (or create) an empty file by a mistyped SIRA_DB
    snapshot(db_path, target).replace(target)


def restore(source: Path, db_path: str) -> None:
    """Replace the database by source; DatabaseInUse while a server holds it.

    The old -wal goes before the new file arrives: SQLite would replay it onto the restored one.
    """
    check(source)
    with not_served(db_path):
        partial = snapshot(str(source), Path(db_path))
        for stale in (f"{db_path}-wal", f"{db_path}-shm"):
            Path(stale).unlink(missing_ok=True)
        partial.replace(db_path)
