"""Shared fixtures: each test gets its own SQLite file, a small store in it, and clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.app import create_app
from server.auth.accounts import add_device, add_user, create_token
from server.db import init_db
from server.engine import QueueEngine
from server.storage import connect
from server.store import add_branch, add_counter, add_service
from tests.live import LiveServer

PASSWORD = "correct horse battery"


@dataclass
class Store:
    """Ids and tokens of the small store every test starts with."""

    branch_id: int
    payments: int  # service A
    returns: int  # service B
    counter1: int  # serves A and B
    counter2: int  # serves A only
    kiosk_token: str
    display_token: str
    feedback_token: str
    staff_token: str
    manager_token: str
    admin_token: str


def build_store(path: str) -> Store:
    init_db(path)
    db = connect(path)
    branch_id = add_branch(db, "Test Store", "test", timezone="Europe/Istanbul")
    payments = add_service(db, branch_id, "A", "Payments", {"tr": "Ödemeler"}, 600)
    returns = add_service(db, branch_id, "B", "Returns", {"tr": "İadeler"}, 900)
    counter1 = add_counter(db, branch_id, "Counter 1", [payments, returns])
    counter2 = add_counter(db, branch_id, "Counter 2", [payments])
    tokens = {}
    for username, role in [("staff", "staff"), ("manager", "manager"), ("admin", "admin")]:
        add_user(db, username, role, PASSWORD)
        tokens[role] = create_token(db, username)
    _, kiosk = add_device(db, "kiosk", "Kiosk", branch_id)
    _, display = add_device(db, "display", "Board", branch_id)
    _, feedback = add_device(db, "feedback", "Feedback 1", branch_id, counter1)
    db.conn.close()
    return Store(
        branch_id,
        payments,
        returns,
        counter1,
        counter2,
        kiosk,
        display,
        feedback,
        tokens["staff"],
        tokens["manager"],
        tokens["admin"],
    )


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "sira.db")


@pytest.fixture
def store(db_path) -> Store:
    return build_store(db_path)


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
