"""Rating rules: who may rate, through which channel, until when, and with which reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.domain.errors import ValidationError

# Where a rating comes from: the counter-top feedback screen or the customer's phone.
CHANNELS = ("feedback", "phone")

# The chips a customer may tick with a score: what went well (4–5) or what could be better (1–3).
REASONS = ("wait_time", "friendliness", "knowledge", "resolution", "speed", "clarity")

# How long after the visit the phone page still takes a rating, unless configured otherwise.
DEFAULT_PHONE_WINDOW = timedelta(hours=24)

# Scores a manager should follow up on.
LOW_SCORES = (1, 2)


def channel(value: Any) -> str:
    if value not in CHANNELS:
        raise ValidationError(
            "channel must be one of %(choices)s.", "channel", choices=", ".join(CHANNELS)
        )
    return value


def reasons(value: Any) -> list[str]:
    """A list of known reason codes, each at most once, in the order given."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("reasons must be a list of reason codes.", "reasons")
    unknown = [code for code in value if code not in REASONS]
    if unknown:
        raise ValidationError(
            "Unknown reason %(reason)s; reasons are among %(choices)s.",
            "reasons",
            reason=unknown[0],
            choices=", ".join(REASONS),
        )
    return list(dict.fromkeys(value))


def phone_window_open(finished_at: datetime, now: datetime, window: timedelta) -> bool:
    """A phone rating is taken only for a while after the visit, while it is fresh."""
    return now - finished_at <= window
