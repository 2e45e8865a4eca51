"""Which staff member or device holds which Socket.IO connection, so that revoking a device or
deactivating a user can cut its connections at once, in whichever server process they live.

The sids are kept in the database (live_connections), written on the writer thread like every
change the event loop asks for; a disconnect for a sid held by another
process travels over the message queue (python-socketio's pub/sub manager forwards it).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from flask import request

from server.auth.principal import Principal
from server.db import get_writer
from server.engine.clock import iso, utc_now
from server.realtime import socketio


def remember(principal: Principal) -> None:
    """Called on connect: note the connection of a staff member or a device."""
    if principal.kind == "anonymous":
        return
    sid, now = request.sid, iso(utc_now())

    def note(db: sqlite_utils.Database) -> None:
        if principal.device_id is not None:
            db.execute(
                "UPDATE devices SET last_seen_at = ? WHERE id = ?", [now, principal.device_id]
            )
        db.execute(
            "INSERT OR REPLACE INTO live_connections (sid, user_id, device_id, connected_at)"
            " VALUES (?, ?, ?, ?)",
            [sid, principal.user_id, principal.device_id, now],
        )

    get_writer().run(note)


@socketio.on("disconnect")
def forget(_reason: Any = None) -> None:
    """The connection is gone: for a device, that was its last contact."""
    sid, now = request.sid, iso(utc_now())

    def note(db: sqlite_utils.Database) -> None:
        gone = db.execute(
            "DELETE FROM live_connections WHERE sid = ? RETURNING device_id", [sid]
        ).fetchone()
        if gone and gone[0]:
            db.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", [now, gone[0]])

    get_writer().run(note)


def disconnect(column: str, owner_id: int) -> int:
    """Close every connection of one device or user; returns how many there were."""
    sids = get_writer().run(
        lambda db: [
            row[0]
            for row in db.execute(
                f"DELETE FROM live_connections WHERE {column} = ? RETURNING sid", [owner_id]
            ).fetchall()
        ]
    )
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")
    return len(sids)


def disconnect_device(device_id: int) -> int:
    return disconnect("device_id", device_id)


def disconnect_user(user_id: int) -> int:
    return disconnect("user_id", user_id)
