"""KPIs over a range of service days, computed in SQL from each ticket's stored durations.

A ticket's wait is the sum of its spells in a queue: from being issued, transferred or parked to
being called. Its service time is the sum of its spells at a counter (started to finished,
transferred or parked), and only tickets that were served (done) have one: no-shows do not.
The queue engine adds each spell to the ticket as it ends (from the ticket's events, in whole
milliseconds), so nothing here recomputes a ticket. Averages and maxima are exact; medians and
90th percentiles are taken over whole seconds. A ticket counts for its service day
(branch-local, from `day_starts_at`) and for the service, counter and staff member it ended with.

Each query reads one index in the order it groups by, so SQLite streams its groups and sorts
nothing: waits per whole second × service × counter × staff member (which also counts the
tickets), service times likewise, ratings per score, then days and arrival slots. Python adds
these groups up per service, counter and staff member and reads the percentiles off the bins.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from server.domain.errors import ValidationError
from server.domain.validation import integer

# The longest range one request may ask for.
MAX_RANGE_DAYS = 3 * 366

# The indexes ordered by whole seconds hold every day of the branch: their order is the order of
# the bins, so reading them sorts nothing, but a short range would read mostly other days. They
# are read when the range covers at least this share of the branch's days with tickets; a
# shorter range reads its few tickets by day and lets SQLite sort them.
BINS_SHARE = 0.25

# Per whole second of wait (NULL: never called) × service × counter × staff member.
WAITS = """
SELECT wait_whole_s, service_id, counter_id, user_id, count(*),
    sum(status = 'no_show'), sum(status = 'cancelled'), sum(wait_ms), max(wait_ms),
    sum(wait_ms <= wait_whole_s * 1000)
