"""Staff accounts, their API tokens, and device tokens: writes in one place, each a transaction."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from server.auth.passwords import check_password, hash_password, hash_token, new_secret
from server.domain.errors import Conflict, NotFound, ValidationError
from server.engine.clock import iso, utc_now
from server.storage import transaction

ROLES = ("admin", "manager", "staff")
DEVICE_KINDS = ("kiosk", "display", "feedback")
MIN_PASSWORD = 8


def add_user(
    db: sqlite_utils.Database,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
) -> int:
    username = (username or "").strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise ValidationError("username must be 1–64 characters without spaces.", "username")
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}.", "role")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"password must have at least {MIN_PASSWORD} characters.", "password")
    with transaction(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise Conflict(f"There is already a user called {username}.", "username")
        return db.execute(
            "INSERT INTO users (username, display_name, password_hash, role) VALUES (?, ?, ?, ?)",
            [username, display_name or username, hash_password(password), role],
        ).lastrowid


def authenticate(db: sqlite_utils.Database, username: Any, password: Any) -> dict | None:
    """The active user with this username and password, or None."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    user = db.execute("SELECT * FROM users WHERE username = ? AND active", [username]).fetchone()
    if user is None or not check_password(user["password_hash"], password):
        return None
    return dict(user)


def create_token(db: sqlite_utils.Database, username: str) -> str:
    """A new bearer token for the user; only its hash is stored."""
    token = new_secret()
    with transaction(db):
        user = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()
        if user is None:
            raise NotFound(f"There is no user called {username}.", "username")
        db.execute(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
            [user["id"], hash_token(token), iso(utc_now())],
        )
    return token


def add_device(
    db: sqlite_utils.Database,
    kind: str,
    name: str,
    branch_id: int,
    counter_id: int | None = None,
    printer_uri: str | None = None,
) -> tuple[int, str]:
    """Register a kiosk, display or feedback screen; returns its id and its token."""
    if kind not in DEVICE_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(DEVICE_KINDS)}.", "kind")
    if not (name or "").strip():
        raise ValidationError("name must not be empty.", "name")
    if kind == "feedback" and counter_id is None:
        raise ValidationError("A feedback screen belongs to a counter.", "counter_id")
    token = new_secret()
    with transaction(db):
        if not db.execute("SELECT 1 FROM branches WHERE id = ?", [branch_id]).fetchone():
            raise ValidationError(f"There is no branch {branch_id}.", "branch_id")
        if (
            counter_id is not None
            and not db.execute(
                "SELECT 1 FROM counters WHERE id = ? AND branch_id = ?", [counter_id, branch_id]
            ).fetchone()
        ):
            raise ValidationError(f"There is no counter {counter_id} in this branch.", "counter_id")
        device_id = db.execute(
            "INSERT INTO devices (branch_id, kind, name, token_hash, counter_id, printer_uri)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [branch_id, kind, name.strip(), hash_token(token), counter_id, printer_uri],
        ).lastrowid
    return device_id, token


def identify_token(db: sqlite_utils.Database, token: str) -> tuple[str, dict] | None:
    """("user", row) or ("device", row) for a bearer token; None if unknown or revoked."""
    digest = hash_token(token)
    user = db.execute(
        "SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id"
        " WHERE api_tokens.token_hash = ? AND users.active",
        [digest],
    ).fetchone()
    if user:
        return "user", dict(user)
    device = db.execute(
        "SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL", [digest]
    ).fetchone()
    if device:
        return "device", dict(device)
    return None
