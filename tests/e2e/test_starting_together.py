"""Three `sira serve` processes started at once on a new database: each migration runs once,
and all three serve."""

from __future__ import annotations

import sqlite3

import pytest
import requests

from server.storage.migrations import MIGRATIONS
from tests.live import LiveServer

pytestmark = pytest.mark.slow


def test_three_servers_started_at_once_on_a_new_database_all_serve(tmp_path):
    path = str(tmp_path / "new.db")
    servers = [LiveServer(path).launch() for _ in range(3)]
    try:
        for server in servers:
            server.wait_ready()
            assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    finally:
        for server in servers:
            server.stop()
    db = sqlite3.connect(path)
    names = [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY name")]
    db.close()
    assert names == sorted(name for name, _ in MIGRATIONS)
    for server in servers:
        assert "Traceback" not in server.log_path.read_text()
