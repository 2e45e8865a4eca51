"""Queue statistics and ratings for managers, computed in SQL; no Flask here either."""

from server.stats.kpis import StatsFilter, compute_stats, filter_choices

__all__ = ["StatsFilter", "compute_stats", "filter_choices"]
