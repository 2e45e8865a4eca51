"""A Redis outage between server processes: revocation still lands, events resume promptly.

Each process re-checks the tokens and sessions of its own live connections against the database,
so a device revoked on process A while Redis is down is still cut from process B. After Redis
returns, each process's listener is back within about a second (python-socketio's own backoff
doubled up to 60 s).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import bearer
from tests.e2e.conftest import ApiClient, OwnRedis, wait_until
from tests.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.redis]


@pytest.fixture
def two_servers(db_path, store, own_redis: OwnRedis) -> Iterator[list[LiveServer]]:
    env = {
        "SIRA_MESSAGE_QUEUE": f"{own_redis.url}/0",
        "SIRA_MESSAGE_CHANNEL": "sira-outage",
        "SIRA_CONNECTION_RECHECK_S": "1",
    }
    servers = [LiveServer(db_path, env=env).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def test_a_device_revoked_while_redis_is_down_is_cut_on_every_process(
    two_servers, own_redis, store, listen
):
    process_a, process_b = two_servers
    board = listen(process_b.url, store.display_token)
    assert board.subscribe(f"branch:{store.branch_id}")["ok"]
    me = requests.get(f"{process_a.url}/api/v1/auth/me", headers=bearer(store.display_token))
    own_redis.stop()
    revoked = requests.post(
        f"{process_a.url}/api/v1/devices/{me.json()['device_id']}/revoke",
        headers=bearer(store.admin_token),
        timeout=10,
    )
    assert revoked.status_code == 200
    assert wait_until(lambda: not board.client.connected, 10), "the revoked board stayed connected"


def test_events_between_processes_resume_soon_after_redis_returns(
    two_servers, own_redis, store, listen
):
    process_a, process_b = two_servers
    display = listen(process_b.url, store.display_token)
    assert display.subscribe(f"branch:{store.branch_id}")["ok"]
    staff = ApiClient(process_a.url, store.staff_token)
    own_redis.stop()
    time.sleep(8)  # long enough for a doubling backoff to reach 8 s
    own_redis.start()
    returned = time.monotonic()

    def heard_a_change() -> bool:
        assert staff.post("/tickets", {"service_id": store.payments}).status_code == 201
        return bool(display.received("queue"))

    # A generous bound on an outright stall: the doubling backoff took 7 s more here, 16 s after
    # a 20 s outage; the prompt listener retries every second.
    assert wait_until(heard_a_change, 5), "events did not resume within 5 s of Redis returning"
    print(f"events resumed {time.monotonic() - returned:.1f} s after Redis returned")
