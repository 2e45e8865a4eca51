"""With several server processes: a revoke made in one cuts the device's connection in another
(through the Socket.IO message queue), and login limits are counted across processes."""

from __future__ import annotations

import uuid

import pytest
import redis
import requests

from tests.admin.test_revoke_live import connected_client, device_id_of
from tests.conftest import bearer
from tests.live import LiveServer

REDIS_URL = "redis://127.0.0.1:6379"
pytestmark = [pytest.mark.slow, pytest.mark.redis]


@pytest.fixture
def two_servers(db_path, store):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}: start redis-server to run this test")
    env = {
        "SIRA_MESSAGE_QUEUE": f"{REDIS_URL}/0",
        "SIRA_MESSAGE_CHANNEL": f"sira-test-{uuid.uuid4().hex}",
        "SIRA_RATELIMIT_STORAGE": f"{REDIS_URL}/0",
        "SIRA_LIMIT_LOGIN_ACCOUNT": "3 per minute",
    }
    servers = [LiveServer(db_path, env=env).start(), LiveServer(db_path, env=env).start()]
    yield servers
    for server in servers:
        server.stop()


def test_revoke_in_one_process_disconnects_in_another(two_servers, store):
    first, second = two_servers
    device_id = device_id_of(first.url, store.display_token)
    board, gone = connected_client(second.url, store.display_token)
    try:
        response = requests.post(
            f"{first.url}/api/v1/devices/{device_id}/revoke",
            headers=bearer(store.admin_token),
            timeout=5,
        )
        assert response.status_code == 200
        assert gone.wait(10), "the board on the other process stayed connected"
    finally:
        if board.connected:
            board.disconnect()


def test_login_limit_is_shared_between_processes(two_servers):
    username = f"ghost-{uuid.uuid4().hex[:8]}"
    statuses = []
    for server in (*two_servers, *two_servers):
        response = requests.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": username, "password": "wrong password"},
            timeout=5,
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 429]
