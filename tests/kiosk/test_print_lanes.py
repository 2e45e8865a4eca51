"""Printers that misbehave, against real `sira serve` processes and real TCP printers.

Issue 11 finding 8 and issue 10 point 5: one lane per printer, so a dead printer delays only its
own kiosk; a worker killed mid-send has its job taken back at once, stale jobs never print; a
printer that drops mid-ticket gets at most two partial prints, each cut off; a printer that never
answers is never counted as printed; with two server processes every job prints exactly once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from kiosk.emulator.server import PrinterEmulator
from kiosk.printing import queue
from kiosk.printing.tickets import ticket_snapshot
from server.auth.accounts import add_device
from server.engine import QueueEngine
from server.engine.clock import parse, utc_now
from server.storage import connect
from tests.conftest import bearer
from tests.kiosk.fixtures import FAST_RETRIES, set_kiosk_printer
from tests.live import LiveServer

pytestmark = pytest.mark.slow


def issue(server, token: str, service_id: int, key: str) -> dict:
    response = requests.post(
        f"{server.url}/api/v1/tickets",
        json={"service_id": service_id, "language": "tr"},
        headers={**bearer(token), "Idempotency-Key": key},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def job_row(db_path: str, job_id: int) -> dict:
    db = connect(db_path)
    try:
        return queue.get_job(db, job_id)
    finally:
        db.conn.close()


def until(check, timeout: float = 30):
    """Wait for the server to get there (a bound on waiting, not on its speed)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.05)


@pytest.fixture
def printers(tmp_path):
    started: list[PrinterEmulator] = []

    def start(fault: str = "none", port: int = 0) -> PrinterEmulator:
        printer = PrinterEmulator(port=port, out=tmp_path / f"printer-{len(started)}").start()
        printer.state.fault = fault
        started.append(printer)
        return printer

    yield start
    for printer in started:
        printer.stop()


def kiosk(db_path: str, store, printer: PrinterEmulator, name: str) -> str:
    db = connect(db_path)
    try:
        uri = f"tcp://127.0.0.1:{printer.port}"
        return add_device(db, "kiosk", name, store.branch_id, printer_uri=uri)[1]
    finally:
        db.conn.close()


def test_a_dead_printer_delays_only_its_own_kiosk(db_path, store, printers):
    """Four printers that take the connection and never answer, then a healthy one: the
    healthy kiosk's ticket is out before any dead printer's first attempt has even ended."""
    dead = [kiosk(db_path, store, printers("silent"), f"Dead {n}") for n in range(4)]
    healthy_printer = printers()
    healthy = kiosk(db_path, store, healthy_printer, "Healthy")
    env = {**FAST_RETRIES, "SIRA_PRINT_TIMEOUT_S": "6", "SIRA_PRINT_GIVE_UP_S": "60"}
    server = LiveServer(db_path, env=env).start()
    try:
        stuck = [issue(server, token, store.payments, f"dead-{n}") for n, token in enumerate(dead)]
        ticket = issue(server, healthy, store.payments, "healthy")
        (paper,) = healthy_printer.wait_for(1)
        assert paper.ticket.code == ticket["code"]
        printed = until(lambda: job_row(db_path, ticket["print_job"]["id"])["printed_at"])
        for job in stuck:
            failed = until(
                lambda job=job: (
                    (row := job_row(db_path, job["print_job"]["id"]))["last_error"] and row
                )
            )
            assert failed["status"] != "printed"
            first_failure = parse(failed["next_attempt_at"]) - timedelta(seconds=0.2)
            assert parse(printed) < first_failure
    finally:
        server.stop()


def test_a_printer_that_never_answers_is_never_counted_as_printed(db_path, store, printers):
    silent = printers("silent")
    set_kiosk_printer(db_path, f"tcp://127.0.0.1:{silent.port}")
    env = {**FAST_RETRIES, "SIRA_PRINT_TIMEOUT_S": "1", "SIRA_PRINT_GIVE_UP_S": "4"}
    server = LiveServer(db_path, env=env).start()
    try:
        ticket = issue(server, store.kiosk_token, store.payments, "silent")
        until(lambda: job_row(db_path, ticket["print_job"]["id"])["status"] == "failed")
        job = job_row(db_path, ticket["print_job"]["id"])
        assert job["printed_at"] is None and job["attempts"] >= 2
        assert queue.NOT_IN_TIME in job["last_error"]
    finally:
        server.stop()


def test_a_printer_that_drops_mid_ticket_gets_two_partial_prints_each_cut_off(
    db_path, store, printers
):
    dropping = printers("drop")
    set_kiosk_printer(db_path, f"tcp://127.0.0.1:{dropping.port}")
    server = LiveServer(db_path, env={**FAST_RETRIES, "SIRA_PRINT_GIVE_UP_S": "60"}).start()
    try:
        ticket = issue(server, store.kiosk_token, store.payments, "drop")
        until(lambda: job_row(db_path, ticket["print_job"]["id"])["status"] == "failed")
        job = job_row(db_path, ticket["print_job"]["id"])
        assert job["last_error"] == queue.TORN_TWICE and job["torn"] == 2
        time.sleep(1.0)  # time for any further attempt to arrive (there must be none)
        papers = [(p.ticket.cut, bool(p.ticket.code)) for p in dropping.tickets]
        # a stub, the tear-off cut that finishes it before the second try, the second stub
        assert papers == [(False, True), (True, False), (False, True)]
    finally:
        server.stop()


