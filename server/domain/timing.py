"""Service days and estimated waits."""

from __future__ import annotations

import math
import statistics
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Until a service has history, assume five minutes per customer.
DEFAULT_SERVICE_S = 300
# How many recent services the estimate looks at.
RECENT_SERVICES = 50


def service_day(now_utc: datetime, timezone: str, day_starts_at: str = "00:00") -> str:
    """The branch-local business day of an instant; with a 04:00 start, 02:00 is the day before."""
    local = now_utc.astimezone(ZoneInfo(timezone))
    start = time.fromisoformat(day_starts_at)
    shifted = local - timedelta(hours=start.hour, minutes=start.minute)
    return shifted.date().isoformat()


def typical_service_s(recent_durations_s: list[float]) -> float:
    """The median of recent service times, or the default when there are none."""
    if not recent_durations_s:
        return DEFAULT_SERVICE_S
    return statistics.median(recent_durations_s)


def estimated_wait_s(people_ahead: int, service_s: float, open_counters: int) -> int:
    """People ahead, shared over the open counters, times the typical service time."""
    counters = max(open_counters, 1)
    return int(math.ceil(people_ahead / counters) * service_s)
