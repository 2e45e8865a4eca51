"""Fixtures shared by the kiosk tests and the kiosk's browser tests: a virtual printer on a
real TCP port, the test kiosk printing to it, and a live server with quick print retries."""

from __future__ import annotations

import pytest

from kiosk.emulator.server import PrinterEmulator
from server.storage import connect
from tests.live import LiveServer

# Quick retries, and a give-up time short enough for a test to see it pass.
FAST_RETRIES = {
    "SIRA_PRINT_RETRY_S": "0.2",
    "SIRA_PRINT_RETRY_MAX_S": "0.5",
    "SIRA_PRINT_TIMEOUT_S": "2",
    "SIRA_PRINT_GIVE_UP_S": "6",
}


def set_kiosk_printer(db_path: str, uri: str | None, **columns) -> int:
    """Point the test store's kiosk at a printer; returns the kiosk's device id."""
    db = connect(db_path)
    try:
        sets = ", ".join(["printer_uri = ?", *(f"{name} = ?" for name in columns)])
        db.execute(f"UPDATE devices SET {sets} WHERE kind = 'kiosk'", [uri, *columns.values()])
        return db.execute("SELECT id FROM devices WHERE kind = 'kiosk'").fetchone()[0]
    finally:
        db.conn.close()


@pytest.fixture
def emulator(tmp_path):
    printer = PrinterEmulator(port=0, out=tmp_path / "printer-out").start()
    yield printer
    printer.stop()


@pytest.fixture
def kiosk_on_emulator(db_path, store, emulator) -> int:
    return set_kiosk_printer(db_path, f"tcp://127.0.0.1:{emulator.port}")


@pytest.fixture
def printing_server(db_path, store):
    """`sira serve` (with its print worker) retrying failed prints after 0.2 s, giving up at 6 s."""
    server = LiveServer(db_path, env=FAST_RETRIES).start()
    yield server
    server.stop()
