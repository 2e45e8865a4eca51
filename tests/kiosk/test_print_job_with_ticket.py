"""A kiosk's ticket and its print job commit together, or neither does."""

from __future__ import annotations

import sqlite3

import pytest

from server.storage import connect
from tests.conftest import bearer
from tests.kiosk.fixtures import set_kiosk_printer


@pytest.fixture
def kiosk_with_printer(db_path, store) -> int:
    # Port 9 (discard): nothing prints, the job stays queued; the row is what counts here.
    return set_kiosk_printer(db_path, "tcp://127.0.0.1:9")


def count(db_path: str, table: str) -> int:
    db = connect(db_path)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.conn.close()


def test_the_answer_carries_the_job_written_with_the_ticket(
    client, store, db_path, kiosk_with_printer
):
    answer = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    assert answer.status_code == 201, answer.text
    job = answer.json["print_job"]
    assert (job["ticket_id"], job["device_id"], job["status"]) == (
        answer.json["id"],
        kiosk_with_printer,
        "queued",
    )
    assert count(db_path, "print_jobs") == 1


def test_a_print_job_that_cannot_be_written_takes_the_ticket_with_it(
    client, store, db_path, kiosk_with_printer
):
    db = connect(db_path)
    db.execute(
        "CREATE TRIGGER no_room BEFORE INSERT ON print_jobs"
        " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
    )
    db.conn.close()
    with pytest.raises(sqlite3.IntegrityError, match="the disk is full"):
        client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments},
            headers=bearer(store.kiosk_token),
        )
    assert count(db_path, "tickets") == 0, "no ticket was committed without its print job"
    assert count(db_path, "ticket_events") == 0


def test_staff_tickets_have_no_print_job(client, store, db_path, kiosk_with_printer):
    answer = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.staff_token)
    )
    assert answer.status_code == 201 and answer.json["print_job"] is None
    assert count(db_path, "print_jobs") == 0
