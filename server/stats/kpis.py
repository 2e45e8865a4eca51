"""KPIs over a range of service days, read from the rollups the engine keeps (rollups.py).

A ticket's wait is the sum of its spells in a queue: from being issued, transferred or parked to
being called. Its service time is the sum of its spells at a counter (started to finished,
transferred or parked), and only tickets that were served (done) have one: no-shows do not.
A ticket counts for its service day (branch-local, from `day_starts_at`) and for the service,
counter, staff member and channel it ended with.

A range reads day rows for its partial months and month rows for the whole months inside it, so
a year reads a dozen rows per service × counter × staff member × channel. Counts, sums, averages,
maxima, within-target shares and rating distributions are exact; medians and 90th percentiles
come from the rows' sketches, within sketch.RELATIVE_ACCURACY (1 %) of the exact figure over
whole seconds. The daily trend reads the day rows' counts, summed by SQLite.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlite_utils

from server.domain.errors import ValidationError
from server.domain.remote_joining import CHANNELS
from server.domain.validation import integer
from server.stats import sketch
from server.stats.rollups import COUNTS

# The longest range one request may ask for.
MAX_RANGE_DAYS = 3 * 366

# Each breakdown: its key's place in a group (service, counter, staff member; the channel is
# CHANNEL, its own name), and its names. Counter and staff member 0 are tickets without one.
DIMENSIONS = {
    "service": (0, "SELECT id, name FROM services WHERE id IN ({ids})"),
    "counter": (1, "SELECT id, name FROM counters WHERE id IN ({ids})"),
    "staff": (2, "SELECT id, display_name AS name FROM users WHERE id IN ({ids})"),
}
CHANNEL = 3

ROWS = f"""
SELECT service_id, counter_id, user_id, channel, {", ".join(COUNTS)}, wait_max_ms,
    wait_sketch, service_sketch, arrivals
FROM stats_rollups WHERE {{where}} AND span = :span AND period BETWEEN :first AND :last
"""

DAILY = """
SELECT period, sum(issued), sum(served), sum(no_show), sum(waited), sum(wait_ms), sum(rated),
    sum(score_1 + 2 * score_2 + 3 * score_3 + 4 * score_4 + 5 * score_5)
