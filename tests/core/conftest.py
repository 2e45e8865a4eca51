"""Fixtures for engine tests: a clock the test moves by hand, and an engine that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from server.demo import MovingClock
from server.engine import QueueEngine
from server.store import add_branch, add_counter, add_service

# Monday 2 March 2026, 09:00 UTC: noon in the test store (Europe/Istanbul, UTC+3).
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(START)


@pytest.fixture
def engine(db, clock) -> QueueEngine:
    """The engine over the test store, on the hand-moved clock."""
    return QueueEngine(db, clock)


@dataclass
class OtherBranch:
    branch_id: int
    service: int  # its own service A
    counter: int


@pytest.fixture
def other_branch(db) -> OtherBranch:
    """A second store in the same database, to check nothing leaks between branches."""
    branch_id = add_branch(db, "Other Store", "other", timezone="UTC")
    service = add_service(db, branch_id, "A", "Payments")
    return OtherBranch(branch_id, service, add_counter(db, branch_id, "Desk", [service]))
