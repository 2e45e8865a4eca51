"""A crash right after the answers: every ticket that got its 201 is still there after restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import ApiClient
from tests.live import LiveServer

pytestmark = pytest.mark.slow

BATCH = 30


def test_tickets_answered_201_survive_sigkill(db_path, store):
    server = LiveServer(db_path).start()
    try:
        # Several kiosks at once, so the batch's last commits are as close to the kill as can be.
        with ThreadPoolExecutor(3) as pool:
            answers = list(
                pool.map(
                    lambda _: ApiClient(server.url, store.kiosk_token).post(
                        "/tickets", {"service_id": store.payments}
                    ),
                    range(BATCH),
                )
            )
        server.kill()
    finally:
        server.stop()
    assert [answer.status_code for answer in answers] == [201] * BATCH
    issued = sorted((a.json() for a in answers), key=lambda ticket: ticket["number"])
    assert [t["number"] for t in issued] == list(range(1, BATCH + 1))

    restarted = LiveServer(db_path).start()
    try:
        staff = ApiClient(restarted.url, store.staff_token)
        for ticket in issued:
            found = staff.get(f"/tickets/{ticket['token']}")
            assert found.status_code == 200, found.text
            assert (found.json()["code"], found.json()["status"]) == (ticket["code"], "waiting")
        queue = staff.get(f"/counters/{store.counter2}").json()["waiting"]
        assert [(t["code"], t["number"]) for t in queue] == [
            (t["code"], t["number"]) for t in issued
        ]
        after = staff.post("/tickets", {"service_id": store.payments})
        assert after.status_code == 201, after.text
        assert (after.json()["number"], after.json()["code"]) == (BATCH + 1, f"A{BATCH + 1:03d}")
    finally:
        restarted.stop()
