"""The app's access to storage: one connection per request (or socket event), closed after it."""

from __future__ import annotations

import sqlite_utils
from flask import Flask, current_app, g

from server.engine import QueueEngine, QueueReads
from server.storage import connect, migrate


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = connect(current_app.config["SIRA_DB"])
    return g.db


def get_engine() -> QueueEngine:
    if "engine" not in g:
        g.engine = QueueEngine(get_db(), current_app.config["SIRA_CLOCK"])
    return g.engine


def get_reads() -> QueueReads:
    return get_engine().reads


def close_db(_error: BaseException | None = None) -> None:
    g.pop("engine", None)
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_db(path: str) -> list[str]:
    """Create or upgrade the database file; returns the migrations run."""
    db = connect(path)
    try:
        return migrate(db)
    finally:
        db.conn.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
