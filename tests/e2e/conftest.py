"""End-to-end fixtures: real Socket.IO clients, staff sessions and Redis for `sira serve` tests."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import redis
import requests
import socketio

from tests.conftest import bearer
from tests.live import free_port

REDIS_URL = "redis://127.0.0.1:6379"
WAIT_S = 10

Closable = TypeVar("Closable")


def closed_at_end(open_one: Callable[..., Closable]) -> Iterator[Callable[..., Closable]]:
    """A fixture's body: `open_one` for the test, and whatever it opened closed afterwards."""
    opened: list[Closable] = []

    def open_and_keep(*args: Any) -> Closable:
        thing = open_one(*args)
        opened.append(thing)
        return thing

    yield open_and_keep
    for thing in opened:
        thing.close()


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Whether `condition` became true within `timeout` seconds (checked every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class Listener:
    """A real python-socketio client over WebSocket that keeps every event it receives."""

    def __init__(self, url: str, token: str | None = None):
        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.arrived = threading.Condition()
        self.client.on("*", self._record)
        self.client.connect(
            url,
            auth={"token": token} if token else None,
            transports=["websocket"],
            wait_timeout=WAIT_S,
        )

    def _record(self, event: str, data: Any = None) -> None:
        with self.arrived:
            self.events.append((event, data))
            self.arrived.notify_all()

    def subscribe(self, room: str) -> dict:
        return self.client.call("subscribe", {"room": room}, timeout=WAIT_S)

    def wait_for(
        self, event: str, where: Callable[[Any], bool] = lambda data: True, timeout: float = WAIT_S
    ) -> Any:
        """The first `event` whose data satisfies `where`, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for name, data in self.events:
                    if name == event and where(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {event!r} matching after {timeout}s: {self.events}")
                self.arrived.wait(left)

    def received(self, event: str) -> list[Any]:
        with self.arrived:
            return [data for name, data in self.events if name == event]

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    """Open Listeners to a server; they are disconnected when the test ends."""
    yield from closed_at_end(Listener)


class ApiClient:
    """An HTTP client of the API: one requests.Session (one per thread) with a bearer token."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.http = requests.Session()
        self.http.headers.update(bearer(token))

    def post(self, path: str, json: dict | None = None) -> requests.Response:
        return self.http.post(f"{self.url}/api/v1{path}", json=json, timeout=30)

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.url}/api/v1{path}", timeout=30)


@pytest.fixture
def message_queue() -> Iterator[dict[str, str]]:
    """Environment for servers sharing events through Redis, on a channel of this test's own."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}: start redis-server to run this test")
    yield {
        "SIRA_MESSAGE_QUEUE": f"{REDIS_URL}/0",
        # Redis pub/sub ignores the database number: only the channel keeps test runs apart.
        "SIRA_MESSAGE_CHANNEL": f"sira-test-{uuid.uuid4().hex}",
    }


class OwnRedis:
    """A redis-server of this test's own, so that stopping it disturbs nobody else."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """An outage: the server is killed outright."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on PATH: apt-get install redis-server (.ci/run does it)")
    server = OwnRedis()
    server.start()
    yield server
    server.stop()
