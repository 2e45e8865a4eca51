"""Staff accounts, their API tokens, and device tokens: writes in one place, each a transaction."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import sqlite_utils

from kiosk.printing.uris import validate_printer_uri
from server import audit
from server.audit import Actor
from server.auth.passwords import check_password, hash_password, hash_token, new_secret
from server.domain import store_rules as rules
from server.domain.errors import Conflict, NotFound, ValidationError
from server.engine.clock import iso, utc_now
from server.storage import transaction

ROLES = ("admin", "manager", "staff")
DEVICE_KINDS = ("kiosk", "display", "feedback")
MIN_PASSWORD = 8
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PAIRING_TTL = timedelta(minutes=15)
SEEN_EVERY = timedelta(seconds=60)
# Whether a device holds a live Socket.IO connection right now (any server process).
CONNECTED = (
    "EXISTS (SELECT 1 FROM live_connections WHERE live_connections.device_id = devices.id)"
    " AS connected"
)


def add_user(
    db: sqlite_utils.Database,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    *,
    actor: Actor | None = None,
) -> int:
    check = rules.Checks()
    username = check(rules.username, username, "username")
    display_name = check(rules.label, display_name or username or "-", "display_name")
    if role not in ROLES:
        check.fail("role", "Choose a role among %(choices)s.", choices=", ".join(ROLES))
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        check.fail(
            "password", "password must have at least %(count)d characters.", count=MIN_PASSWORD
        )
    check.done()
    with transaction(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise Conflict("There is already a user called %(name)s.", "username", name=username)
        user_id = db.execute(
            "INSERT INTO users (username, display_name, password_hash, role, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [username, display_name, hash_password(password), role, iso(utc_now())],
        ).lastrowid
        audit.record(db, actor, "user.created", ("user", user_id), f"{username} ({role})")
        return user_id


def user_row(db: sqlite_utils.Database, user_id: Any) -> dict:
    found = None
    if isinstance(user_id, int):
        found = db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone()
    if found is None:
        raise NotFound("There is no user %(id)s.", "user_id", id=user_id)
    return dict(found)


def users(db: sqlite_utils.Database) -> list[dict]:
    return [
        dict(found)
        for found in db.execute("SELECT * FROM users ORDER BY active DESC, username").fetchall()
    ]


def update_user(
    db: sqlite_utils.Database, user_id: int, values: dict[str, Any], actor: Actor | None = None
) -> None:
    """Change a user's display name and role; the last active admin stays an admin."""
    check = rules.Checks()
    display_name = check(rules.label, values.get("display_name"), "display_name")
    role = values.get("role")
    if role not in ROLES:
        check.fail("role", "Choose a role among %(choices)s.", choices=", ".join(ROLES))
    check.done()
    with transaction(db):
        user = user_row(db, user_id)
        if user["role"] == "admin" and role != "admin":
            keep_an_admin(db, user_id, "role")
        db.execute(
            "UPDATE users SET display_name = ?, role = ?,"
            " session_version = session_version + (role != ?) WHERE id = ?",
            [display_name, role, role, user_id],
        )
        audit.record(db, actor, "user.updated", ("user", user_id), f"{user['username']} ({role})")


def set_user_active(
    db: sqlite_utils.Database, user_id: int, active: bool, actor: Actor | None = None
) -> None:
    """Deactivating ends the user's sessions and tokens at once; history keeps their name."""
    with transaction(db):
        user = user_row(db, user_id)
        if not active and user["role"] == "admin":
            keep_an_admin(db, user_id, "active")
        db.execute(
            "UPDATE users SET active = ?, session_version = session_version + 1 WHERE id = ?",
            [int(active), user_id],
        )
        if not active:
            end_access(db, user_id)
        action = "user.activated" if active else "user.deactivated"
        audit.record(db, actor, action, ("user", user_id), user["username"])


