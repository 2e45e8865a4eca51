"""Fixtures for API tests: the store (built once, copied per test) and a no-write check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from tests.core.state import database_state


@pytest.fixture
def unchanged(db) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(): …` checks the requests inside wrote nothing at all."""

    @contextmanager
    def check() -> Iterator[None]:
        before = database_state(db)
        yield
        assert database_state(db) == before

    return check
