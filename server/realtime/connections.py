"""Which staff member or device holds which Socket.IO connection, so that revoking a device or
deactivating a user can cut its connections at once, in whichever server process they live.

The sids are kept in the database (live_connections), written on the writer thread like every
change the event loop asks for; a disconnect for a sid held by another
process travels over the message queue (python-socketio's pub/sub manager forwards it). That
message is lost if the queue is down, so each process also re-checks the tokens and sessions of
its own connections against the database every SIRA_CONNECTION_RECHECK_S seconds.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from flask import Flask, current_app, request

from server.auth.principal import Principal, still_valid
from server.db import get_writer
from server.engine.clock import iso, utc_now
from server.realtime import socketio


def remember(principal: Principal) -> None:
    """Called on connect: note the connection of a staff member or a device."""
    if principal.kind == "anonymous":
        return
    local_connections()[request.sid] = principal
    start_rechecks(current_app._get_current_object())
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
    local_connections().pop(request.sid, None)
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


def local_connections() -> dict[str, Principal]:
    """This process's own connections of staff and devices: sid -> who connected."""
    return current_app.extensions.setdefault("sira_connections", {})


def start_rechecks(app: Flask) -> None:
    """Once per app: a background task that re-checks this process's connections."""
    if not app.extensions.get("sira_rechecks"):
        app.extensions["sira_rechecks"] = True
        socketio.start_background_task(recheck_forever, app)


def recheck_forever(app: Flask) -> None:
    every = float(app.config["SIRA_CONNECTION_RECHECK_S"])
    while True:
        socketio.sleep(every)
        try:
            with app.app_context():
                cut_invalid()
        except Exception:  # the database away for a moment: try again next round
            app.logger.exception("re-checking live connections failed")


def cut_invalid() -> list[str]:
    """Disconnect, in this process only, each connection whose token or session has ended."""
    local = local_connections()
    gone = [sid for sid, principal in list(local.items()) if not still_valid(principal)]
    for sid in gone:
        local.pop(sid, None)
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
    return gone
