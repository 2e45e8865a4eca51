"""The app's access to storage: a connection per request (or socket event) for reads, taken from
the app's pool and given back after it, and the app's writer thread for the engine's moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlite_utils
from flask import Flask, current_app, g
from werkzeug.routing import IntegerConverter, Map

from server.domain.validation import MAX_INTEGER
from server.engine import QueueReads
from server.engine.subscribers import Subscribers
from server.engine.writes import WritingEngine
from server.storage import connect, migrate
from server.storage.handoff import off_the_loop
from server.storage.locks import migrating
from server.storage.pool import ConnectionPool
from server.storage.writer import Writer

T = TypeVar("T")
WRITER = "sira_writer"
SUBSCRIBERS = "sira_subscribers"
POOL = "sira_read_pool"


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = current_app.extensions[POOL].take()
    return g.db


def get_writer(app: Flask | None = None) -> Writer:
    """The app's one writer thread (started on its first unit of work)."""
    app = app or current_app
    return app.extensions[WRITER]


def subscribers(app: Flask | None = None) -> Subscribers:
    """Who hears of every change the app makes (server/engine/subscribers.py)."""
    return (app or current_app).extensions[SUBSCRIBERS]


def get_engine() -> WritingEngine:
    if "engine" not in g:
        clock = current_app.config["SIRA_CLOCK"]
        reads = QueueReads(get_db(), clock, long_work=off_the_loop)
        g.engine = WritingEngine(get_writer(), clock, reads, subscribers())
    return g.engine


def get_reads() -> QueueReads:
    return get_engine().reads


def read_off_the_loop(work: Callable[[sqlite_utils.Database], T]) -> T:
    """A long read (statistics over months) on a pool thread with its own connection, so the
    event loop keeps serving everyone else meanwhile."""
    path = current_app.config["SIRA_DB"]

    def run() -> T:
        db = connect(path)
        try:
            return work(db)
        finally:
            db.conn.close()

    return off_the_loop(run)


def close_db(_error: BaseException | None = None) -> None:
    g.pop("engine", None)
    db = g.pop("db", None)
    if db is not None:
        current_app.extensions[POOL].give_back(db)


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
    app.extensions[WRITER] = Writer(app.config["SIRA_DB"])
    app.extensions[SUBSCRIBERS] = Subscribers()
    app.extensions[POOL] = ConnectionPool(app.config["SIRA_DB"])
    app.teardown_appcontext(close_db)
