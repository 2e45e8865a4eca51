"""KPIs over a range of service days, computed in SQL from stored timestamps and ticket events.

A ticket's wait is the sum of its spells in a queue: from being issued, transferred or parked to
being called. Its service time is the sum of its spells at a counter (started to finished,
transferred or parked), and only tickets that were served (done) have one: no-shows do not.
A ticket counts for its service day (branch-local, from `day_starts_at`) and for the service,
counter and staff member it ended with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from server.domain.errors import ValidationError
from server.domain.validation import integer

# The longest range one request may ask for.
MAX_RANGE_DAYS = 3 * 366

# Per-ticket figures, for the tickets in scope, kept in a temporary table for the aggregates.
# Durations are rounded to the millisecond, so julianday's float noise never tips a target.
PER_TICKET = """
CREATE TEMP TABLE stat_tickets AS
WITH scope AS (
    SELECT tickets.*, services.target_wait_s FROM tickets
    JOIN services ON services.id = tickets.service_id
    WHERE {where}
),
spells AS (
    SELECT ticket_id, kind, at,
        lag(kind) OVER by_ticket AS kind_before, lag(at) OVER by_ticket AS at_before
    FROM ticket_events
    WHERE ticket_id IN (SELECT id FROM scope WHERE queued_at <> created_at)
        AND kind IN ('issued', 'transferred', 'parked', 'called', 'started', 'finished')
    WINDOW by_ticket AS (PARTITION BY ticket_id ORDER BY id)
),
requeued AS (
    SELECT ticket_id,
        sum(CASE WHEN kind = 'called' AND kind_before IN ('issued', 'transferred', 'parked')
            THEN julianday(at) - julianday(at_before) END) * 86400 AS wait_s,
        sum(CASE WHEN kind IN ('finished', 'transferred', 'parked') AND kind_before = 'started'
            THEN julianday(at) - julianday(at_before) END) * 86400 AS service_s
    FROM spells GROUP BY ticket_id
)
SELECT scope.id, scope.service_id, scope.counter_id, scope.user_id, scope.status,
    scope.service_day, substr(scope.created_at, 1, 15) AS arrival_bucket, scope.target_wait_s,
    round(CASE WHEN scope.queued_at = scope.created_at
        THEN (julianday(scope.called_at) - julianday(scope.created_at)) * 86400
        ELSE requeued.wait_s END, 3) AS wait_s,
    round(CASE WHEN scope.status <> 'done' THEN NULL
        WHEN scope.queued_at = scope.created_at
        THEN (julianday(scope.finished_at) - julianday(scope.started_at)) * 86400
        ELSE requeued.service_s END, 3) AS service_s,
    ratings.score
FROM scope
LEFT JOIN requeued ON requeued.ticket_id = scope.id
LEFT JOIN ratings ON ratings.ticket_id = scope.id
"""

COUNTS = """
SELECT {key} AS key, count(*) AS issued,
    sum(status = 'done') AS served, sum(status = 'no_show') AS no_show,
    sum(status = 'cancelled') AS cancelled,
    count(wait_s) AS waited, sum(wait_s <= target_wait_s) AS within_target,
    count(score) AS rated, avg(score) AS rating_avg, sum(score >= 4) AS positive,
    sum(score = 1) AS r1, sum(score = 2) AS r2, sum(score = 3) AS r3,
    sum(score = 4) AS r4, sum(score = 5) AS r5
