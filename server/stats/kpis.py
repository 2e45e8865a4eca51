"""KPIs over a range of service days, computed in SQL from stored timestamps and ticket events.

A ticket's wait is the sum of its spells in a queue: from being issued, transferred or parked to
being called. Its service time is the sum of its spells at a counter (started to finished,
transferred or parked), and only tickets that were served (done) have one: no-shows do not.
Averages and maxima are exact; medians and 90th percentiles are taken over whole seconds.
A ticket counts for its service day (branch-local, from `day_starts_at`) and for the service,
counter and staff member it ended with.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
WITH scope AS NOT MATERIALIZED (
    SELECT tickets.id, tickets.service_id, tickets.counter_id, tickets.user_id, tickets.status,
        tickets.service_day, tickets.created_at, tickets.queued_at, tickets.called_at,
        tickets.started_at, tickets.finished_at, services.target_wait_s
    FROM tickets
    JOIN services ON services.id = tickets.service_id
    WHERE {where}
),
spells AS (
    SELECT ticket_id, kind, at,
        lag(kind) OVER by_ticket AS kind_before, lag(at) OVER by_ticket AS at_before
    FROM ticket_events
    WHERE ticket_id IN (SELECT id FROM scope WHERE scope.queued_at <> scope.created_at)
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
-- Tickets that never went back to a queue: their own timestamps tell everything.
SELECT scope.id, scope.service_id, scope.counter_id, scope.user_id, scope.status,
    scope.service_day, substr(scope.created_at, 1, 15) AS arrival_bucket, scope.target_wait_s,
    round((julianday(scope.called_at) - julianday(scope.created_at)) * 86400, 3) AS wait_s,
    CASE WHEN scope.status = 'done' THEN
        round((julianday(scope.finished_at) - julianday(scope.started_at)) * 86400, 3)
    END AS service_s,
    ratings.score
FROM scope LEFT JOIN ratings ON ratings.ticket_id = scope.id
WHERE scope.queued_at = scope.created_at
UNION ALL
-- Transferred or parked tickets: their spells, from the events.
SELECT scope.id, scope.service_id, scope.counter_id, scope.user_id, scope.status,
    scope.service_day, substr(scope.created_at, 1, 15), scope.target_wait_s,
    round(requeued.wait_s, 3),
    CASE WHEN scope.status = 'done' THEN round(requeued.service_s, 3) END,
    ratings.score
FROM scope
LEFT JOIN requeued ON requeued.ticket_id = scope.id
LEFT JOIN ratings ON ratings.ticket_id = scope.id
WHERE scope.queued_at <> scope.created_at
"""

# One pass over the tickets: sums per service × counter × staff member × whole second of wait.
# The breakdowns re-add these rows, and the wait percentiles are read off the seconds, so no
# other pass has to sort every ticket.
CUBE = """
CREATE TEMP TABLE stat_cube AS
SELECT service_id, counter_id, user_id, CAST(round(wait_s) AS INT) AS wait_bin,
    count(*) AS issued, sum(status = 'done') AS served, sum(status = 'no_show') AS no_show,
    sum(status = 'cancelled') AS cancelled,
    count(wait_s) AS waited, sum(wait_s) AS wait_sum, max(wait_s) AS wait_max,
    sum(wait_s <= target_wait_s) AS within_target,
    count(service_s) AS serviced, sum(service_s) AS service_sum,
    count(score) AS rated, sum(score) AS score_sum, sum(score >= 4) AS positive,
    sum(score = 1) AS r1, sum(score = 2) AS r2, sum(score = 3) AS r3,
    sum(score = 4) AS r4, sum(score = 5) AS r5
FROM stat_tickets GROUP BY service_id, counter_id, user_id, wait_bin
"""

# Service times counted per whole second, for their percentiles.
SERVICE_BINS = """
CREATE TEMP TABLE stat_service_bins AS
SELECT service_id, counter_id, user_id, CAST(round(service_s) AS INT) AS value, count(*) AS n
FROM stat_tickets WHERE service_s IS NOT NULL GROUP BY 1, 2, 3, 4
"""

COUNTS = """
SELECT {key} AS key, sum(issued) AS issued, sum(served) AS served, sum(no_show) AS no_show,
    sum(cancelled) AS cancelled, sum(waited) AS waited, sum(within_target) AS within_target,
    sum(wait_sum) / sum(waited) AS wait_avg, max(wait_max) AS wait_max,
    sum(service_sum) / sum(serviced) AS service_avg,
    sum(rated) AS rated, 1.0 * sum(score_sum) / sum(rated) AS rating_avg,
    sum(positive) AS positive, sum(r1) AS r1, sum(r2) AS r2, sum(r3) AS r3, sum(r4) AS r4,
    sum(r5) AS r5
FROM stat_cube WHERE {key} IS NOT NULL GROUP BY {key}
"""