FROM tickets {index} WHERE {where}
GROUP BY wait_whole_s, service_id, counter_id, user_id
"""

# Served tickets per whole second of service × service × counter × staff member.
SERVICES = """
SELECT service_whole_s, service_id, counter_id, user_id, count(*), sum(service_ms)
FROM tickets {index} WHERE {where} AND tickets.status = 'done'
GROUP BY service_whole_s, service_id, counter_id, user_id
"""

# Rated tickets per score × service × counter × staff member.
RATINGS = """
SELECT rating_score, service_id, counter_id, user_id, count(*)
FROM tickets {index} WHERE {where} AND tickets.rating_score IS NOT NULL
GROUP BY rating_score, service_id, counter_id, user_id
"""

DAILY = """
SELECT service_day, status, rating_score, count(*), count(wait_ms), sum(wait_ms)
FROM tickets INDEXED BY tickets_daily WHERE {where}
GROUP BY service_day, status, rating_score
"""

ARRIVALS = """
SELECT arrival_slot, count(*) FROM tickets INDEXED BY tickets_arrivals WHERE {where}
GROUP BY service_day, arrival_slot
"""

# Each breakdown: its key's place in a group (service, counter, staff member), and its names.
DIMENSIONS = {
    "service": (0, "SELECT id, name FROM services WHERE id IN ({ids})"),
    "counter": (1, "SELECT id, name FROM counters WHERE id IN ({ids})"),
    "staff": (2, "SELECT id, display_name AS name FROM users WHERE id IN ({ids})"),
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

    def days(self) -> list[str]:
        first, last = date.fromisoformat(self.day_from), date.fromisoformat(self.day_to)
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            "%(name)s must be a date like 2026-03-01.", field, name=field
        ) from None


def compute_stats(db: sqlite_utils.Database, query: StatsFilter) -> dict:
    """All KPIs of the range: totals, per service, counter and staff member, arrivals, trend."""
    timezone = db.execute(
        "SELECT timezone FROM branches WHERE id = ?", [query.branch_id]
    ).fetchone()[0]
    groups, bins = tally_groups(db, query)
    result = {
        "from": query.day_from,
        "to": query.day_to,
        "timezone": timezone,
        **Tally.merged(groups.values(), bins[TOTAL]).kpis(),
    }
    for name, (place, names_sql) in DIMENSIONS.items():
        per_key: dict[int, list[Tally]] = defaultdict(list)
        for key, tally in groups.items():
            if key[place] is not None:
                per_key[key[place]].append(tally)
        labels = dict(
            db.execute(names_sql.format(ids=",".join(map(str, per_key)) or "NULL")).fetchall()
        )
        result[f"by_{name}"] = sorted(
            (
                {
                    "id": key,
                    "name": labels.get(key, "?"),
                    **Tally.merged(tallies, bins[place, key]).kpis(),
                }
                for key, tallies in per_key.items()
            ),
            key=lambda row: (-row["issued"], row["name"]),
        )
    result.update(arrivals(db, query, timezone))
    result["daily"] = daily(db, query)
    return result


@dataclass
class Tally:
    """The sums behind one row of KPIs: one group, or the groups of a service, counter, staff
    member or the whole range merged with their bins."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    within_target: int = 0
    wait_ms: int = 0
    wait_max_ms: int | None = None
    service_ms: int = 0
    wait_bins: Counter = field(default_factory=Counter)  # whole seconds → tickets
    service_bins: Counter = field(default_factory=Counter)
    scores: Counter = field(default_factory=Counter)

    @classmethod
    def merged(cls, tallies: Iterable[Tally], bins: Bins) -> Tally:
        total = cls(wait_bins=bins.waits, service_bins=bins.services)
        for tally in tallies:
            total.issued += tally.issued
            total.served += tally.served
            total.no_show += tally.no_show
            total.cancelled += tally.cancelled
            total.within_target += tally.within_target
            total.wait_ms += tally.wait_ms
            total.service_ms += tally.service_ms
            if tally.wait_max_ms is not None:
                total.wait_max_ms = larger(total.wait_max_ms, tally.wait_max_ms)
            total.scores.update(tally.scores)
        return total

    def kpis(self) -> dict:
        """One row of KPIs in the shape of the API (DESIGN.md's stats keys)."""
        waited, serviced = self.wait_bins.total(), self.service_bins.total()
        rated = self.scores.total()
        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "wait_s": {
                "avg": seconds(self.wait_ms / 1000 / waited if waited else None),
                "p50": seconds(percentile(self.wait_bins, 0.5)),
                "p90": seconds(percentile(self.wait_bins, 0.9)),
                "max": seconds(None if self.wait_max_ms is None else self.wait_max_ms / 1000),
            },
            "service_s": {
                "avg": seconds(self.service_ms / 1000 / serviced if serviced else None),
                "p50": seconds(percentile(self.service_bins, 0.5)),
                "p90": seconds(percentile(self.service_bins, 0.9)),
            },
            "within_target_pct": percent(self.within_target, waited),
            "rating": {
                "avg": round(sum(s * n for s, n in self.scores.items()) / rated, 2)
                if rated
                else None,
                "count": rated,
                "distribution": {str(n): self.scores[n] for n in range(1, 6)},
                "positive_pct": percent(self.scores[4] + self.scores[5], rated),
            },
        }


@dataclass
class Bins:
    """Tickets per whole second of wait and of service, for percentiles."""

    waits: Counter = field(default_factory=Counter)
    services: Counter = field(default_factory=Counter)


# The key of the whole range's bins; the others are (place in a group key, service, counter or
# staff member id).
TOTAL = "total"


def tally_groups(
    db: sqlite_utils.Database, query: StatsFilter
) -> tuple[dict[tuple, Tally], dict[object, Bins]]:
    """Sums per service × counter × staff member (the ones each ticket ended with), and bins for
    the whole range and per service, counter and staff member (counted as the rows stream by,
    which is quicker than merging the groups' bins)."""
    where, params = query.where()
    # A year's passes read tens of megabytes of index: a larger page cache than the default.
    db.execute("PRAGMA cache_size = -65536")
    long_range = len(query.days()) >= BINS_SHARE * history_days(db, query.branch_id)
    targets = dict(
        db.execute("SELECT id, target_wait_s FROM services WHERE branch_id = ?", [query.branch_id])
    )
    groups: dict[tuple, Tally] = defaultdict(Tally)
    bins: dict[object, Bins] = defaultdict(Bins)
    hint = "INDEXED BY tickets_{}" if long_range else ""
    waits = WAITS.format(index=hint.format("wait_bins"), where=where)
    for value, service_id, counter_id, user_id, n, *counts in rows(db, waits, params):
        no_show, cancelled, wait_ms, wait_max_ms, rounded_down = counts
        tally = groups[service_id, counter_id, user_id]
        tally.issued += n
        tally.no_show += no_show
        tally.cancelled += cancelled
        if value is None:
            continue
        bins[TOTAL].waits[value] += n
        bins[0, service_id].waits[value] += n
        bins[1, counter_id].waits[value] += n
        bins[2, user_id].waits[value] += n
        tally.wait_ms += wait_ms
        tally.wait_max_ms = larger(tally.wait_max_ms, wait_max_ms)
        # A bin holds waits within half a second of it: only at the target itself does the
        # exact wait decide.
        target = targets.get(service_id, 0)
        tally.within_target += n if value < target else rounded_down if value == target else 0
    services = SERVICES.format(index=hint.format("service_bins"), where=where)
    for value, service_id, counter_id, user_id, n, service_ms in rows(db, services, params):
        tally = groups[service_id, counter_id, user_id]
        tally.served += n
        if value is not None:
            bins[TOTAL].services[value] += n
            bins[0, service_id].services[value] += n
            bins[1, counter_id].services[value] += n
            bins[2, user_id].services[value] += n
            tally.service_ms += service_ms
    ratings = RATINGS.format(index=hint.format("ratings"), where=where)
    for score, service_id, counter_id, user_id, n in rows(db, ratings, params):
        groups[service_id, counter_id, user_id].scores[score] = n
    return groups, bins


