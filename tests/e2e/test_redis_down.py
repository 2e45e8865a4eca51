"""With Redis configured and then down, nothing answers 500: rate limits count in memory, and
events reach boards again once Redis is back."""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.conftest import ApiClient
from tests.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def test_with_redis_down_nothing_answers_500_and_events_resume(db_path, store, own_redis, listen):
    url = own_redis.url
    server = LiveServer(
        db_path,
        env={
            "SIRA_MESSAGE_QUEUE": f"{url}/0",
            "SIRA_RATELIMIT_STORAGE": f"{url}/1",
            "SIRA_LIMIT_LOGIN_ACCOUNT": "3 per minute",
        },
    ).start()
    try:
        board = listen(server.url, store.display_token)
        board.subscribe(f"branch:{store.branch_id}")
        kiosk = ApiClient(server.url, store.kiosk_token)
        staff = ApiClient(server.url, store.staff_token)
        assert requests.get(f"{server.url}/readyz", timeout=5).status_code == 200

        own_redis.stop()
        for _ in range(2):
            assert kiosk.post("/tickets", {"service_id": store.payments}).status_code == 201
        logins = [
            requests.post(
                f"{server.url}/api/v1/auth/login",
                json={"username": "staff", "password": "wrong"},
                timeout=10,
            ).status_code
            for _ in range(4)
        ]
        assert logins == [401, 401, 401, 429]  # the limit still holds, counted in memory
        called = staff.post(f"/counters/{store.counter2}/call-next")
        assert called.status_code == 200, called.text
        not_ready = requests.get(f"{server.url}/readyz", timeout=10)
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["message_queue"].startswith("error")

        own_redis.start()
        deadline = time.monotonic() + 60
        while requests.get(f"{server.url}/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "not ready again after Redis came back"
            time.sleep(0.5)
        # The event listener reconnects with a backoff: a recall after that reaches the board.
        deadline = time.monotonic() + 60
        while not board.received("called"):
            assert time.monotonic() < deadline, "no event reached the board after Redis returned"
            recall = staff.post(f"/tickets/{called.json()['id']}/recall")
            assert recall.status_code == 200, recall.text
            time.sleep(1)
    finally:
        server.stop()
    assert "Traceback" not in server.log_path.read_text()
