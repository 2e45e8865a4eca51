"""`sira backup` while a real server issues tickets, and `sira restore` of that backup."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.e2e.conftest import ApiClient
from tests.live import UNLIMITED, LiveServer, sira_process

pytestmark = pytest.mark.slow

KIOSKS = 3


def ticket_tokens(path: Path | str) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT token FROM tickets")}
    finally:
        db.close()


def test_backup_during_issuing_holds_every_acknowledged_ticket_and_restores(
    db_path, store, tmp_path
):
    server = LiveServer(db_path, env=UNLIMITED).start()
    acknowledged: list[str] = []
    stop = threading.Event()

    def kiosk() -> None:
        client = ApiClient(server.url, store.kiosk_token)
        while not stop.is_set():
            answer = client.post("/tickets", {"service_id": store.payments})
            assert answer.status_code == 201, answer.text
            acknowledged.append(answer.json()["token"])

    kiosks = [threading.Thread(target=kiosk) for _ in range(KIOSKS)]
    target = tmp_path / "backup.db"
    try:
        for thread in kiosks:
            thread.start()
        while len(acknowledged) < 30:
            stop.wait(0.05)
        before = set(acknowledged)
        backed_up = sira_process(db_path, "backup", str(target))
        issued_during = len(acknowledged) - len(before)
        assert backed_up.returncode == 0, backed_up.stderr
        assert f"database {db_path}" in backed_up.stderr

        refused = sira_process(db_path, "restore", str(target))
        assert refused.returncode == 1
        assert "a server is running" in refused.stderr
    finally:
        stop.set()
        for thread in kiosks:
            thread.join()
        server.kill()  # leaves committed tickets in the -wal, as a crash would
    assert issued_during > 0, "the kiosks were not issuing while the backup ran"
    saved = ticket_tokens(target)
    assert before <= saved
    check = sqlite3.connect(target)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    check.close()
    assert not Path(f"{target}-wal").exists()

    assert Path(f"{db_path}-wal").exists()
    assert len(ticket_tokens(db_path)) == len(acknowledged) > len(saved)
    restored = sira_process(db_path, "restore", str(target))
    assert restored.returncode == 0, restored.stderr
    assert not Path(f"{db_path}-wal").exists()
    assert ticket_tokens(db_path) == saved

    again = LiveServer(db_path).start()
    try:
        staff = ApiClient(again.url, store.staff_token)
        waiting = staff.get(f"/counters/{store.counter2}").json()["waiting"]
        assert len(waiting) == len(saved)
    finally:
        again.stop()


def test_restore_refuses_a_file_that_is_not_a_backup(db_path, store, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    refused = sira_process(db_path, "restore", str(junk))
    assert refused.returncode == 1
    assert "not a Sıra backup" in refused.stderr
    assert ticket_tokens(db_path) == set()


def test_backup_refuses_a_missing_database_and_an_unwritable_target(store, db_path, tmp_path):
    missing = sira_process(str(tmp_path / "typo.db"), "backup", str(tmp_path / "out.db"))
    assert missing.returncode == 1
    assert "nothing to back up" in missing.stderr
    assert not (tmp_path / "typo.db").exists() and not (tmp_path / "out.db").exists()
    nowhere = sira_process(db_path, "backup", str(tmp_path / "no-such-folder" / "out.db"))
    assert nowhere.returncode == 1
    assert "cannot write" in nowhere.stderr and "Traceback" not in nowhere.stderr