def history_days(db: sqlite_utils.Database, branch_id: int) -> int:
    """Service days from the branch's first ticket to its last (two index look-ups)."""
    first, last = db.execute(
        "SELECT (SELECT min(service_day) FROM tickets WHERE branch_id = :branch),"
        " (SELECT max(service_day) FROM tickets WHERE branch_id = :branch)",
        {"branch": branch_id},
    ).fetchone()
    if first is None:
        return 0
    return (date.fromisoformat(last) - date.fromisoformat(first)).days + 1


def rows(db: sqlite_utils.Database, sql: str, params: Mapping) -> Iterable[tuple]:
    """Plain tuples, which are quicker to make than rows by name for thousands of groups."""
    cursor = db.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def percentile(bins: Counter, q: float) -> float | None:
    """Linear between closest ranks (numpy's default), over whole seconds counted in `bins`."""
    total = bins.total()
    if not total:
        return None
    rank = (total - 1) * q
    low_rank = int(rank)
    high_rank = min(low_rank + 1, total - 1)
    low = high = None
    seen = 0
    for value in sorted(bins):
        seen += bins[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    return low + (high - low) * (rank - low_rank)


def larger(known: int | None, other: int) -> int:
    return other if known is None else max(known, other)


def seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percent(part: int | None, whole: int) -> float | None:
    return round(100 * (part or 0) / whole, 1) if whole else None


def arrivals(db: sqlite_utils.Database, query: StatsFilter, timezone: str) -> dict:
    """Tickets issued by local hour of day, and by local weekday (Monday first) and hour.

    SQLite knows no time zones, so SQL counts arrivals per ten UTC minutes and each slot is
    placed in the branch's local week here; that is exact for every whole- or half-hour offset.
    """
    where, params = query.where()
    zone = ZoneInfo(timezone)
    per_hour = [0] * 24
    heatmap = [[0] * 24 for _ in range(7)]
    for slot, count in rows(db, ARRIVALS.format(where=where), params):
        local = datetime.fromtimestamp(slot * 600, UTC).astimezone(zone)
        per_hour[local.hour] += count
        heatmap[local.weekday()][local.hour] += count
    return {"arrivals_per_hour": per_hour, "arrivals_heatmap": heatmap}


def daily(db: sqlite_utils.Database, query: StatsFilter) -> list[dict]:
    """One row per service day of the range, days without tickets included."""
    where, params = query.where()
    sums: dict[str, Counter] = defaultdict(Counter)
    for day, status, score, n, waited, wait_ms in rows(db, DAILY.format(where=where), params):
        found = sums[day]
        found["issued"] += n
        found[status] += n
        found["waited"] += waited
        found["wait_ms"] += wait_ms or 0
        if score is not None:
            found["rated"] += n
            found["score"] += score * n
    return [
        {
            "day": day,
            "issued": found["issued"],
            "served": found["done"],
            "no_show": found["no_show"],
            "wait_avg_s": seconds(found["wait_ms"] / 1000 / found["waited"])
            if found["waited"]
            else None,
            "rating_avg": round(found["score"] / found["rated"], 2) if found["rated"] else None,
        }
        for day in query.days()
        for found in [sums.get(day, Counter())]
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
