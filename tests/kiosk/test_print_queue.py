"""The print queue on a real SQLite file: queued once, claimed once, retried, given up."""

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.printing import queue
from server.domain.errors import ValidationError
from tests.kiosk.fixtures import set_kiosk_printer

NOW = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
POLICY = queue.RetryPolicy(first_delay_s=2, max_delay_s=8, give_up_after_s=60, timeout_s=5)
WORKER = "this-host:1:1"


@pytest.fixture
def kiosk_id(db_path, store):
    return set_kiosk_printer(db_path, "tcp://127.0.0.1:9")


@pytest.fixture
def ticket_id(engine, store):
    return engine.issue_ticket(store.payments).ticket["id"]


def claim(db, kiosk_id, at=NOW, worker=WORKER):
    return queue.claim_job(db, kiosk_id, at, POLICY, worker)


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
    assert queue.due_devices(db, NOW, POLICY) == [kiosk_id]
    claimed = claim(db, kiosk_id)
    assert claimed["id"] == job["id"] and claimed["status"] == "printing"
    assert claimed["attempts"] == 1 and claimed["claimed_by"] == WORKER
    assert claim(db, kiosk_id, worker="other:2:2") is None  # nobody else sends it meanwhile
    assert queue.due_devices(db, NOW, POLICY) == []
    failed = queue.mark_attempt_failed(db, job["id"], "refused", NOW, POLICY)
    assert failed["status"] == "queued"
    assert failed["next_attempt_at"] == (NOW + timedelta(seconds=2)).isoformat(
        timespec="microseconds"
    )
    assert claim(db, kiosk_id, NOW + timedelta(seconds=1)) is None
    later = NOW + timedelta(seconds=3)
    assert claim(db, kiosk_id, later)["attempts"] == 2
    again = queue.mark_attempt_failed(db, job["id"], "refused", later, POLICY)
    assert again["next_attempt_at"] == (later + timedelta(seconds=4)).isoformat(
        timespec="microseconds"
    )
    assert [POLICY.delay(n) for n in range(1, 6)] == [2, 4, 8, 8, 8]


def test_a_printer_gets_one_job_at_a_time_whoever_claims(db, kiosk_id, engine, store):
    first, second = (
        queue.queue_job(db, engine.issue_ticket(store.payments).ticket["id"], kiosk_id, {}, NOW)
        for _ in range(2)
    )
    assert claim(db, kiosk_id)["id"] == first["id"]
    assert claim(db, kiosk_id, worker="other:2:2") is None
    queue.mark_printed(db, first["id"], NOW)
    assert claim(db, kiosk_id, worker="other:2:2")["id"] == second["id"]


def test_printed_is_final_and_acknowledging_twice_is_harmless(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    claim(db, kiosk_id)
    assert queue.mark_printed(db, job["id"], NOW) is True
    assert queue.mark_printed(db, job["id"], NOW) is False
    assert queue.mark_attempt_failed(db, job["id"], "late", NOW, POLICY)["status"] == "printed"
    assert claim(db, kiosk_id, NOW + timedelta(hours=1)) is None


def test_no_attempt_starts_that_could_end_after_the_give_up_time(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    claim(db, kiosk_id)
    # a retry due at +52 s could start; one due at +56 s could end after the 60 s give-up
    retry = queue.mark_attempt_failed(
        db, job["id"], "paper out", NOW + timedelta(seconds=50), POLICY
    )
    assert retry["status"] == "queued"
    claim(db, kiosk_id, NOW + timedelta(seconds=52))
    failed = queue.mark_attempt_failed(
        db, job["id"], "paper out", NOW + timedelta(seconds=54), POLICY
    )
    assert failed["status"] == "failed"
    assert failed["last_error"] == f"paper out {queue.NOT_IN_TIME}"


def test_a_job_left_queued_past_its_give_up_time_fails_and_never_starts(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    late = NOW + timedelta(seconds=56)
    assert queue.due_devices(db, late, POLICY) == []
    assert claim(db, kiosk_id, late) is None
    assert queue.expire_jobs(db, late, POLICY) == 1
    failed = queue.get_job(db, job["id"])
    assert failed["status"] == "failed" and failed["last_error"] == queue.NOT_IN_TIME
    assert queue.expire_jobs(db, late, POLICY) == 0


def test_a_dead_workers_claim_is_taken_back_at_once(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    claim(db, kiosk_id, worker="this-host:999:1")
    soon = NOW + timedelta(seconds=1)
    assert queue.abandoned_claims(db, soon, POLICY, alive=lambda worker: True) == 0
    assert queue.abandoned_claims(db, soon, POLICY, alive=lambda worker: False) == 1
    back = queue.get_job(db, job["id"])
    assert back["status"] == "queued" and back["torn"] == 1  # it may have been half printed
    assert claim(db, kiosk_id, soon)["id"] == job["id"]


def test_a_hung_workers_claim_is_taken_back_once_no_attempt_could_still_run(
    db, kiosk_id, ticket_id
):
    queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    claim(db, kiosk_id)
    alive = lambda worker: True  # noqa: E731
    assert queue.abandoned_claims(db, NOW + timedelta(seconds=19), POLICY, alive) == 0
    assert queue.abandoned_claims(db, NOW + timedelta(seconds=21), POLICY, alive) == 1


def test_a_job_torn_off_twice_is_not_printed_again(db, kiosk_id, ticket_id):
    job = queue.queue_job(db, ticket_id, kiosk_id, {}, NOW)
    claim(db, kiosk_id)
    once = queue.mark_attempt_failed(db, job["id"], "dropped", NOW, POLICY, torn=True)
    assert once["status"] == "queued" and once["torn"] == 1
    claim(db, kiosk_id, NOW + timedelta(seconds=3))
    twice = queue.mark_attempt_failed(db, job["id"], "dropped", NOW, POLICY, torn=True)
    assert twice["status"] == "failed" and twice["last_error"] == queue.TORN_TWICE


def test_agent_jobs_are_left_to_the_agent(db, db_path, store, ticket_id):
    kiosk = set_kiosk_printer(db_path, "agent")
    job = queue.queue_job(db, ticket_id, kiosk, {}, NOW)
    assert queue.due_devices(db, NOW, POLICY) == []
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
