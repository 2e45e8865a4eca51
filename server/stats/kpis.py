"""KPIs over a date range: counts, waits, service times, ratings, arrivals per hour."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from server.domain.errors import ValidationError
from server.domain.validation import integer


@dataclass(frozen=True)
class StatsFilter:
    branch_id: int
    day_from: str
    day_to: str
    service_id: int | None = None
    counter_id: int | None = None
    user_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], branch_id: int) -> StatsFilter:
        """Service days `from`..`to` inclusive (YYYY-MM-DD); the last 7 days when not given."""
        today = date.today()
        day_to = _day(args.get("to"), "to") or today
        day_from = _day(args.get("from"), "from") or day_to - timedelta(days=6)
        if day_from > day_to:
            raise ValidationError("from must not be after to.", "from")
        optional = {
            key: integer(args[key], key) if args.get(key) else None
            for key in ("service_id", "counter_id", "user_id")
        }
        return cls(branch_id, day_from.isoformat(), day_to.isoformat(), **optional)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field} must be a date like 2026-03-01.", field) from None


def summary(values: list[float]) -> dict:
    if not values:
        return {"avg": None, "p50": None, "p90": None, "max": None}
    ordered = sorted(values)
    return {
        "avg": round(statistics.fmean(ordered), 1),
        "p50": round(_percentile(ordered, 50), 1),
        "p90": round(_percentile(ordered, 90), 1),
        "max": round(ordered[-1], 1),
    }


def _percentile(ordered: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def compute_stats(db: sqlite_utils.Database, query: StatsFilter) -> dict:
    where = ["tickets.branch_id = :branch_id", "tickets.service_day BETWEEN :day_from AND :day_to"]
    for column in ("service_id", "counter_id", "user_id"):
        if getattr(query, column) is not None:
            where.append(f"tickets.{column} = :{column}")
    params = {
        "branch_id": query.branch_id,
        "day_from": query.day_from,
        "day_to": query.day_to,
        "service_id": query.service_id,
        "counter_id": query.counter_id,
        "user_id": query.user_id,
    }
    rows = [
        dict(row)
        for row in db.execute(
            "SELECT tickets.status, tickets.created_at, services.target_wait_s,"
            " (julianday(tickets.called_at) - julianday(tickets.queued_at)) * 86400 AS wait_s,"
            " (julianday(tickets.finished_at) - julianday(tickets.started_at)) * 86400"
            "  AS service_s, ratings.score"
            " FROM tickets JOIN services ON services.id = tickets.service_id"
            " LEFT JOIN ratings ON ratings.ticket_id = tickets.id"
            f" WHERE {' AND '.join(where)}",
            params,
        ).fetchall()
    ]
    waits = [r["wait_s"] for r in rows if r["wait_s"] is not None]
    within = [r for r in rows if r["wait_s"] is not None and r["wait_s"] <= r["target_wait_s"]]
    services = [
        r["service_s"] for r in rows if r["status"] == "done" and r["service_s"] is not None
    ]
    scores = [r["score"] for r in rows if r["score"] is not None]
    arrivals = [0] * 24
    for r in rows:
        arrivals[int(r["created_at"][11:13])] += 1
    service_summary = summary(services)
    service_summary.pop("max")
    return {
        "from": query.day_from,
        "to": query.day_to,
        "issued": len(rows),
        "served": sum(r["status"] == "done" for r in rows),
        "no_show": sum(r["status"] == "no_show" for r in rows),
        "cancelled": sum(r["status"] == "cancelled" for r in rows),
        "wait_s": summary(waits),
        "service_s": service_summary,
        "within_target_pct": round(100 * len(within) / len(waits), 1) if waits else None,
        "rating": {
            "avg": round(statistics.fmean(scores), 2) if scores else None,
            "count": len(scores),
            "distribution": {str(n): scores.count(n) for n in range(1, 6)},
        },
        "arrivals_per_hour_utc": arrivals,
    }