FROM stats_rollups WHERE {where} AND span = 'day' AND period BETWEEN :day_from AND :day_to
GROUP BY period
"""


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
            raise ValidationError(
                "The range may span at most %(days)d days.", "from", days=MAX_RANGE_DAYS
            )
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

    def rollup_where(self) -> tuple[str, dict]:
        """The SQL condition on `stats_rollups` (branch and filters) and its parameters."""
        where = ["branch_id = :branch_id"]
        params: dict = {"branch_id": self.branch_id}
        for column in ("service_id", "counter_id", "user_id"):
            if getattr(self, column) is not None:
                where.append(f"{column} = :{column}")
                params[column] = getattr(self, column)
        return " AND ".join(where), params

    def days(self) -> list[str]:
        first, last = date.fromisoformat(self.day_from), date.fromisoformat(self.day_to)
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


# Dates a range may use: a week either side stays within what `date` can count.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            "%(name)s must be a date like 2026-03-01.", field, name=field
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            "%(name)s must be a date from %(first)s to %(last)s.",
            field,
            name=field,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    return day


def compute_stats(db: sqlite_utils.Database, query: StatsFilter) -> dict:
    """All KPIs of the range: totals, per service, counter, staff member and channel, arrivals
    and the daily trend."""
    timezone = db.execute(
        "SELECT timezone FROM branches WHERE id = ?", [query.branch_id]
    ).fetchone()[0]
    groups, arrived = tally_groups(db, query)
    total = Tally.merged(groups.values())
    result = {"from": query.day_from, "to": query.day_to, "timezone": timezone, **total.kpis()}
    for name, (place, names_sql) in DIMENSIONS.items():
        per_key = per_dimension(groups, place)
        per_key.pop(0, None)
        labels = dict(
            db.execute(names_sql.format(ids=",".join(map(str, per_key)) or "NULL")).fetchall()
        )
        result[f"by_{name}"] = sorted(
            (
                {"id": key, "name": labels.get(key, "?"), **tally.kpis()}
                for key, tally in per_key.items()
            ),
            key=lambda row: (-row["issued"], row["name"]),
        )
    per_channel = per_dimension(groups, CHANNEL)
    result["by_channel"] = [
        {"channel": channel, **per_channel.get(channel, Tally()).kpis()} for channel in CHANNELS
    ]
    result.update(arrivals(arrived))
    result["daily"] = daily(db, query)
    return result


@dataclass
class Tally:
    """The sums behind one row of KPIs: rollup rows of one group added up, or the groups of a
    service, counter, staff member, channel or the whole range merged."""

    counts: Counter = field(default_factory=Counter)
    wait_max_ms: int | None = None
    wait_sketch: Counter = field(default_factory=Counter)  # bucket (as text) → tickets
    service_sketch: Counter = field(default_factory=Counter)

    def add_row(self, row: Mapping) -> None:
        """Add a rollup row (its sketches are stored as JSON)."""
        self.counts.update({name: row[name] for name in COUNTS})
        self.wait_sketch.update(json.loads(row["wait_sketch"]))
        self.service_sketch.update(json.loads(row["service_sketch"]))
        self._add_max(row["wait_max_ms"])

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.wait_sketch.update(other.wait_sketch)
        self.service_sketch.update(other.service_sketch)
        self._add_max(other.wait_max_ms)

    def _add_max(self, wait_max_ms: int | None) -> None:
        if wait_max_ms is not None:
            self.wait_max_ms = max(self.wait_max_ms or 0, wait_max_ms)

    @classmethod
    def merged(cls, tallies: Iterable[Tally]) -> Tally:
        total = cls()
        for tally in tallies:
            total.add(tally)
        return total

    def kpis(self) -> dict:
        """One row of KPIs in the shape of the API (DESIGN.md's stats keys)."""
        counts = self.counts
        waited, serviced, rated = counts["waited"], counts["serviced"], counts["rated"]
        scores = {str(n): counts[f"score_{n}"] for n in range(1, 6)}
        return {
            "issued": counts["issued"],
            "served": counts["served"],
            "no_show": counts["no_show"],
            "cancelled": counts["cancelled"],
            "wait_s": {
                "avg": seconds(counts["wait_ms"] / 1000 / waited if waited else None),
                "p50": seconds(sketch.percentile(self.wait_sketch, 0.5)),
                "p90": seconds(sketch.percentile(self.wait_sketch, 0.9)),
                "max": seconds(None if self.wait_max_ms is None else self.wait_max_ms / 1000),
            },
            "service_s": {
                "avg": seconds(counts["service_ms"] / 1000 / serviced if serviced else None),
                "p50": seconds(sketch.percentile(self.service_sketch, 0.5)),
                "p90": seconds(sketch.percentile(self.service_sketch, 0.9)),
            },
            "within_target_pct": percent(counts["within_target"], waited),
            "rating": {
                "avg": round(sum(int(s) * n for s, n in scores.items()) / rated, 2)
                if rated
                else None,
                "count": rated,
                "distribution": scores,
                "positive_pct": percent(scores["4"] + scores["5"], rated),
            },
        }


def periods(query: StatsFilter) -> list[tuple[str, str, str]]:
    """The rows a range reads, as (span, first, last): day rows for its partial months, month
    rows for the whole months inside it."""
    first, last = date.fromisoformat(query.day_from), date.fromisoformat(query.day_to)
    parts: list[tuple[str, str, str]] = []
    day = first
    while day <= last:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if day.day == 1 and month_end <= last:
            month = day.isoformat()[:7]
            if parts and parts[-1][0] == "month":
                parts[-1] = ("month", parts[-1][1], month)
            else:
                parts.append(("month", month, month))
        else:
            parts.append(("day", day.isoformat(), min(month_end, last).isoformat()))
        day = month_end + timedelta(days=1)
    return parts


def tally_groups(
    db: sqlite_utils.Database, query: StatsFilter
) -> tuple[dict[tuple, Tally], Counter]:
    """The range's rollup rows added up per service × counter × staff member × channel, and
    its arrivals per local weekday × 24 + hour (only the range's total has them)."""
    where, params = query.rollup_where()
    groups: dict[tuple, Tally] = defaultdict(Tally)
    arrived: Counter = Counter()
    for span, first, last in periods(query):
        for row in db.execute(
            ROWS.format(where=where), {**params, "span": span, "first": first, "last": last}
        ):
            key = row["service_id"], row["counter_id"], row["user_id"], row["channel"]
            groups[key].add_row(row)
            arrived.update(json.loads(row["arrivals"]))
    return groups, arrived


def per_dimension(groups: Mapping[tuple, Tally], place: int) -> dict:
    """The groups merged per service, counter, staff member or channel."""
    merged: dict = defaultdict(Tally)
    for key, tally in groups.items():
        merged[key[place]].add(tally)
    return merged


def seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percent(part: int | None, whole: int) -> float | None:
    return round(100 * (part or 0) / whole, 1) if whole else None


def arrivals(counts: Mapping[str, int]) -> dict:
    """Tickets issued by local hour of day, and by local weekday (Monday first) and hour."""
    per_hour = [0] * 24
    heatmap = [[0] * 24 for _ in range(7)]
    for weekday_hour, count in counts.items():
        weekday, hour = divmod(int(weekday_hour), 24)
        per_hour[hour] += count
        heatmap[weekday][hour] += count
    return {"arrivals_per_hour": per_hour, "arrivals_heatmap": heatmap}


def daily(db: sqlite_utils.Database, query: StatsFilter) -> list[dict]:
    """One row per service day of the range, days without tickets included."""
    where, params = query.rollup_where()
    sums = {
        day: found
        for day, *found in db.execute(
            DAILY.format(where=where),
            {**params, "day_from": query.day_from, "day_to": query.day_to},
        ).fetchall()
    }
    return [
        {
            "day": day,
            "issued": issued,
            "served": served,
            "no_show": no_show,
            "wait_avg_s": seconds(wait_ms / 1000 / waited) if waited else None,
            "rating_avg": round(score / rated, 2) if rated else None,
        }
        for day in query.days()
        for issued, served, no_show, waited, wait_ms, rated, score in [
            sums.get(day, (0, 0, 0, 0, 0, 0, 0))
        ]
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