def reset_password(db: sqlite_utils.Database, user_id: int, actor: Actor | None = None) -> str:
    """A new random password, shown once to the admin; the user's old sessions end."""
    password = new_secret()
    with transaction(db):
        user = user_row(db, user_id)
        db.execute(
            "UPDATE users SET password_hash = ?, session_version = session_version + 1"
            " WHERE id = ?",
            [hash_password(password), user_id],
        )
        end_access(db, user_id)
        audit.record(db, actor, "user.password_reset", ("user", user_id), user["username"])
    return password


def end_access(db: sqlite_utils.Database, user_id: int) -> None:
    """Within the caller's transaction: every session and bearer token of the user ends.

    Reactivating the user later brings none of them back.
    """
    db.execute("DELETE FROM staff_sessions WHERE user_id = ?", [user_id])
    db.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        [iso(utc_now()), user_id],
    )


def open_session(db: sqlite_utils.Database, user_id: int) -> str:
    """A new server-side session for a sign-in; its key goes into the signed cookie."""
    key = new_secret()
    with transaction(db):
        db.execute(
            "INSERT INTO staff_sessions (key_hash, user_id, created_at) VALUES (?, ?, ?)",
            [hash_token(key), user_id, iso(utc_now())],
        )
    return key


def close_session(db: sqlite_utils.Database, key: str) -> None:
    """Sign-out: the session is gone, whoever still holds a copy of its cookie."""
    with transaction(db):
        db.execute("DELETE FROM staff_sessions WHERE key_hash = ?", [hash_token(key)])


def session_user(db: sqlite_utils.Database, user_id: int, version: int, key: str) -> dict | None:
    """The active user of a live session, if the session and the user's version still hold."""
    found = db.execute(
        "SELECT users.* FROM staff_sessions JOIN users ON users.id = staff_sessions.user_id"
        " WHERE staff_sessions.key_hash = ? AND users.id = ? AND users.active"
        " AND users.session_version = ?",
        [hash_token(key), user_id, version],
    ).fetchone()
    return dict(found) if found else None


def keep_an_admin(db: sqlite_utils.Database, user_id: int, field: str) -> None:
    others = db.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active AND id != ?", [user_id]
    ).fetchone()[0]
    if not others:
        raise Conflict("This is the last active administrator: keep one.", field)


def sign_in(
    db: sqlite_utils.Database, username: Any, password: Any, address: str | None
) -> dict | None:
    """The user, if the password is right; the attempt is audited either way."""
    row = authenticate(db, username, password)
    user_id = row["id"] if row else None
    name = username[:64] if isinstance(username, str) else "?"
    action = "auth.login" if user_id else "auth.login_failed"
    with transaction(db):
        audit.record(db, Actor(user_id=user_id, address=address), action, ("user", user_id), name)
    return row


def authenticate(db: sqlite_utils.Database, username: Any, password: Any) -> dict | None:
    """The active user with this username and password, or None."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    user = db.execute("SELECT * FROM users WHERE username = ? AND active", [username]).fetchone()
    if user is None or not check_password(user["password_hash"], password):
        return None
    return dict(user)


def create_token(db: sqlite_utils.Database, username: str, actor: Actor | None = None) -> str:
    """A new bearer token for the user; only its hash is stored."""
    token = new_secret()
    with transaction(db):
        user = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()
        if user is None:
            raise NotFound("There is no user called %(name)s.", "username", name=username)
        db.execute(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
            [user["id"], hash_token(token), iso(utc_now())],
        )
        audit.record(db, actor, "user.token_created", ("user", user["id"]), username)
    return token


def tokens(db: sqlite_utils.Database, username: str | None = None) -> list[dict]:
    """Bearer tokens (never their secrets), newest first; one user's when a username is given."""
    query = (
        "SELECT api_tokens.id, users.username, api_tokens.created_at, api_tokens.revoked_at"
        " FROM api_tokens JOIN users ON users.id = api_tokens.user_id"
    )
    if username is None:
        return [dict(row) for row in db.execute(query + " ORDER BY api_tokens.id DESC")]
    if not db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise NotFound("There is no user called %(name)s.", "username", name=username)
    return [
        dict(row)
        for row in db.execute(
            query + " WHERE users.username = ? ORDER BY api_tokens.id DESC", [username]
        )
    ]


