"""A rush hour against real `sira serve` processes: kiosks issuing while counters call, at once.

Every issued ticket must be called exactly once, by a counter that serves it, and numbering must
stay contiguous per service, whether one process or two share the SQLite file.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.auth.accounts import add_user, create_token
from server.stats import rollups
from server.storage import connect
from server.store import add_counter
from tests.e2e.conftest import ApiClient
from tests.live import LiveServer
from tests.stats.test_rollups import stored_rows
from tests.store import PASSWORD, Store

pytestmark = pytest.mark.slow

KIOSKS = 4
TICKETS_PER_KIOSK = 15
# Each ticket's life when all goes well: one event per move, and one branch seq per event.
LIFE = ["called", "finished", "issued", "started"]


def add_clerks(db_path: str, store: Store) -> dict[int, tuple[int, str]]:
    """Two more counters than the test store has, each with its own clerk: user id and token."""
    db = connect(db_path)
    counters = [
        store.counter1,  # A and B
        store.counter2,  # A
        add_counter(db, store.branch_id, "Counter 3", [store.payments, store.returns]),
        add_counter(db, store.branch_id, "Counter 4", [store.returns]),
    ]
    clerks = {}
    for counter_id in counters:
        username = f"clerk{counter_id}"
        clerks[counter_id] = (add_user(db, username, "staff", PASSWORD), create_token(db, username))
    db.conn.close()
    return clerks


def issue(url: str, token: str, services: list[int]) -> list[tuple[int, dict]]:
    """One kiosk: a ticket for each of its services in turn; the status and body of each answer."""
    kiosk = ApiClient(url, token)
    answers = []
    for service_id in itertools.islice(itertools.cycle(services), TICKETS_PER_KIOSK):
        response = kiosk.post("/tickets", {"service_id": service_id})
        answers.append((response.status_code, response.json()))
    return answers


def serve(url: str, token: str, counter_id: int, issuing_done: threading.Event) -> list[dict]:
    """One counter: call, start, finish, until the kiosks are done and nobody waits for it."""
    clerk = ApiClient(url, token)
    served = []
    while True:
        issuing_was_done = issuing_done.is_set()
        called = clerk.post(f"/counters/{counter_id}/call-next")
        if called.status_code == 204:
            if issuing_was_done:
                return served
            time.sleep(0.01)  # nobody waits yet: a clerk would look up, not hammer the button
            continue
        assert called.status_code == 200, called.text
        ticket = called.json()
        for move in ("start", "finish"):
            moved = clerk.post(f"/tickets/{ticket['id']}/{move}")
            assert moved.status_code == 200, moved.text
        served.append(ticket)


def rush(urls: list[str], store: Store, clerks: dict[int, tuple[int, str]]) -> tuple[list, dict]:
    """Kiosks and counters at the same time, spread over the servers; what each got back."""
    issuing_done = threading.Event()
    services = [store.payments, store.returns]
    with ThreadPoolExecutor(KIOSKS + len(clerks)) as pool:
        counters = {
            counter_id: pool.submit(serve, urls[i % len(urls)], token, counter_id, issuing_done)
            for i, (counter_id, (_, token)) in enumerate(clerks.items())
        }
        # Half the kiosks issue A and B in turn, the other half only B.
        kiosks = [
            pool.submit(issue, urls[i % len(urls)], store.kiosk_token, services[i % 2 :])
            for i in range(KIOSKS)
        ]
        try:
            issued = [answer for kiosk in kiosks for answer in kiosk.result()]
        finally:
            issuing_done.set()
        served = {counter_id: future.result() for counter_id, future in counters.items()}
    return issued, served


def check_rush(db_path: str, store: Store, clerks: dict, issued: list, served: dict) -> None:
    """Each ticket issued once with the next number, called once by a counter serving it."""
    assert [status for status, _ in issued] == [201] * len(issued), issued
    tickets = {body["id"]: body for _, body in issued}
    assert len(tickets) == KIOSKS * TICKETS_PER_KIOSK
    assert len({t["code"] for t in tickets.values()}) == len(tickets), "a code was issued twice"
    for service_id in (store.payments, store.returns):
        numbers = sorted(t["number"] for t in tickets.values() if t["service_id"] == service_id)
        assert numbers == list(range(1, len(numbers) + 1)), numbers
    for ticket in tickets.values():
        assert ticket["code"] == f"{ticket['service']['prefix']}{ticket['number']:03d}"

    calls = Counter(ticket["id"] for answers in served.values() for ticket in answers)
    assert calls == Counter(tickets.keys()), "not every ticket was called exactly once"

    db = connect(db_path)
    try:
        for counter_id, answers in served.items():
            serves = {
                row[0]
                for row in db.execute(
                    "SELECT service_id FROM counter_services WHERE counter_id = ?", [counter_id]
                )
            }
            for ticket in answers:
                assert ticket["counter"]["id"] == counter_id
                assert ticket["service_id"] in serves, (counter_id, ticket["code"])
        lives = {}
        for row in db.execute(
            "SELECT ticket_id, kind, counter_id, user_id FROM ticket_events ORDER BY id"
        ):
            lives.setdefault(row["ticket_id"], []).append(row["kind"])
            if row["kind"] == "called":
                assert clerks[row["counter_id"]][0] == row["user_id"]
        assert {ticket_id: sorted(kinds) for ticket_id, kinds in lives.items()} == {
            ticket_id: LIFE for ticket_id in tickets
        }
        statuses = db.execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall()
        assert [tuple(row) for row in statuses] == [("done", len(tickets))], "left waiting"
        seq = db.execute("SELECT seq FROM branches WHERE id = ?", [store.branch_id]).fetchone()
        assert seq[0] == len(LIFE) * len(tickets), "every change bumps the branch seq once"
        # The statistics' rollups, kept by each move in its own transaction, add up exactly.
        assert stored_rows(db) == rollups.recompute(db)
    finally:
        db.conn.close()


def check_logs(servers: list[LiveServer]) -> None:
    for server in servers:
        log = server.log_path.read_text()
        assert "Traceback" not in log and "database is locked" not in log, log[-3000:]


def test_kiosks_and_counters_at_once_on_one_server(db_path, store):
    clerks = add_clerks(db_path, store)
    server = LiveServer(db_path).start()
    try:
        issued, served = rush([server.url], store, clerks)
    finally:
        server.stop()
    check_rush(db_path, store, clerks, issued, served)
    check_logs([server])


def test_two_server_processes_share_one_database(db_path, store):
    """Two processes on one SQLite file: the write lock, not process memory, keeps order."""
    clerks = add_clerks(db_path, store)
    servers = [LiveServer(db_path).start(), LiveServer(db_path).start()]
    try:
        issued, served = rush([server.url for server in servers], store, clerks)
    finally:
        for server in servers:
            server.stop()
    check_rush(db_path, store, clerks, issued, served)
    check_logs(servers)
