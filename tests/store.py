"""The small store every test starts with, built once per run and copied per test
(hashing its passwords with argon2 takes a second)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from server.auth.accounts import add_device, add_user, create_token
from server.db import init_db
from server.storage import connect
from server.store import add_branch, add_counter, add_service

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


@cache
def store_template() -> tuple[Path, Store]:
    """A migrated database holding the small store, and its ids and tokens."""
    directory = Path(tempfile.mkdtemp(prefix="sira-store-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "sira.db"
    return path, build_store(str(path))


def copy_store(destination: str) -> Store:
    """A fresh copy of the store at `destination` (the template's WAL is checkpointed on close)."""
    path, store = store_template()
    shutil.copyfile(path, destination)
    return store
