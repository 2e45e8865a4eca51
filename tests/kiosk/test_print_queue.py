"""The print queue on a real SQLite file: queued once, claimed once, retried, given up."""

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.printing import queue
from server.domain.errors import ValidationError
from tests.kiosk.fixtures import set_kiosk_printer

NOW = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
POLICY = queue.RetryPolicy(first_delay_s=2, max_delay_s=8, give_up_after_s=60, lease_s=30)


@pytest.fixture
def kiosk_id(db_path, store):
    return set_kiosk_printer(db_path, "tcp://127.0.0.1:9")


@pytest.fixture
def ticket_id(engine, store):
    return engine.issue_ticket(store.payments).ticket["id"]


def test_a_tickets_first_print_is_queued_once_a_reprint_each_time(db, kiosk_id, ticket_id):
    first = queue.queue_job(db, ticket_id, kiosk_id, {"code": "A001"}, NOW)
    again = queue.queue_job(db, ticket_id, kiosk_id, {"code": "A001"}, NOW)
    assert again == first
    assert first["status"] == "queued" and first["attempts"] == 0
    reprint = queue.queue_job(db, ticket_id, kiosk_id, {"code": "A001"}, NOW, "reprint")
    assert reprint["id"] != first["id"]
    assert db.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 2


def test_claimed_once_then_retried_with_growing_backoff(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    claimed = queue.claim_due_job(db, NOW, POLICY)
    assert claimed["id"] == job["id"] and claimed["status"] == "printing"
    assert claimed["attempts"] == 1
    assert queue.claim_due_job(db, NOW, POLICY) is None  # nobody else sends it meanwhile
    failed = queue.mark_attempt_failed(db, job["id"], "refused", NOW, POLICY)
    assert failed["status"] == "queued"
    assert failed["next_attempt_at"] == (NOW + timedelta(seconds=2)).isoformat(
        timespec="microseconds"
    )
    assert queue.claim_due_job(db, NOW + timedelta(seconds=1), POLICY) is None
    later = NOW + timedelta(seconds=3)
    assert queue.claim_due_job(db, later, POLICY)["attempts"] == 2
    again = queue.mark_attempt_failed(db, job["id"], "refused", later, POLICY)
    assert again["next_attempt_at"] == (later + timedelta(seconds=4)).isoformat(
        timespec="microseconds"
    )
    assert [POLICY.delay(n) for n in range(1, 6)] == [2, 4, 8, 8, 8]


def test_printed_is_final_and_acknowledging_twice_is_harmless(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    queue.claim_due_job(db, NOW, POLICY)
    assert queue.mark_printed(db, job["id"], NOW) is True
    assert queue.mark_printed(db, job["id"], NOW) is False
    assert queue.mark_attempt_failed(db, job["id"], "late", NOW, POLICY)["status"] == "printed"
    assert queue.claim_due_job(db, NOW + timedelta(hours=1), POLICY) is None


def test_a_ticket_too_old_to_help_is_marked_failed(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    queue.claim_due_job(db, NOW, POLICY)
    late = NOW + timedelta(seconds=61)
    failed = queue.mark_attempt_failed(db, job["id"], "paper out", late, POLICY)
    assert failed["status"] == "failed" and failed["last_error"] == "paper out"
    assert queue.claim_due_job(db, late + timedelta(hours=1), POLICY) is None


def test_a_crashed_workers_claim_is_taken_over_after_the_lease(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    queue.claim_due_job(db, NOW, POLICY)
    assert queue.claim_due_job(db, NOW + timedelta(seconds=29), POLICY) is None
    assert queue.claim_due_job(db, NOW + timedelta(seconds=31), POLICY)["id"] == job["id"]


def test_agent_jobs_are_left_to_the_agent(db, db_path, store, ticket_id):
    kiosk = set_kiosk_printer(db_path, "agent")
    job = queue.queue_job(db, ticket_id, kiosk, {}, NOW)
    assert queue.claim_due_job(db, NOW, POLICY) is None
    assert [j["id"] for j in queue.pending_for_device(db, kiosk)] == [job["id"]]


def test_printer_status_is_announced_only_when_it_changes(db, kiosk_id, store):
    seq = db.execute("SELECT seq FROM branches").fetchone()[0]
    event = queue.record_printer_status(db, kiosk_id, "paper_low", NOW)
    assert event["seq"] == seq + 1
    assert event["device"]["printer_status"] == "paper_low"
    assert event["branch_id"] == store.branch_id
    assert queue.record_printer_status(db, kiosk_id, "paper_low", NOW) is None
    assert queue.record_printer_status(db, kiosk_id, "online", NOW)["seq"] == seq + 2
    with pytest.raises(ValidationError):
        queue.record_printer_status(db, kiosk_id, "on fire", NOW)
    (printer,) = queue.printers(db, store.branch_id)
    assert printer["printer_status"] == "online" and printer["by_agent"] is False