FROM stat_tickets WHERE {key} IS NOT NULL GROUP BY {key}
"""

# Average, median, 90th percentile (linear between closest ranks) and maximum, per key.
SPREAD = """
WITH ranked AS (
    SELECT {key} AS key, {value} AS value,
        row_number() OVER (PARTITION BY {key} ORDER BY {value}) - 1 AS rank,
        count(*) OVER (PARTITION BY {key}) AS n
    FROM stat_tickets WHERE {value} IS NOT NULL AND {key} IS NOT NULL
),
marks AS (
    SELECT key, n, avg(value) AS avg, max(value) AS max,
        max(CASE WHEN rank = CAST((n - 1) * 0.5 AS INT) THEN value END) AS p50_low,
        max(CASE WHEN rank = min(CAST((n - 1) * 0.5 AS INT) + 1, n - 1) THEN value END)
            AS p50_high,
        max(CASE WHEN rank = CAST((n - 1) * 0.9 AS INT) THEN value END) AS p90_low,
        max(CASE WHEN rank = min(CAST((n - 1) * 0.9 AS INT) + 1, n - 1) THEN value END)
            AS p90_high
    FROM ranked GROUP BY key, n
)
SELECT key, avg, max,
    p50_low + (p50_high - p50_low) * ((n - 1) * 0.5 - CAST((n - 1) * 0.5 AS INT)) AS p50,
    p90_low + (p90_high - p90_low) * ((n - 1) * 0.9 - CAST((n - 1) * 0.9 AS INT)) AS p90