def test_a_job_caught_mid_send_by_a_crash_is_retried_at_once_and_stale_jobs_never_print(
    db_path, store, printers
):
    printer = printers("silent")
    set_kiosk_printer(db_path, f"tcp://127.0.0.1:{printer.port}")
    env = {**FAST_RETRIES, "SIRA_PRINT_TIMEOUT_S": "20", "SIRA_PRINT_GIVE_UP_S": "60"}
    first = LiveServer(db_path, env=env).start()
    ticket = issue(first, store.kiosk_token, store.payments, "crash")
    job_id = ticket["print_job"]["id"]
    claimed = until(lambda: (row := job_row(db_path, job_id))["status"] == "printing" and row)
    first.kill()  # SIGKILL while the printer holds the attempt
    printer.state.fault = "none"
    stale = queue_stale_job(db_path, store)
    second = LiveServer(db_path, env=env).start()
    try:
        tear_off, paper = printer.wait_for(2)
        assert tear_off.ticket.code == "" and tear_off.ticket.cut
        done = until(lambda: (row := job_row(db_path, job_id))["status"] == "printed" and row)
        assert paper.ticket.code == ticket["code"]
        assert done["attempts"] == 2 and done["torn"] == 1  # may have been half printed: cut first
        stale_after = 3 * 20 + 5  # what a lease would have waited
        assert parse(done["printed_at"]) < parse(claimed["claimed_at"]) + timedelta(
            seconds=stale_after
        )
        old = until(lambda: (row := job_row(db_path, stale))["status"] == "failed" and row)
        assert old["attempts"] == 0 and old["last_error"] == queue.NOT_IN_TIME
        assert [p.ticket.code for p in printer.tickets] == ["", ticket["code"]]
    finally:
        second.stop()


def queue_stale_job(db_path: str, store) -> int:
    """A job queued 2 minutes ago while no server ran (its kiosk long told the customer)."""
    db = connect(db_path)
    try:
        engine = QueueEngine(db)
        ticket = engine.issue_ticket(store.returns, language="tr").ticket
        kiosk_id = db.execute("SELECT id FROM devices WHERE kind = 'kiosk'").fetchone()[0]
        snapshot = ticket_snapshot(engine.reads, ticket, "http://kiosk.test/")
        then = utc_now() - timedelta(minutes=2)
        return queue.queue_job(db, ticket["id"], kiosk_id, snapshot, then)["id"]
    finally:
        db.conn.close()


def test_two_server_processes_print_every_job_exactly_once(db_path, store, printers):
    first_printer, second_printer = printers(), printers()
    tokens = [
        kiosk(db_path, store, first_printer, "Door A"),
        kiosk(db_path, store, second_printer, "Door B"),
    ]
    servers = [LiveServer(db_path, env=FAST_RETRIES).start() for _ in range(2)]
    try:
        issued = []
        for n in range(24):  # each kiosk's tickets go through both processes
            server, token = servers[n % 2], tokens[(n // 2) % 2]
            issued.append((token, issue(server, token, store.payments, f"two-{n}")))
        for printer, token in ((first_printer, tokens[0]), (second_printer, tokens[1])):
            codes = sorted(t["code"] for owner, t in issued if owner == token)
            printer.wait_for(len(codes), timeout=60)
            time.sleep(1.0)  # time for any duplicate to arrive
            assert sorted(p.ticket.code for p in printer.tickets) == codes
        for _, ticket in issued:
            job = until(lambda t=ticket: job_row(db_path, t["print_job"]["id"])["printed_at"])
            assert job
    finally:
        for server in servers:
            server.stop()


def test_the_print_worker_blocking_in_c_does_not_stall_the_server(db_path, store, printers):
    """The worker's SQLite commits block in C while another process holds the write lock. On
    the event loop that stalled every client until the lock was released; in the worker's own
    threads the server keeps answering meanwhile."""
    down = printers()
    set_kiosk_printer(db_path, f"tcp://127.0.0.1:{down.port}")
    down.stop()  # every attempt fails and is retried, so the worker keeps taking the lock
    server = LiveServer(db_path, env={**FAST_RETRIES, "SIRA_PRINT_GIVE_UP_S": "60"}).start()
    holder = connect(db_path)
    try:
        ticket = issue(server, store.kiosk_token, store.payments, "locked")
        until(lambda: job_row(db_path, ticket["print_job"]["id"])["attempts"] >= 2)
        holder.execute("BEGIN IMMEDIATE")
        try:
            time.sleep(2.0)  # the worker's next claim is now waiting for the lock
            answered = requests.get(f"{server.url}/api/v1/services", timeout=60)
            log = server.log_path.read_text()
        finally:
            holder.execute("ROLLBACK")
        assert answered.status_code == 200
        # A worker on the event loop lets the server answer only once SQLite's busy timeout
        # has failed its claim ("database is locked"); here the claim is still waiting.
        assert "database is locked" not in log
    finally:
        holder.conn.close()
        server.stop()