def revoke_token(db: sqlite_utils.Database, token_id: int, actor: Actor | None = None) -> None:
    """The token stops working at once; it stays listed as revoked."""
    with transaction(db):
        found = db.execute(
            "SELECT api_tokens.*, users.username FROM api_tokens"
            " JOIN users ON users.id = api_tokens.user_id WHERE api_tokens.id = ?",
            [token_id],
        ).fetchone()
        if found is None:
            raise NotFound("There is no token %(id)s.", "token_id", id=token_id)
        if found["revoked_at"] is None:
            db.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [iso(utc_now()), token_id]
            )
        audit.record(db, actor, "user.token_revoked", ("user", found["user_id"]), found["username"])


def parse_device(db: sqlite_utils.Database, values: dict[str, Any]) -> dict[str, Any]:
    """A device's fields: checked together, so a form can show every mistake at once."""
    check = rules.Checks()
    kind = values.get("kind")
    if kind not in DEVICE_KINDS:
        check.fail("kind", "Choose a kind among %(choices)s.", choices=", ".join(DEVICE_KINDS))
    name = check(rules.label, values.get("name"), "name")
    branch_id = check(rules.whole_number, values.get("branch_id"), "branch_id", 1, 2**62)
    counter_id = values.get("counter_id")
    counter_id = (
        None
        if counter_id in (None, "")
        else check(rules.whole_number, counter_id, "counter_id", 1, 2**62)
    )
    printer_uri = check(rules.free_text, values.get("printer_uri"), "printer_uri", 200) or None
    # The printing part knows the kinds of printer and what each may reach; the CLI, the admin
    # API and the admin forms all come through here.
    printer_uri = check(lambda uri, _field: validate_printer_uri(uri), printer_uri, "printer_uri")
    if kind == "feedback" and counter_id is None:
        check.fail("counter_id", "A feedback screen belongs to a counter.")
    if branch_id and not db.execute("SELECT 1 FROM branches WHERE id = ?", [branch_id]).fetchone():
        check.fail("branch_id", "There is no branch %(id)s.", id=branch_id)
    elif (
        branch_id
        and counter_id is not None
        and not db.execute(
            "SELECT 1 FROM counters WHERE id = ? AND branch_id = ?", [counter_id, branch_id]
        ).fetchone()
    ):
        check.fail("counter_id", "There is no counter %(id)s in this branch.", id=counter_id)
    board = parse_board_settings(db, check, values, branch_id) if kind == "display" else {}
    check.done()
    return {
        "kind": kind,
        "name": name,
        "branch_id": branch_id,
        "counter_id": counter_id,
        "printer_uri": printer_uri,
        "languages": json.dumps(board.get("languages", [])),
        "service_ids": json.dumps(board.get("service_ids", [])),
    }


def parse_board_settings(
    db: sqlite_utils.Database, check: rules.Checks, values: dict[str, Any], branch_id: Any
) -> dict[str, list]:
    """A board's label languages (none chosen: the branch's) and the services it shows (none
    chosen: all of them)."""
    chosen = values.get("languages") or []
    languages = check(rules.languages, chosen, "languages") if chosen else []
    service_ids = check(rules.ids, values.get("service_ids"), "service_ids") or []
    known = {
        found[0] for found in db.execute("SELECT id FROM services WHERE branch_id = ?", [branch_id])
    }
    if service_ids and set(service_ids) - known:
        check.fail("service_ids", "Choose services of this board's branch only.")
    return {"languages": languages or [], "service_ids": service_ids}


