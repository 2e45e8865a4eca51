"""KPIs split by the channel a ticket came from (kiosk, phone, staff): issued, waits,
no-shows and ratings, so a manager sees whether remote tickets miss their turn more often.

The same rows of KPIs as per service (Tally.kpis), from three passes grouped by channel:
waits per whole second, service times of served tickets, and scores.
"""

from __future__ import annotations

from collections import defaultdict

import sqlite_utils

from server.domain.remote_joining import CHANNELS
from server.stats.kpis import StatsFilter, Tally, larger, rows

WAITS = """
SELECT tickets.channel, tickets.wait_whole_s, count(*), sum(tickets.status = 'no_show'),
    sum(tickets.status = 'cancelled'), sum(tickets.wait_ms), max(tickets.wait_ms),
    sum(tickets.wait_ms <= services.target_wait_s * 1000)
FROM tickets JOIN services ON services.id = tickets.service_id WHERE {where}
GROUP BY tickets.channel, tickets.wait_whole_s
"""
SERVICES = """
SELECT tickets.channel, tickets.service_whole_s, count(*), sum(tickets.service_ms)
FROM tickets WHERE {where} AND tickets.status = 'done'
GROUP BY tickets.channel, tickets.service_whole_s
"""
RATINGS = """
SELECT tickets.channel, tickets.rating_score, count(*)
FROM tickets WHERE {where} AND tickets.rating_score IS NOT NULL
GROUP BY tickets.channel, tickets.rating_score
"""


def by_channel(db: sqlite_utils.Database, query: StatsFilter) -> list[dict]:
    """One row of KPIs per channel, every channel listed (zeros where none came)."""
    where, params = query.where()
    tallies: dict[str, Tally] = defaultdict(Tally)
    for channel, value, n, no_show, cancelled, wait_ms, wait_max_ms, within in rows(
        db, WAITS.format(where=where), params
    ):
        tally = tallies[channel]
        tally.issued += n
        tally.no_show += no_show
        tally.cancelled += cancelled
        if value is None:
            continue
        tally.wait_bins[value] += n
        tally.wait_ms += wait_ms
        tally.wait_max_ms = larger(tally.wait_max_ms, wait_max_ms)
        tally.within_target += within
    for channel, value, n, service_ms in rows(db, SERVICES.format(where=where), params):
        tally = tallies[channel]
        tally.served += n
        if value is not None:
            tally.service_bins[value] += n
            tally.service_ms += service_ms
    for channel, score, n in rows(db, RATINGS.format(where=where), params):
        tallies[channel].scores[score] = n
    return [{"channel": channel, **tallies[channel].kpis()} for channel in CHANNELS]
