"""CSV exports of the manager dashboard: tickets with their times and rating, and KPI tables.

The figures come from the same SQL as the page and the API, so the three always agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

import sqlite_utils

from server.stats.kpis import StatsFilter

TICKET_COLUMNS = [
    "code",
    "service_day",
    "service",
    "counter",
    "staff",
    "status",
    "priority",
    "language",
    "channel",
    "created_at",
    "called_at",
    "started_at",
    "finished_at",
    "wait_s",
    "service_s",
    "rating",
    "rating_channel",
    "rating_reasons",
    "rating_comment",
]

KPI_COLUMNS = [
    "breakdown",
    "name",
    "issued",
    "served",
    "no_show",
    "cancelled",
    "wait_avg_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_max_s",
    "service_avg_s",
    "service_p50_s",
    "service_p90_s",
    "within_target_pct",
    "rating_avg",
    "rating_count",
    "rating_positive_pct",
    *(f"rating_{n}" for n in range(1, 6)),
]


def ticket_rows(
    db: sqlite_utils.Database,
    query: StatsFilter,
    condition: str = "",
    order: str = "tickets.created_at, tickets.id",
    limit: int = -1,
) -> list[dict]:
    """Every ticket of the range (no customer names), oldest first, with wait and service time.

    The dashboard's list of the tickets behind a figure narrows it (`condition` on tickets or
    ratings), orders it another way and takes the first `limit` rows."""
    where, params = query.where()
    if condition:
        where += f" AND {condition}"
    rows = db.execute(
        "SELECT tickets.id, tickets.service_id, tickets.code, tickets.service_day,"
        " services.name AS service,"
        " counters.name AS counter, users.display_name AS staff, tickets.status,"
        " tickets.priority, tickets.language, tickets.channel, tickets.created_at,"
        " tickets.called_at,"
        " tickets.started_at, tickets.finished_at, tickets.wait_ms / 1000.0 AS wait_s,"
        " CASE WHEN tickets.status = 'done' THEN tickets.service_ms / 1000.0 END AS service_s,"
        " ratings.score AS rating, ratings.channel AS rating_channel,"
        " ratings.reasons AS rating_reasons, ratings.comment AS rating_comment"
        " FROM tickets JOIN services ON services.id = tickets.service_id"
        " LEFT JOIN counters ON counters.id = tickets.counter_id"
        " LEFT JOIN users ON users.id = tickets.user_id"
        " LEFT JOIN ratings ON ratings.ticket_id = tickets.id"
        f" WHERE {where} ORDER BY {order} LIMIT :limit",
        {**params, "limit": limit},
    ).fetchall()
    return [
        {
            **dict(row),
            "rating_reasons": " ".join(json.loads(row["rating_reasons"] or "[]")),
        }
        for row in rows
    ]


def kpi_rows(stats: dict) -> list[dict]:
    """The page's KPI tables as rows: the total first, then per service, counter, staff and
    channel (named by its code: kiosk, phone, staff)."""
    named = [("total", "", stats)] + [
        (breakdown, row["channel"] if breakdown == "channel" else row["name"], row)
        for breakdown in ("service", "counter", "staff", "channel")
        for row in stats[f"by_{breakdown}"]
    ]
    return [
        {
            "breakdown": breakdown,
            "name": name,
            "issued": row["issued"],
            "served": row["served"],
            "no_show": row["no_show"],
            "cancelled": row["cancelled"],
            **{f"wait_{key}_s": value for key, value in row["wait_s"].items()},
            **{f"service_{key}_s": value for key, value in row["service_s"].items()},
            "within_target_pct": row["within_target_pct"],
            "rating_avg": row["rating"]["avg"],
            "rating_count": row["rating"]["count"],
            "rating_positive_pct": row["rating"]["positive_pct"],
            **{f"rating_{n}": count for n, count in row["rating"]["distribution"].items()},
        }
        for breakdown, name, row in named
    ]


def to_csv(columns: list[str], rows: Iterable[dict]) -> str:
    """CSV text; cells that a spreadsheet would run as a formula are quoted as text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: defuse(row.get(key)) for key in columns})
    return out.getvalue()


def defuse(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
