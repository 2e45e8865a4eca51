"""The store's rules for joining the queue from a phone, and the refusals they give.

A branch opens remote joining and sets its hours (its opening hours, closing a set time before
the branch closes), the most remote tickets that may wait at once, and the queue length past
which no remote ticket is issued. A service follows its branch unless it overrides a rule.
Each refusal carries the rule's name as its error code, so a page can word it for the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.domain.errors import Conflict, ValidationError
from server.domain.store_rules import WEEKDAYS

# "I need more time": how many places the ticket goes back, and how often its holder may ask.
MORE_TIME_PLACES = 3
MORE_TIME_LIMIT = 2
# The phone page asks "Are you on your way?" this many places from the front (0 is next).
ON_YOUR_WAY_POSITION = 3
# The longest a store may stop remote joining before it closes, and the largest caps.
MAX_CLOSES_BEFORE_MIN = 12 * 60
MAX_CAP = 10_000

CHANNELS = ("kiosk", "phone", "staff")
ACTIVE_STATUSES = ("waiting", "called", "serving")


class JoinRefused(ValidationError):
    """Remote joining is closed for this service right now; `code` names the rule (422)."""

    def __init__(self, rule: str, message: str, field: str = "service_id"):
        super().__init__(message, field)
        self.code = rule


class MoveRefused(Conflict):
    """A phone's move (join again, more time) clashes with what already happened (409)."""

    def __init__(self, rule: str, message: str, field: str = "token"):
        super().__init__(message, field)
        self.code = rule


@dataclass(frozen=True)
class RemoteRules:
    """The rules in force for one service: its own where it sets them, else its branch's."""

    enabled: bool
    closes_before_min: int
    max_waiting: int | None  # remote tickets waiting in the whole branch
    service_max_waiting: int | None  # remote tickets waiting in this service
    max_queue: int | None  # people waiting in the service, past which no remote ticket


def rules_for(branch: dict, service: dict) -> RemoteRules:
    def either(column: str) -> int | None:
        own = service.get(column)
        return own if own is not None else branch[column]

    return RemoteRules(
        enabled=bool(branch["remote_joining"]) and bool(service["remote_joining"]),
        closes_before_min=either("remote_closes_before_min"),
        max_waiting=branch["remote_max_waiting"],
        service_max_waiting=service["remote_max_waiting"],
        max_queue=either("remote_max_queue"),
    )


def open_window(
    opening_hours: dict, timezone: str, now: datetime, closes_before_min: int
) -> tuple[datetime, datetime] | None:
    """Today's window for remote joining in the branch's time, or None on a closed day.

    A branch without any opening hours set is taken as always open (its day has no end to
    count back from)."""
    local = now.astimezone(ZoneInfo(timezone))
    if not opening_hours:
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=1)
    span = opening_hours.get(WEEKDAYS[local.weekday()])
    if not span:
        return None
    opens = datetime.combine(local.date(), datetime.strptime(span["opens"], "%H:%M").time())
    closes = datetime.combine(local.date(), datetime.strptime(span["closes"], "%H:%M").time())
    tz = local.tzinfo
    return opens.replace(tzinfo=tz), closes.replace(tzinfo=tz) - timedelta(
        minutes=closes_before_min
    )


def check_open(rules: RemoteRules, opening_hours: dict, timezone: str, now: datetime) -> None:
    """Refuse unless remote joining is switched on and within its hours."""
    if not rules.enabled:
        raise JoinRefused("remote_joining_off", "Joining from a phone is not offered here.")
    window = open_window(opening_hours, timezone, now, rules.closes_before_min)
    if window is None or not window[0] <= now < window[1]:
        raise JoinRefused(
            "remote_joining_closed",
            "Joining from a phone is closed at this hour: please come to the kiosk.",
        )


def check_room(
    rules: RemoteRules, remote_waiting: int, remote_waiting_service: int, queue_length: int
) -> None:
    """Refuse when the caps on remote tickets or on the queue's length are reached."""
    for cap, count in (
        (rules.max_waiting, remote_waiting),
        (rules.service_max_waiting, remote_waiting_service),
    ):
        if cap is not None and count >= cap:
            raise JoinRefused(
                "remote_tickets_full",
                "As many people as we can take are already waiting remotely.",
            )
    if rules.max_queue is not None and queue_length >= rules.max_queue:
        raise JoinRefused("queue_too_long", "The queue is too long to join from a phone right now.")


def check_priority(priority: str | None, branch: dict, service: dict) -> None:
    """A priority need may be stated only where the branch and the service allow it."""
    if priority and not (branch["priority_enabled"] and service["priority_allowed"]):
        raise ValidationError("This service takes no priority needs.", "priority")
