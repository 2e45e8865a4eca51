"""The app's access to storage: one connection per request (or socket event), closed after it."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from flask import Flask, current_app, g
from werkzeug.routing import IntegerConverter, Map

from server.domain.validation import MAX_INTEGER
from server.engine import QueueEngine, QueueReads
from server.storage import connect, migrate
from server.storage.locks import migrating


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
    """Create or upgrade the database file, one process at a time; returns the migrations run."""
    with migrating(path):
        db = connect(path)
        try:
            return migrate(db)
        finally:
            db.conn.close()


class StoredInteger(IntegerConverter):
    """`<int:…>` ids as SQLite stores them: a larger one matches no route (a 404) rather than
    overflowing the query that looks it up."""

    def __init__(self, url_map: Map, **options: Any):
        super().__init__(url_map, **{"max": MAX_INTEGER, **options})


def init_app(app: Flask) -> None:
    """Before any blueprint is registered, so that every route's ids are bounded."""
    app.url_map.converters["int"] = StoredInteger
    app.teardown_appcontext(close_db)
