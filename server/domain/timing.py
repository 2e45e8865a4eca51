"""Service days: the business day a moment belongs to."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def service_day(now_utc: datetime, timezone: str, day_starts_at: str = "00:00") -> str:
    """The branch-local business day of an instant; with a 04:00 start, 02:00 is the day before."""
    local = now_utc.astimezone(ZoneInfo(timezone))
    start = time.fromisoformat(day_starts_at)
    shifted = local - timedelta(hours=start.hour, minutes=start.minute)
    return shifted.date().isoformat()