def add_device(
    db: sqlite_utils.Database,
    kind: str,
    name: str,
    branch_id: int,
    counter_id: int | None = None,
    printer_uri: str | None = None,
    *,
    actor: Actor | None = None,
) -> tuple[int, str]:
    """Register a kiosk, display or feedback screen with a token at once (the command line)."""
    token = new_secret()
    device_id = insert_device(
        db,
        {
            "kind": kind,
            "name": name,
            "branch_id": branch_id,
            "counter_id": counter_id,
            "printer_uri": printer_uri,
        },
        {"token_hash": hash_token(token), "paired_at": iso(utc_now())},
        actor,
    )
    return device_id, token


def create_device(
    db: sqlite_utils.Database, values: dict[str, Any], actor: Actor | None = None
) -> tuple[int, str]:
    """Register a device to be paired: returns its id and a one-time pairing code."""
    code = new_pairing_code()
    device_id = insert_device(db, values, pairing_columns(code), actor)
    return device_id, code


def insert_device(
    db: sqlite_utils.Database, values: dict[str, Any], secrets: dict, actor: Actor | None
) -> int:
    with transaction(db):
        parsed = parse_device(db, values)
        columns = {**parsed, **secrets, "created_at": iso(utc_now())}
        device_id = db.execute(
            f"INSERT INTO devices ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            list(columns.values()),
        ).lastrowid
        audit.record(
            db, actor, "device.created", ("device", device_id), f"{parsed['kind']} {parsed['name']}"
        )
        return device_id


def device_row(db: sqlite_utils.Database, device_id: Any) -> dict:
    found = None
    if isinstance(device_id, int):
        found = db.execute(
            f"SELECT devices.*, {CONNECTED} FROM devices WHERE id = ?", [device_id]
        ).fetchone()
    if found is None:
        raise NotFound("There is no device %(id)s.", "device_id", id=device_id)
    return dict(found)


def devices(db: sqlite_utils.Database) -> list[dict]:
    """Every device with its branch and counter names and its pairing state."""
    now = iso(utc_now())
    found = db.execute(
        f"SELECT devices.*, {CONNECTED}, branches.name AS branch_name,"
        " counters.name AS counter_name"
        " FROM devices JOIN branches ON branches.id = devices.branch_id"
        " LEFT JOIN counters ON counters.id = devices.counter_id"
        " ORDER BY devices.revoked_at IS NOT NULL, branches.sort_order, devices.kind, devices.name"
    ).fetchall()
    return [{**dict(d), "state": device_state(dict(d), now)} for d in found]


def device_state(device: dict, now: str) -> str:
    """revoked, paired, pairing (a live code waits) or unpaired (the code expired)."""
    if device["revoked_at"]:
        return "revoked"
    if device["pairing_code_hash"] and device["pairing_expires_at"] > now:
        return "pairing"
    return "paired" if device["token_hash"] else "unpaired"


def update_device(
    db: sqlite_utils.Database, device_id: int, values: dict[str, Any], actor: Actor | None = None
) -> None:
    """Rename a device, or move it to another counter or printer (its kind and branch stay)."""
    with transaction(db):
        device = device_row(db, device_id)
        parsed = parse_device(
            db, {**values, "kind": device["kind"], "branch_id": device["branch_id"]}
        )
        db.execute(
            "UPDATE devices SET name = ?, counter_id = ?, printer_uri = ?, languages = ?,"
            " service_ids = ? WHERE id = ?",
            [
                parsed["name"],
                parsed["counter_id"],
                parsed["printer_uri"],
                parsed["languages"],
                parsed["service_ids"],
                device_id,
            ],
        )
        audit.record(db, actor, "device.updated", ("device", device_id), parsed["name"])


