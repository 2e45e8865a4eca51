"""Time as the engine sees it: injectable, so tests can cross midnight on purpose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The one timestamp format stored: UTC ISO-8601 with microseconds, sortable as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)
