"""End to end: a real `sira serve` with its print worker, printing over TCP to the emulator."""

import time

import pytest
import requests
import socketio

from kiosk.emulator.server import PrinterEmulator
from tests.conftest import bearer

pytestmark = pytest.mark.slow


def issue(server, store, key: str, language: str = "tr") -> dict:
    response = requests.post(
        f"{server.url}/api/v1/tickets",
        json={"service_id": store.payments, "language": language},
        headers={**bearer(store.kiosk_token), "Idempotency-Key": key},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def job_until(server, store, job_id: int, done, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = requests.get(
            f"{server.url}/api/v1/print-jobs/{job_id}", headers=bearer(store.kiosk_token), timeout=5
        ).json()
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"print job {job_id} never got there: {job}")


def eventually(check, timeout: float = 10):
    """Wait for what the worker does just after marking the job (status, events)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.05)


def statuses(events: list[dict]) -> list[str]:
    return [event["device"]["printer_status"] for event in events]


@pytest.fixture
def staff_events(printing_server, store):
    """`device` events as a manager's page in the branch room receives them."""
    client = socketio.Client()
    events: list[dict] = []
    client.on("device", events.append)
    client.connect(printing_server.url, auth={"token": store.staff_token}, transports=["websocket"])
    assert client.call("subscribe", {"room": f"branch:{store.branch_id}"})["ok"]
    yield events
    client.disconnect()


def test_a_kiosk_ticket_is_printed_in_turkish(printing_server, store, kiosk_on_emulator, emulator):
    ticket = issue(printing_server, store, "tap-1")
    assert ticket["print_job"]["status"] == "queued"
    (received,) = emulator.wait_for(1)
    paper = received.ticket
    assert paper.code == ticket["code"] == "A001"
    assert "Ödemeler" in paper.lines()
    assert "Önünüzdeki kişi: 0" in paper.lines()
    assert paper.qr_codes() == [f"{printing_server.url}/t/{ticket['token']}"]
    job = job_until(
        printing_server, store, ticket["print_job"]["id"], lambda j: j["status"] == "printed"
    )
    assert job["attempts"] == 1
    again = issue(printing_server, store, "tap-1")  # the same tap, sent twice
    assert again["id"] == ticket["id"] and again["print_job"]["id"] == job["id"]
    time.sleep(0.5)
    assert len(emulator.tickets) == 1


def test_printer_down_ticket_still_issued_then_printed_exactly_once(
    printing_server, store, kiosk_on_emulator, emulator, staff_events, tmp_path
):
    port = emulator.port
    emulator.stop()
    ticket = issue(printing_server, store, "tap-down")  # answered while the printer is down
    assert ticket["code"] == "A001"
    job = job_until(
        printing_server,
        store,
        ticket["print_job"]["id"],
        lambda j: j["attempts"] >= 2 and j["status"] == "queued",  # between two attempts
    )
    assert job["last_error"].endswith("cannot be reached.")
    eventually(lambda: statuses(staff_events) == ["offline"])
    back = PrinterEmulator(port=port, out=tmp_path / "after").start()
    try:
        job = job_until(printing_server, store, job["id"], lambda j: j["status"] == "printed")
        back.wait_for(1)
        time.sleep(1.0)  # time for any duplicate to arrive
        assert [r.ticket.code for r in back.tickets] == ["A001"]
        assert job["last_error"] is None and job["attempts"] >= 3
        eventually(lambda: statuses(staff_events) == ["offline", "online"])
        assert staff_events[1]["seq"] > staff_events[0]["seq"]
    finally:
        back.stop()


def test_paper_out_is_recorded_and_announced(
    printing_server, store, kiosk_on_emulator, emulator, staff_events
):
    emulator.state.paper = "out"
    ticket = issue(printing_server, store, "tap-paper")
    job_until(
        printing_server,
        store,
        ticket["print_job"]["id"],
        lambda j: j["attempts"] >= 1 and j["last_error"],
    )
    eventually(lambda: statuses(staff_events) == ["paper_out"])
    printers = requests.get(
        f"{printing_server.url}/api/v1/printers", headers=bearer(store.staff_token), timeout=5
    ).json()
    assert printers[0]["printer_status"] == "paper_out" and printers[0]["queued"] == 1
    emulator.state.paper = "low"
    job_until(printing_server, store, ticket["print_job"]["id"], lambda j: j["status"] == "printed")
    eventually(lambda: statuses(staff_events) == ["paper_out", "paper_low"])
    assert [r.ticket.code for r in emulator.wait_for(1)] == [ticket["code"]]


def test_staff_reprint_comes_out_marked_as_a_reprint(
    printing_server, store, kiosk_on_emulator, emulator
):
    ticket = issue(printing_server, store, "tap-r", language="ms")
    emulator.wait_for(1)
    refused = requests.post(
        f"{printing_server.url}/api/v1/tickets/{ticket['id']}/reprint",
        headers=bearer(store.kiosk_token),
        timeout=5,
    )
    assert refused.status_code == 403
    response = requests.post(
        f"{printing_server.url}/api/v1/tickets/{ticket['id']}/reprint",
        headers=bearer(store.staff_token),
        timeout=5,
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "reprint"
    first, second = emulator.wait_for(2)
    assert first.ticket.code == second.ticket.code == ticket["code"]
    assert "(Cetakan semula)" in second.ticket.lines()
    assert "(Cetakan semula)" not in first.ticket.lines()
