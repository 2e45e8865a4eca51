"""deploy/nginx/sira.conf in a real nginx, in front of two `sira serve` processes sharing Redis:
a board connected through nginx hears calls made through the other process, and when its
backend is killed it reconnects through nginx to the other one and catches up; with the
proxy-hops setting, one client's failed sign-ins do not lock out the others behind nginx."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from tests.e2e.conftest import WAIT_S, ApiClient
from tests.live import ROOT, LiveServer, free_port

pytestmark = [pytest.mark.slow, pytest.mark.redis]

RECIPE = ROOT / "deploy" / "nginx" / "sira.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


class Nginx:
    """A foreground nginx with the deployed site file, its ports rewritten, in a temp folder."""

    def __init__(self, folder: Path, backends: list[LiveServer]):
        self.port = free_port()
        self.folder = folder
        site = RECIPE.read_text()
        site = site.replace("server 127.0.0.1:5001;", f"server 127.0.0.1:{backends[0].port};")
        site = site.replace("server 127.0.0.1:5002;", f"server 127.0.0.1:{backends[1].port};")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("listen [::]:80;", "")
        (folder / "sira.conf").write_text(site)
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$request $status $upstream_addr';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/sira.conf;
}}
"""
        )
        self.process = subprocess.Popen(
            [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)],
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def upstream_of(self, pattern: str) -> int:
        """The backend port nginx sent the first request matching pattern to."""
        for line in (self.folder / "access.log").read_text().splitlines():
            if re.search(pattern, line):
                return int(line.rsplit(":", 1)[1])
        raise AssertionError(f"no {pattern!r} in nginx's log")

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=10)


class Board:
    """A display board's Socket.IO client: long-polls first, then upgrades (as browsers do),
    reconnects by itself, and subscribes again on every connection, keeping each state."""

    def __init__(self, url: str, token: str, room: str):
        # The delay lets the test make its call after the drop and before the reconnection.
        self.client = socketio.Client(reconnection=True, reconnection_delay=2)
        self.room = room
        self.states: list[dict] = []
        self.called: list[dict] = []
        self.drops = 0
        self.changed = threading.Condition()
        self.client.on("connect", self.subscribe)
        self.client.on("disconnect", self.dropped)
        self.client.on("called", self.heard)
        self.client.connect(url, auth={"token": token}, wait_timeout=WAIT_S)

    def subscribe(self) -> None:
        def ack(answer: dict) -> None:
            with self.changed:
                self.states.append(answer)
                self.changed.notify_all()

        self.client.emit("subscribe", {"room": self.room}, callback=ack)

    def dropped(self, reason: str | None = None) -> None:
        with self.changed:
            self.drops += 1
            self.changed.notify_all()

    def heard(self, data: dict) -> None:
        with self.changed:
            self.called.append(data)
            self.changed.notify_all()

    def wait(self, condition, what: str, timeout: float = 30) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, timeout), what


@pytest.fixture
def behind_nginx(db_path, store, message_queue, tmp_path) -> Iterator[tuple]:
    if NGINX is None:
        pytest.skip("nginx not found: apt-get install nginx (.ci/run installs it as root)")
    env = {**message_queue, "SIRA_PROXY_HOPS": "1", "SIRA_LIMIT_LOGIN_ADDRESS": "3 per minute"}
    backends = [LiveServer(db_path, env=env).start() for _ in range(2)]
    nginx = Nginx(tmp_path, backends)
    yield nginx, backends
    nginx.stop()
    for backend in backends:
        backend.stop()


def test_a_board_through_nginx_hears_the_other_process_and_catches_up_after_a_kill(
    behind_nginx, store
):
    nginx, backends = behind_nginx
    room = f"branch:{store.branch_id}"
    board = Board(nginx.url, store.display_token, room)
    board.wait(lambda: board.states, "no subscription acknowledged")
    assert board.states[0]["ok"], board.states[0]
    assert board.client.transport() == "websocket"  # upgraded through nginx
    served_by = nginx.upstream_of(r"GET /socket\.io/\?.*transport=polling.* 200 ")
    mine = next(backend for backend in backends if backend.port == served_by)
    other = next(backend for backend in backends if backend.port != served_by)

    staff = ApiClient(other.url, store.staff_token)
    first = staff.post("/tickets", {"service_id": store.payments}).json()
    assert staff.post(f"/counters/{store.counter2}/call-next").status_code == 200
    board.wait(
        lambda: any(c["ticket"]["code"] == first["code"] for c in board.called),
        "the board did not hear a call made through the other process",
    )

    mine.kill()
    board.wait(lambda: board.drops, "the board did not notice", timeout=10)
    second = staff.post("/tickets", {"service_id": store.returns}).json()
    assert staff.post(f"/counters/{store.counter1}/call-next").status_code == 200
    board.wait(lambda: len(board.states) >= 2, "the board did not reconnect through nginx")
    caught_up = board.states[-1]
    assert caught_up["ok"], caught_up
    serving = [ticket["code"] for ticket in caught_up["state"]["now_serving"]]
    assert second["code"] in serving and first["code"] in serving
    assert caught_up["seq"] > board.states[0]["seq"]
    board.client.disconnect()


class FromAddress(requests.adapters.HTTPAdapter):
    """Connect from another loopback address, as another machine of the store would."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def test_through_nginx_one_clients_failed_logins_do_not_lock_out_another(behind_nginx):
    nginx, _ = behind_nginx
    mallory, alice = client_at("127.0.0.2"), client_at("127.0.0.3")

    def login(session: requests.Session, username: str) -> int:
        return session.post(
            f"{nginx.url}/api/v1/auth/login",
            json={"username": username, "password": "wrong"},
            timeout=10,
        ).status_code

    assert [login(mallory, f"guess{n}") for n in range(4)] == [401, 401, 401, 429]
    assert login(alice, "alice") == 401  # refused as wrong, not locked out