# Per metric: the (key, value, n) rows its percentiles are read from.
BINS = {
    "wait_s": "SELECT {key} AS key, wait_bin AS value, sum(waited) AS n FROM stat_cube"
    " WHERE wait_bin IS NOT NULL AND {key} IS NOT NULL GROUP BY 1, 2",
    "service_s": "SELECT {key} AS key, value, sum(n) AS n FROM stat_service_bins"
    " WHERE {key} IS NOT NULL GROUP BY 1, 2",
}

# Median and 90th percentile per key, linear between closest ranks (numpy's default).
PERCENTILES = """
WITH bins AS ({bins}),
running AS (
    SELECT key, value, sum(n) OVER (PARTITION BY key ORDER BY value) AS upto,
        sum(n) OVER (PARTITION BY key) AS total
    FROM bins
),
marks AS (
    SELECT key, total,
        min(CASE WHEN upto > CAST((total - 1) * 0.5 AS INT) THEN value END) AS p50_low,
        min(CASE WHEN upto > min(CAST((total - 1) * 0.5 AS INT) + 1, total - 1)
            THEN value END) AS p50_high,
        min(CASE WHEN upto > CAST((total - 1) * 0.9 AS INT) THEN value END) AS p90_low,
        min(CASE WHEN upto > min(CAST((total - 1) * 0.9 AS INT) + 1, total - 1)
            THEN value END) AS p90_high
    FROM running GROUP BY key, total
)
SELECT key,
    p50_low + (p50_high - p50_low) * ((total - 1) * 0.5 - CAST((total - 1) * 0.5 AS INT)) AS p50,
    p90_low + (p90_high - p90_low) * ((total - 1) * 0.9 - CAST((total - 1) * 0.9 AS INT)) AS p90
FROM marks
"""

TEMPORARY = ("stat_tickets", "stat_cube", "stat_service_bins")

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
    with per_ticket(db, query):
        db.execute(CUBE)
        db.execute(SERVICE_BINS)
        result = {
            "from": query.day_from,
            "to": query.day_to,
            "timezone": timezone,
            **breakdown(db, "1").get(1, kpis({}, {}, {})),
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
    return result


@contextmanager
def per_ticket(db: sqlite_utils.Database, query: StatsFilter) -> Iterator[None]:
    """The `stat_tickets` table (wait, service time, score per ticket in scope) while inside."""
    where, params = query.where()
    # Sorts for the breakdowns stay in memory (64 MB) instead of spilling in 2 MB runs.
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cache_size = -65536")
    drop_temporary(db)
    try:
        db.execute(PER_TICKET.format(where=where), params)
        yield
    finally:
        drop_temporary(db)


def drop_temporary(db: sqlite_utils.Database) -> None:
    for table in TEMPORARY:
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")


def breakdown(db: sqlite_utils.Database, key: str) -> dict:
    """KPIs per value of `key` (service_id, counter_id, user_id, or "1" for the totals)."""
    counts = {row["key"]: dict(row) for row in db.execute(COUNTS.format(key=key))}
    waits = percentiles(db, key, "wait_s")
    services = percentiles(db, key, "service_s")
    return {
        key_value: kpis(row, waits.get(key_value, {}), services.get(key_value, {}))
        for key_value, row in counts.items()
    }


def percentiles(db: sqlite_utils.Database, key: str, metric: str) -> dict:
    bins = BINS[metric].format(key=key)
    return {row["key"]: dict(row) for row in db.execute(PERCENTILES.format(bins=bins))}


def kpis(counts: dict, waits: dict, services: dict) -> dict:
    """One row of KPIs in the shape of the API (DESIGN.md's stats keys)."""
    waited, rated = counts.get("waited") or 0, counts.get("rated") or 0
    return {
        "issued": counts.get("issued") or 0,
        "served": counts.get("served") or 0,
        "no_show": counts.get("no_show") or 0,
        "cancelled": counts.get("cancelled") or 0,
        "wait_s": {
            "avg": seconds(counts.get("wait_avg")),
            "p50": seconds(waits.get("p50")),
            "p90": seconds(waits.get("p90")),
            "max": seconds(counts.get("wait_max")),
        },
        "service_s": {
            "avg": seconds(counts.get("service_avg")),
            "p50": seconds(services.get("p50")),
            "p90": seconds(services.get("p90")),
        },
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


def filter_choices(db: sqlite_utils.Database, branch_id: int) -> dict:
    """Services, counters and staff members a range can be narrowed to."""
    return {
        "services": db.execute(
            "SELECT id, name FROM services WHERE branch_id = ? ORDER BY sort_order, id",
            [branch_id],
        ).fetchall(),
        "counters": db.execute(
            "SELECT id, name FROM counters WHERE branch_id = ? ORDER BY sort_order, id",
            [branch_id],
        ).fetchall(),
        "staff": db.execute(
            "SELECT id, display_name AS name FROM users WHERE active ORDER BY display_name"
        ).fetchall(),
    }
