"""Who can hear an event, so that one nobody would hear is not encoded and sent, and a phone's
place is not even read when no phone follows a ticket.

python-socketio encodes an event before it looks for anyone in the room, and a change speaks to
rooms that are mostly empty: a ticket's phone (most customers hold paper), a counter nobody
works at, a branch with no board open. On its own, this process knows every listener (the
manager's rooms); with a message queue (SIRA_MESSAGE_QUEUE) other processes may hold some, so
then every event goes out.
"""

from __future__ import annotations

from typing import Any

from socketio import PubSubManager

from server.realtime import socketio
from server.realtime.rooms import ticket_room

NAMESPACE = "/"
TICKET_ROOMS = ticket_room("")


def rooms_here() -> dict | None:
    """Each room of this process with its members; None when other processes have rooms too."""
    manager = socketio.server.manager
    if isinstance(manager, PubSubManager):
        return None
    return manager.rooms.get(NAMESPACE, {})


def anyone_in(rooms: str | list[str]) -> bool:
    here = rooms_here()
    if here is None:
        return True
    return any(here.get(room) for room in ([rooms] if isinstance(rooms, str) else rooms))


def emit(event: str, data: Any, to: str | list[str]) -> None:
    """`socketio.emit`, left out when nobody could hear it."""
    if anyone_in(to):
        socketio.emit(event, data, to=to)


def phones_listening() -> set[str] | None:
    """The tokens of the tickets whose room has someone in it; None when that cannot be told."""
    here = rooms_here()
    if here is None:
        return None
    return {
        room.removeprefix(TICKET_ROOMS)
        for room, members in here.items()
        if members and isinstance(room, str) and room.startswith(TICKET_ROOMS)
    }
