"""The statistics story (tests/stats) is shared with the dashboard tests."""

from tests.stats.conftest import clock, history  # noqa: F401
