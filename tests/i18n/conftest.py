"""The statistics story (tests/stats) gives the pages tickets, ratings and history to show."""

from tests.stats.conftest import clock, history  # noqa: F401
