"""The print worker in-process: one printer's lane, against the emulator over TCP."""

import json

import pytest

from kiosk.printing import queue
from kiosk.printing.tickets import ticket_snapshot
from kiosk.printing.worker import PrintWorker
from server.engine.clock import utc_now
from tests.kiosk.fixtures import set_kiosk_printer


@pytest.fixture
def announced():
    return []


@pytest.fixture
def worker(app, announced):
    return PrintWorker(app, announced.append)


def queue_ticket(db, engine, store, kiosk_id, language="tr") -> dict:
    ticket = engine.issue_ticket(store.returns, language=language).ticket
    snapshot = ticket_snapshot(engine.reads, ticket, "http://kiosk.test/")
    return queue.queue_job(db, ticket["id"], kiosk_id, snapshot, utc_now())


def test_a_due_job_is_printed_and_the_printer_status_announced_once(
    worker, db, engine, store, kiosk_on_emulator, emulator, announced
):
    job = queue_ticket(db, engine, store, kiosk_on_emulator)
    assert worker.send_next(db, kiosk_on_emulator) is True
    assert worker.send_next(db, kiosk_on_emulator) is False  # nothing else is due
    (received,) = emulator.wait_for(1)
    assert received.ticket.code == "B001"
    assert "İadeler" in received.ticket.lines()
    assert received.ticket.qr_codes() == [
        f"http://kiosk.test/t/{engine.reads.ticket(job['ticket_id'])['token']}"
    ]
    assert queue.get_job(db, job["id"])["status"] == "printed"
    assert [event["device"]["printer_status"] for event in announced] == ["online"]
    queue_ticket(db, engine, store, kiosk_on_emulator)
    worker.send_next(db, kiosk_on_emulator)
    assert len(announced) == 1  # still online: nothing new to say


def test_a_bad_profile_fails_the_attempt_without_blaming_the_printer(
    worker, db, db_path, engine, store, emulator, announced
):
    kiosk = set_kiosk_printer(
        db_path, f"tcp://127.0.0.1:{emulator.port}", printer_profile="TM-NOPE"
    )
    job = queue_ticket(db, engine, store, kiosk)
    worker.send_next(db, kiosk)
    failed = queue.get_job(db, job["id"])
    assert failed["status"] == "queued" and "TM-NOPE" in failed["last_error"]
    assert announced == [] and emulator.tickets == []
    snapshot = json.loads(failed["data"])
    assert snapshot["service_name"] == "İadeler" and snapshot["people_ahead"] == 0
