"""Queue statistics and ratings for managers, read from rollups kept by the engine; no Flask."""

from server.stats.kpis import StatsFilter, compute_stats, filter_choices

__all__ = ["StatsFilter", "compute_stats", "filter_choices"]
