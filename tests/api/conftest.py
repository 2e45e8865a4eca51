"""Fixtures for API tests: the store (built once, copied per test) and a no-write check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from tests.core.state import database_state
from tests.core.template import store  # noqa: F401  (the store, copied from a template)


@pytest.fixture
def unchanged(db) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(): …` checks the requests inside wrote nothing at all."""

    @contextmanager
    def check() -> Iterator[None]:
        before = database_state(db)
        yield
        assert database_state(db) == before

    return check
