"""A real `sira serve` (gevent): moves through the writer thread, statistics on the pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import ApiClient

pytestmark = pytest.mark.slow


def test_statistics_answer_from_the_thread_pool_while_kiosks_issue(live_server, store):
    def issue(_: int) -> int:
        return (
            ApiClient(live_server.url, store.kiosk_token)
            .post("/tickets", {"service_id": store.payments})
            .status_code
        )

    manager = ApiClient(live_server.url, store.manager_token)
    with ThreadPoolExecutor(4) as pool:
        issuing = pool.map(issue, range(20))
        during = manager.get("/stats")
        assert list(issuing) == [201] * 20
    assert during.status_code == 200, during.text
    after = manager.get("/stats")
    assert after.status_code == 200, after.text
    assert after.json()["issued"] == 20
    assert after.json()["by_service"][0]["issued"] == 20
