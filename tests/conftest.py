"""Shared fixtures: each test gets its own SQLite file, a small store in it, and clients."""

from __future__ import annotations

import pytest

from server.app import create_app
from server.engine import QueueEngine
from server.storage import connect
from tests.live import LiveServer
from tests.store import PASSWORD, Store, build_store, copy_store  # noqa: F401  (shared)


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "sira.db")


@pytest.fixture
def store(db_path) -> Store:
    return copy_store(db_path)


@pytest.fixture
def app(db_path, store):
    return create_app(
        {"TESTING": True, "SIRA_DB": db_path, "SECRET_KEY": "test", "SIRA_ASYNC_MODE": "threading"}
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(db_path, store):
    connection = connect(db_path)
    yield connection
    connection.conn.close()


@pytest.fixture
def engine(db) -> QueueEngine:
    return QueueEngine(db)


@pytest.fixture
def live_server(db_path, store):
    """A real `sira serve` process on a free port over the test store's database."""
    server = LiveServer(db_path).start()
    yield server
    server.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
