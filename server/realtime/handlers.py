"""Socket.IO connections: who is connecting, and which rooms they may join."""

from __future__ import annotations

from typing import Any

from flask import session
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from server.auth.principal import ANONYMOUS, Principal, resolve
from server.db import get_reads
from server.domain.errors import DomainError, NotAllowed, ValidationError
from server.i18n import translated
from server.realtime import connections, socketio


def connection_principal() -> Principal:
    return session.get("sira_principal", ANONYMOUS)


@socketio.on("connect")
def connect(auth: Any = None) -> None:
    """A token in `auth` identifies staff tools and devices; browsers use their cookies."""
    token = auth.get("token") if isinstance(auth, dict) else None
    principal = resolve(token)
    if token and principal is ANONYMOUS:
        raise ConnectionRefusedError("unknown or revoked token")
    session["sira_principal"] = principal
    connections.remember(principal)


@socketio.on("subscribe")
def subscribe(data: Any = None) -> dict:
    """Join a room; the acknowledgement carries the room's current state and `seq`."""
    try:
        room = data.get("room") if isinstance(data, dict) else None
        state = room_state(connection_principal(), room)
    except DomainError as error:
        return refusal(error)
    join_room(room)
    return {"ok": True, "room": room, "seq": state["seq"], "state": state}


def refusal(error: DomainError) -> dict:
    """An event's negative acknowledgement, in the reader's language like the API's errors."""
    return {
        "ok": False,
        "error": {"code": error.code, "message": translated(error), "field": error.field},
    }


@socketio.on("unsubscribe")
def unsubscribe(data: Any = None) -> dict:
    room = data.get("room") if isinstance(data, dict) else None
    if isinstance(room, str):
        leave_room(room)
    return {"ok": True}


def room_state(principal: Principal, room: Any) -> dict:
    """The state a room's member starts from, after checking they may join it."""
    if not isinstance(room, str) or ":" not in room:
        raise ValidationError("room must look like branch:1, counter:2 or ticket:<token>.", "room")
    kind, _, key = room.partition(":")
    reads = get_reads()
    if kind == "ticket":
        ticket = reads.public_ticket(key)
        return {
            "seq": reads.branch(reads.ticket_row_by_token(key)["branch_id"])["seq"],
            "ticket": ticket,
        }
    if not key.isdigit():
        raise ValidationError(
            "%(kind)s rooms are named by number, like %(kind)s:1.", "room", kind=kind
        )
    if kind == "branch":
        branch_id = int(key)
        if not (
            principal.allows("staff")
            or (
                principal.allows("display", "kiosk", "feedback")
                and principal.branch_id == branch_id
            )
        ):
            raise NotAllowed("Only staff and this branch's devices may follow the branch.", "room")
        return reads.branch_state(branch_id)
    if kind == "counter":
        counter_id = int(key)
        if not (principal.allows("staff") or principal.counter_id == counter_id):
            raise NotAllowed("Only staff and this counter's screens may follow it.", "room")
        return reads.counter_state(counter_id)
    raise ValidationError("There are no %(kind)s rooms.", "room", kind=kind)