def repair_device(db: sqlite_utils.Database, device_id: int, actor: Actor | None = None) -> str:
    """A fresh pairing code; the device's current token keeps working until the code is used."""
    code = new_pairing_code()
    columns = pairing_columns(code)
    with transaction(db):
        device = device_row(db, device_id)
        db.execute(
            "UPDATE devices SET pairing_code_hash = ?, pairing_expires_at = ? WHERE id = ?",
            [columns["pairing_code_hash"], columns["pairing_expires_at"], device_id],
        )
        audit.record(db, actor, "device.pairing_code", ("device", device_id), device["name"])
    return code


def revoke_device(db: sqlite_utils.Database, device_id: int, actor: Actor | None = None) -> None:
    """The device's token and any pairing code stop working at once."""
    with transaction(db):
        device = device_row(db, device_id)
        db.execute(
            "UPDATE devices SET token_hash = NULL, pairing_code_hash = NULL,"
            " pairing_expires_at = NULL, revoked_at = ? WHERE id = ?",
            [iso(utc_now()), device_id],
        )
        audit.record(db, actor, "device.revoked", ("device", device_id), device["name"])


def pair_device(
    db: sqlite_utils.Database, code: Any, address: str | None = None
) -> tuple[dict, str]:
    """Trade a live pairing code for a new long-lived token; the code works once."""
    digest = hash_token(normalise_code(code))
    token = new_secret()
    now = iso(utc_now())
    with transaction(db):
        found = db.execute(
            "SELECT * FROM devices WHERE pairing_code_hash = ? AND pairing_expires_at > ?",
            [digest, now],
        ).fetchone()
        if found is None:
            raise ValidationError("This pairing code is wrong or has expired.", "code")
        db.execute(
            "UPDATE devices SET token_hash = ?, pairing_code_hash = NULL,"
            " pairing_expires_at = NULL, revoked_at = NULL, paired_at = ? WHERE id = ?",
            [hash_token(token), now, found["id"]],
        )
        audit.record(
            db,
            Actor(device_id=found["id"], address=address),
            "device.paired",
            ("device", found["id"]),
            found["name"],
        )
    return dict(found), token


def new_pairing_code() -> str:
    """Eight characters that are easy to read and type (no 0/O, 1/I/L), shown as XXXX-XXXX."""
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: Any) -> str:
    if not isinstance(code, str):
        raise ValidationError("Type the pairing code shown on the admin page.", "code")
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 8:
        raise ValidationError("A pairing code has eight letters and digits.", "code")
    return f"{cleaned[:4]}-{cleaned[4:]}"


def pairing_columns(code: str) -> dict[str, str]:
    return {
        "pairing_code_hash": hash_token(code),
        "pairing_expires_at": iso(utc_now() + PAIRING_TTL),
    }


def contact_due(device: dict) -> bool:
    """True when the device's last contact is worth noting: at most once a minute."""
    last = device.get("last_seen_at")
    return not last or last <= iso(utc_now() - SEEN_EVERY)


def touch_device(db: sqlite_utils.Database, device_id: int) -> None:
    """Note the device's last contact (a single cheap UPDATE)."""
    db.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", [iso(utc_now()), device_id])


def identify_token(db: sqlite_utils.Database, token: str) -> tuple[str, dict] | None:
    """("user", row) or ("device", row) for a bearer token; None if unknown or revoked."""
    return identify_digest(db, hash_token(token))


def identify_digest(db: sqlite_utils.Database, digest: str) -> tuple[str, dict] | None:
    """As identify_token, from the token's hash (kept by a live connection to re-check it).

    Devices are looked up first: kiosks and boards make most token-borne requests, and each
    lookup runs on the event loop."""
    device = db.execute(
        "SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL", [digest]
    ).fetchone()
    if device:
        return "device", dict(device)
    user = db.execute(
        "SELECT users.*, api_tokens.id AS token_id FROM api_tokens"
        " JOIN users ON users.id = api_tokens.user_id"
        " WHERE api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL AND users.active",
        [digest],
    ).fetchone()
    if user:
        return "user", dict(user)
    return None
