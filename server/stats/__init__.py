"""Queue statistics and ratings for managers, computed in SQL; no Flask here either."""

import sqlite_utils

from server.stats import kpis
from server.stats.channels import by_channel
from server.stats.kpis import StatsFilter, filter_choices


def compute_stats(db: sqlite_utils.Database, query: StatsFilter) -> dict:
    """Every KPI of the range (server/stats/kpis.py), and the same split by channel."""
    return {**kpis.compute_stats(db, query), "by_channel": by_channel(db, query)}


__all__ = ["StatsFilter", "compute_stats", "filter_choices"]
