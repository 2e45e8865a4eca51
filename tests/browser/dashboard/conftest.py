"""Browser tests of the rating and dashboard pages."""

import pytest
from playwright.sync_api import expect


@pytest.fixture(autouse=True)
def patient_expect():
    """Socket.IO round trips on a busy shared machine can take more than the default 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)
