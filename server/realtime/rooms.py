"""Room names, in one place: made here, and parsed here from what clients send."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from server.domain.errors import ValidationError

# One spelling per room: ids without leading zeros and within SQLite's range, ticket tokens as
# the engine makes them. `branch:01` or `branch:²` would otherwise name `branch:1` a second time.
ROOM = re.compile(r"(branch|counter):([1-9][0-9]{0,17})|ticket:([A-Za-z0-9_-]{1,64})", re.ASCII)


class Room(NamedTuple):
    kind: str
    key: str

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.key}"


def parse_room(value: Any) -> Room:
    """The room a client asks for, in its one canonical spelling, or a ValidationError."""
    found = ROOM.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise ValidationError("room must look like branch:1, counter:2 or ticket:<token>.", "room")
    if found[3]:
        return Room("ticket", found[3])
    return Room(found[1], found[2])


def branch_room(branch_id: int) -> str:
    return f"branch:{branch_id}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


def feedback_room(counter_id: int) -> str:
    """Where a counter's feedback screens listen: `counter:<id>` events, tickets cut down."""
    return f"feedback:{counter_id}"


def counter_rooms(counter_id: int) -> list[str]:
    """The counter's workstations and its feedback screens, for events both may hear whole."""
    return [counter_room(counter_id), feedback_room(counter_id)]


def ticket_room(token: str) -> str:
    return f"ticket:{token}"
