"""Storage faults: a full disk or read-only storage answers 503 with a clear message, not a 500.

The database lives on a small tmpfs of the test's own; filling it, or remounting it read-only,
is the bad day itself. Nothing is half-written: the refused write leaves no row behind.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.app import create_app
from server.storage import connect
from tests.conftest import bearer
from tests.store import copy_store


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for this test (needs the right to mount, as root in a container)."""
    point = tmp_path / "disk"
    point.mkdir()
    try:
        mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point))
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        pytest.skip(f"cannot mount a small tmpfs here ({error}): run as root to test disk faults")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture
def store_on_disk(small_disk):
    path = str(small_disk / "sira.db")
    store = copy_store(path)
    app = create_app(
        {"TESTING": True, "SIRA_DB": path, "SECRET_KEY": "test", "SIRA_ASYNC_MODE": "threading"}
    )
    warm = app.test_client().get("/api/v1/services")  # the WAL and shared-memory files exist
    assert warm.status_code == 200
    return app, store, path


def fill(folder: Path) -> None:
    """Write until the file system refuses another byte."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as filler:
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()


def tickets_in(path: str) -> int:
    db = connect(path)
    try:
        return db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    finally:
        db.conn.close()


def test_a_full_disk_answers_503_and_saves_nothing(store_on_disk, small_disk):
    app, store, path = store_on_disk
    fill(small_disk)
    client = app.test_client()
    answers = [
        client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments},
            headers=bearer(store.staff_token),
        )
        for _ in range(3)
    ]
    for answer in answers:
        assert answer.status_code == 503, answer.get_data(as_text=True)
        assert answer.json["error"]["code"] == "storage_full"
        assert "disk is full" in answer.json["error"]["message"]
    (small_disk / "filler").unlink()
    assert tickets_in(path) == 0


def test_read_only_storage_answers_503_on_writes(small_disk):
    path = str(small_disk / "sira.db")
    store = copy_store(path)
    # Read-only before the app opens anything for writing (a busy file system cannot be remounted).
    mount("-o", "remount,ro", str(small_disk))
    app = create_app(
        {"TESTING": True, "SIRA_DB": path, "SECRET_KEY": "test", "SIRA_ASYNC_MODE": "threading"}
    )
    client = app.test_client()
    answer = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.staff_token)
    )
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == "storage_read_only"
    assert "read-only" in answer.json["error"]["message"]
    page = client.get("/display", headers={"Accept": "text/html"})
    assert page.status_code in (200, 503)
    mount("-o", "remount,rw", str(small_disk))
    assert tickets_in(path) == 0