FROM marks
"""

# Each breakdown: its key column, and how to name its rows.
DIMENSIONS = {
    "service": ("service_id", "SELECT id, name FROM services WHERE id IN ({ids})"),
    "counter": ("counter_id", "SELECT id, name FROM counters WHERE id IN ({ids})"),
    "staff": ("user_id", "SELECT id, display_name AS name FROM users WHERE id IN ({ids})"),
}


@dataclass(frozen=True)
class StatsFilter:
    branch_id: int
    day_from: str
    day_to: str
    service_id: int | None = None
    counter_id: int | None = None
    user_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], branch_id: int, today: date) -> StatsFilter:
        """Service days `from`..`to` inclusive (YYYY-MM-DD); the last 7 days when not given."""
        day_to = _day(args.get("to"), "to") or today
        day_from = _day(args.get("from"), "from") or day_to - timedelta(days=6)
        if day_from > day_to:
            raise ValidationError("from must not be after to.", "from")
        if (day_to - day_from).days >= MAX_RANGE_DAYS:
            raise ValidationError(f"The range may span at most {MAX_RANGE_DAYS} days.", "from")
        optional = {
            key: integer(args[key], key) if args.get(key) else None
            for key in ("service_id", "counter_id", "user_id")
        }
        return cls(branch_id, day_from.isoformat(), day_to.isoformat(), **optional)

    def where(self) -> tuple[str, dict]:
        """The SQL condition on `tickets` and its parameters."""
        where = [
            "tickets.branch_id = :branch_id",
            "tickets.service_day BETWEEN :day_from AND :day_to",
        ]
        params = {"branch_id": self.branch_id, "day_from": self.day_from, "day_to": self.day_to}
        for column in ("service_id", "counter_id", "user_id"):
            if getattr(self, column) is not None:
                where.append(f"tickets.{column} = :{column}")
                params[column] = getattr(self, column)
        return " AND ".join(where), params

    def days(self) -> list[str]:
        first, last = date.fromisoformat(self.day_from), date.fromisoformat(self.day_to)
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field} must be a date like 2026-03-01.", field) from None


def compute_stats(db: sqlite_utils.Database, query: StatsFilter) -> dict:
    """All KPIs of the range: totals, per service, counter and staff member, arrivals, trend."""
    timezone = db.execute(
        "SELECT timezone FROM branches WHERE id = ?", [query.branch_id]
    ).fetchone()[0]
    where, params = query.where()
    db.execute("DROP TABLE IF EXISTS temp.stat_tickets")
    db.execute(PER_TICKET.format(where=where), params)
    try:
        totals = breakdown(db, "1")[1] if has_tickets(db) else kpis({}, {}, {})
        result = {
            "from": query.day_from,
            "to": query.day_to,
            "timezone": timezone,
            **totals,
        }
        for name, (column, names_sql) in DIMENSIONS.items():
            rows = breakdown(db, column)
            labels = dict(
                db.execute(names_sql.format(ids=",".join(map(str, rows)) or "NULL")).fetchall()
            )
            result[f"by_{name}"] = sorted(
                ({"id": key, "name": labels.get(key, "?"), **row} for key, row in rows.items()),
                key=lambda row: (-row["issued"], row["name"]),
            )
        result.update(arrivals(db, timezone))
        result["daily"] = daily(db, query)
    finally:
        db.execute("DROP TABLE IF EXISTS temp.stat_tickets")
    return result


def has_tickets(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM stat_tickets LIMIT 1").fetchone() is not None


def breakdown(db: sqlite_utils.Database, key: str) -> dict:
    """KPIs per value of `key` (a stat_tickets column, or "1" for the totals)."""
    counts = {row["key"]: dict(row) for row in db.execute(COUNTS.format(key=key))}
    waits = spread(db, key, "wait_s")
    services = spread(db, key, "service_s")
    return {
        key_value: kpis(row, waits.get(key_value, {}), services.get(key_value, {}))
        for key_value, row in counts.items()
    }


def spread(db: sqlite_utils.Database, key: str, value: str) -> dict:
    return {row["key"]: dict(row) for row in db.execute(SPREAD.format(key=key, value=value))}


def kpis(counts: dict, waits: dict, services: dict) -> dict:
    """One row of KPIs in the shape of the API (DESIGN.md's stats keys)."""
    waited, rated = counts.get("waited") or 0, counts.get("rated") or 0
    return {
        "issued": counts.get("issued") or 0,
        "served": counts.get("served") or 0,
        "no_show": counts.get("no_show") or 0,
        "cancelled": counts.get("cancelled") or 0,
        "wait_s": {key: seconds(waits.get(key)) for key in ("avg", "p50", "p90", "max")},
        "service_s": {key: seconds(services.get(key)) for key in ("avg", "p50", "p90")},
        "within_target_pct": percent(counts.get("within_target"), waited),
        "rating": {
            "avg": round(counts["rating_avg"], 2) if rated else None,
            "count": rated,
            "distribution": {str(n): counts.get(f"r{n}") or 0 for n in range(1, 6)},
            "positive_pct": percent(counts.get("positive"), rated),
        },
    }


def seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percent(part: int | None, whole: int) -> float | None:
    return round(100 * (part or 0) / whole, 1) if whole else None


def arrivals(db: sqlite_utils.Database, timezone: str) -> dict:
    """Tickets issued by local hour of day, and by local weekday (Monday first) and hour.

    SQLite knows no time zones, so SQL counts arrivals per ten UTC minutes and each bucket is
    placed in the branch's local week here; that is exact for every zone offset in use.
    """
    zone = ZoneInfo(timezone)
    per_hour = [0] * 24
    heatmap = [[0] * 24 for _ in range(7)]
    for bucket, count in db.execute(
        "SELECT arrival_bucket, count(*) FROM stat_tickets GROUP BY arrival_bucket"
    ):
        local = datetime.fromisoformat(bucket + "0").replace(tzinfo=UTC).astimezone(zone)
        per_hour[local.hour] += count
        heatmap[local.weekday()][local.hour] += count
    return {"arrivals_per_hour": per_hour, "arrivals_heatmap": heatmap}


def daily(db: sqlite_utils.Database, query: StatsFilter) -> list[dict]:
    """One row per service day of the range, days without tickets included."""
    found = {
        row["day"]: dict(row)
        for row in db.execute(
            "SELECT service_day AS day, count(*) AS issued, sum(status = 'done') AS served,"
            " sum(status = 'no_show') AS no_show, avg(wait_s) AS wait_avg_s,"
            " avg(score) AS rating_avg FROM stat_tickets GROUP BY service_day"
        )
    }
    empty = {"issued": 0, "served": 0, "no_show": 0, "wait_avg_s": None, "rating_avg": None}
    return [
        {
            **(row := {**empty, **found.get(day, {}), "day": day}),
            "wait_avg_s": seconds(row["wait_avg_s"]),
            "rating_avg": None if row["rating_avg"] is None else round(row["rating_avg"], 2),
        }
        for day in query.days()
    ]
