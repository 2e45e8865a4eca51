"""Socket.IO connections: who is connecting, and which rooms they may join."""

from __future__ import annotations

from typing import Any

from flask import session
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from server.auth.principal import ANONYMOUS, Principal, resolve
from server.db import get_reads
from server.domain.errors import DomainError, NotAllowed
from server.engine.reads import feedback_state
from server.realtime import connections, guard, socketio
from server.realtime.rooms import Room, feedback_room, parse_room
from server.security import hit_limit


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
@guard.capped
def subscribe(data: Any = None) -> dict:
    """Join a room; the acknowledgement carries the room's current state and `seq`."""
    try:
        room = parse_room(data.get("room") if isinstance(data, dict) else None)
        guard.room_allowed(room.name)
        if room.kind == "ticket":  # a token guesser's other way in, limited like the page
            hit_limit("SIRA_LIMIT_PUBLIC_TICKET", "public-ticket")
        principal = connection_principal()
        may_follow(principal, room)
    except DomainError as error:
        return guard.refusal(error)
    # Joined before the state is read, so that a change committed during the read still
    # reaches this member: as an event, if the state is too old to hold it.
    joined = member_room(principal, room)
    join_room(joined)
    try:
        state = room_state(principal, room)
    except DomainError as error:
        leave_room(joined)
        return guard.refusal(error)
    guard.joined(room.name)
    return {"ok": True, "room": room.name, "seq": state["seq"], "state": state}


@socketio.on("unsubscribe")
def unsubscribe(data: Any = None) -> dict:
    try:
        room = parse_room(data.get("room") if isinstance(data, dict) else None)
    except DomainError as error:
        return guard.refusal(error)
    leave_room(member_room(connection_principal(), room))
    guard.left(room.name)
    return {"ok": True}


def may_follow(principal: Principal, room: Room) -> None:
    """Refuse a room the principal may not follow; a ticket's room is its token's holder's."""
    if room.kind == "ticket":
        return
    number = int(room.key)
    if room.kind == "branch":
        if not (
            principal.allows("staff")
            or (principal.allows("display", "kiosk", "feedback") and principal.branch_id == number)
        ):
            raise NotAllowed("Only staff and this branch's devices may follow the branch.", "room")
    elif not (principal.allows("staff") or principal.counter_id == number):
        raise NotAllowed("Only staff and this counter's screens may follow it.", "room")


def room_state(principal: Principal, room: Room) -> dict:
    """The state a room's member starts from (who may join is `may_follow`'s question)."""
    reads = get_reads()
    if room.kind == "ticket":
        ticket = reads.public_ticket(room.key)
        return {
            "seq": reads.branch(reads.ticket_row_by_token(room.key)["branch_id"])["seq"],
            "ticket": ticket,
        }
    number = int(room.key)
    if room.kind == "branch":
        return reads.branch_state(number)
    state = reads.counter_state(number)
    return state if principal.allows("staff") else feedback_state(state)


def member_room(principal: Principal, room: Room) -> str:
    """The room a connection really joins: a feedback screen hears its counter cut down."""
    if room.kind == "counter" and not principal.allows("staff"):
        return feedback_room(int(room.key))
    return room.name
