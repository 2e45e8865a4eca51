"""The test store built once per run and copied per test: hashing its passwords takes a second."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import Store, build_store


@cache
def store_template() -> tuple[Path, Store]:
    """A migrated database holding the small store of tests/conftest.py, and its ids and tokens."""
    directory = Path(tempfile.mkdtemp(prefix="sira-store-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "sira.db"
    return path, build_store(str(path))


def copy_store(destination: str) -> Store:
    """A fresh copy of the store at `destination` (the template's WAL is checkpointed on close)."""
    path, store = store_template()
    shutil.copyfile(path, destination)
    return store


@pytest.fixture
def store(db_path) -> Store:
    """Replaces the root fixture of the same name: same store, built once."""
    return copy_store(db_path)
