"""The ticket state machine and the order in which a queue is served."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from server.domain.errors import N_, InvalidTransition, Term


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


# Each move, the states it may start from, and where it leaves the ticket.
MOVES: dict[str, tuple[frozenset[Status], Status]] = {
    "call": (frozenset({Status.WAITING}), Status.CALLED),
    "recall": (frozenset({Status.CALLED}), Status.CALLED),
    "start": (frozenset({Status.CALLED}), Status.SERVING),
    "finish": (frozenset({Status.SERVING}), Status.DONE),
    "no_show": (frozenset({Status.CALLED}), Status.NO_SHOW),
    "park": (frozenset({Status.CALLED, Status.SERVING}), Status.WAITING),
    "transfer": (frozenset({Status.CALLED, Status.SERVING}), Status.WAITING),
    "cancel": (frozenset({Status.WAITING}), Status.CANCELLED),
}

# A counter's last finish or no-show can be taken back for a few seconds (a key pressed by
# mistake): the ticket returns to the counter as it was. The undo is its own event, so the
# history keeps both; `finish_undone` starts a new spell of service.
UNDO_WINDOW = timedelta(seconds=10)
UNDOABLE = {"finished": Status.SERVING, "no_show": Status.CALLED}
UNDONE_KIND = {"finished": "finish_undone", "no_show": "no_show_undone"}

# Statuses in which a ticket is at a counter.
AT_COUNTER = frozenset({Status.CALLED, Status.SERVING})

# Priority needs a customer may state at the kiosk.
PRIORITY_NEEDS = ("elderly", "disability", "pregnancy")

# The serving order within the services a counter serves: stated priority needs first, then
# tickets transferred in from another service, then whoever has waited longest.
QUEUE_ORDER = (
    "(tickets.priority IS NOT NULL) DESC, tickets.transferred DESC, tickets.queued_at, tickets.id"
)


# The words a refused move is explained with, listed for the catalogs: they are translated with
# the message where it is shown (tests/core/test_domain.py checks that the list is complete).
WORDS = (
    *(N_("call"), N_("recall"), N_("start"), N_("finish"), N_("no-show"), N_("park")),
    *(N_("transfer"), N_("cancel"), N_("waiting"), N_("called"), N_("serving"), N_("done")),
    *(N_("no_show"), N_("cancelled"), N_("called or serving")),
)


def next_status(move: str, current: str, code: str) -> Status:
    """The status after `move`, or InvalidTransition naming why it cannot happen."""
    allowed_from, to = MOVES[move]
    if Status(current) not in allowed_from:
        raise InvalidTransition(
            "Cannot %(move)s ticket %(code)s: it is %(status)s, "
            "and only a %(allowed)s ticket can be.",
            move=Term(move.replace("_", "-")),
            code=code,
            status=Term(current),
            allowed=Term(" or ".join(sorted(s.value for s in allowed_from))),
        )
    return to


def format_code(prefix: str, number: int) -> str:
    """`A` and 42 make `A042`; numbers past 999 simply grow a digit."""
    return f"{prefix}{number:03d}"
