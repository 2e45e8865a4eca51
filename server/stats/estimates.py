"""How true were the waits customers were told? Per service day and service, from the estimate
kept on each ticket at issue (tickets.eta_at_issue_s) and the wait until its first call."""

from __future__ import annotations

import statistics

import sqlite_utils

from server.domain.estimates import close_enough
from server.stats.kpis import StatsFilter

# The first call ends the wait the customer was told about (a transfer's second wait is not).
TOLD_AND_WAITED = """
SELECT tickets.service_day, tickets.service_id, services.name AS service_name,
    tickets.eta_at_issue_s AS told_s,
    (julianday((SELECT min(e.at) FROM ticket_events e
                WHERE e.ticket_id = tickets.id AND e.kind = 'called'))
     - julianday(tickets.created_at)) * 86400 AS waited_s
FROM tickets JOIN services ON services.id = tickets.service_id
WHERE {where} AND tickets.eta_at_issue_s IS NOT NULL
"""


def estimate_accuracy(db: sqlite_utils.Database, query: StatsFilter) -> list[dict]:
    """Per day and service: tickets told a wait, the share within 3 min or 25 %, the median
    absolute error and the bias (mean of told − real: negative means waits were longer)."""
    where, params = query.where()
    groups: dict[tuple[str, int], dict] = {}
    for row in db.execute(TOLD_AND_WAITED.format(where=where), params).fetchall():
        if row["waited_s"] is None:
            continue  # not called yet, or left before being called
        group = groups.setdefault(
            (row["service_day"], row["service_id"]),
            {
                "day": row["service_day"],
                "service_id": row["service_id"],
                "service": row["service_name"],
                "pairs": [],
            },
        )
        group["pairs"].append((row["told_s"], row["waited_s"]))
    return [summary(groups[key]) for key in sorted(groups)]


def summary(group: dict) -> dict:
    pairs = group["pairs"]
    errors = [told - waited for told, waited in pairs]
    return {
        "day": group["day"],
        "service_id": group["service_id"],
        "service": group["service"],
        "tickets": len(pairs),
        "within_pct": round(100 * sum(close_enough(t, w) for t, w in pairs) / len(pairs), 1),
        "median_error_s": statistics.median(abs(e) for e in errors),
        "bias_s": statistics.fmean(errors),
    }
