"""The tickets behind a figure of the history page: a KPI tile or a table row, clicked."""

from __future__ import annotations

import sqlite_utils

from server.stats import StatsFilter
from server.stats.exports import ticket_rows

# Rows shown on the page; the CSV export has them all.
SHOWN = 200

# What each figure counts: the tickets' condition and the order that puts the telling ones first.
FIGURES = {
    "issued": ("", "tickets.created_at, tickets.id"),
    "served": ("tickets.status = 'done'", "tickets.created_at, tickets.id"),
    "no_show": ("tickets.status = 'no_show'", "tickets.created_at, tickets.id"),
    "cancelled": ("tickets.status = 'cancelled'", "tickets.created_at, tickets.id"),
    "wait": ("tickets.wait_ms IS NOT NULL", "tickets.wait_ms DESC, tickets.id"),
    "service": ("tickets.status = 'done'", "tickets.service_ms DESC, tickets.id"),
    "rating": ("ratings.score IS NOT NULL", "ratings.score, tickets.created_at"),
}


def figure(asked: str | None) -> str:
    """The figure asked for, or all the tickets issued."""
    return asked if asked in FIGURES else "issued"


def tickets_behind(
    db: sqlite_utils.Database, query: StatsFilter, name: str
) -> tuple[list[dict], int]:
    """The first SHOWN tickets of the figure, and how many there are in all."""
    condition, order = FIGURES[name]
    rows = ticket_rows(db, query, condition, order, SHOWN + 1)
    if len(rows) <= SHOWN:
        return rows, len(rows)
    where, params = query.where()
    total = db.execute(
        "SELECT count(*) FROM tickets LEFT JOIN ratings ON ratings.ticket_id = tickets.id"
        f" WHERE {where}" + (f" AND {condition}" if condition else ""),
        params,
    ).fetchone()[0]
    return rows[:SHOWN], total
