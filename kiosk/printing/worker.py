"""The print worker of `sira serve`: one lane per printer, each in its own OS thread.

A dispatcher thread looks for printers with a due job (woken at once for jobs of this process,
and every second for those of other processes), takes back jobs whose worker died mid-send, and
fails jobs too old to print. Each printer with work gets a lane: a thread that claims that
printer's jobs one at a time and sends each in a thread of its own, waiting at most one attempt's
timeout. A dead printer holds up only its own lane; a hung device call holds up only its own
printer, until it returns.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable

import sqlite_utils
from flask import Flask

from kiosk.printing import queue
from kiosk.printing.delivery import TEAR_OFF, PrinterUnavailable, deliver, probe
from kiosk.printing.layout import render_ticket
from kiosk.printing.native import LoopCall, new_queue, process_alive, process_id, wait_for
from kiosk.printing.tickets import ticket_print
from kiosk.printing.uris import PrinterRules, parse_printer_uri
from server.domain.errors import ValidationError
from server.storage import connect
from server.storage.handoff import start_thread

log = logging.getLogger(__name__)
POLL_S = 1.0  # also look now and then: jobs queued by other server processes
# Kiosk printers the server drives itself (the print agent reports its own).
IDLE_PRINTERS = (
    "SELECT id, printer_uri FROM devices WHERE kind = 'kiosk' AND revoked_at IS NULL"
    " AND printer_uri IS NOT NULL AND printer_uri NOT IN ('', 'agent')"
)


def retry_policy(config: dict) -> queue.RetryPolicy:
    return queue.RetryPolicy(
        first_delay_s=float(config["SIRA_PRINT_RETRY_S"]),
        max_delay_s=float(config["SIRA_PRINT_RETRY_MAX_S"]),
        give_up_after_s=float(config["SIRA_PRINT_GIVE_UP_S"]),
        timeout_s=float(config["SIRA_PRINT_TIMEOUT_S"]),
    )


def job_bytes(job: dict, device: dict) -> bytes:
    """The ESC/POS bytes of a job for its device's printer profile and paper."""
    snapshot = json.loads(job["data"])
    return render_ticket(
        ticket_print(snapshot, reprint=job["kind"] == "reprint"),
        device["printer_profile"],
        device["paper_width_mm"],
    )


def attempt_bytes(job: dict, device: dict) -> bytes:
    """A job torn off mid-ticket before starts by finishing the stub: feed and cut it off, then
    the whole ticket again (a printer cannot resume where it stopped)."""
    return (TEAR_OFF if job["torn"] else b"") + job_bytes(job, device)


def in_thread(function: Callable[[], str], timeout: float) -> tuple[Callable[[], None], object]:
    """Start `function` in its own OS thread; returns a wait for its end and its outcome
    (a status, an exception, or TimeoutError when it outlived `timeout`)."""
    results = new_queue()

    def run() -> None:
        try:
            results.put(function())
        except BaseException as error:  # handed to the lane, which records it
            results.put(error)

    start_thread(run)
    done, outcome = wait_for(results, timeout)
    if done:
        return (lambda: None), outcome
    return results.get, TimeoutError(f"the printer did not finish within {timeout:g} s")


class PrintWorker:
    """One per server process; `wake()` after queueing a job makes it look at once."""

    def __init__(self, app: Flask, on_device_change: Callable[[dict], None]):
        self.db_path = app.config["SIRA_DB"]
        self.clock = app.config["SIRA_CLOCK"]
        self.policy = retry_policy(app.config)
        self.rules = PrinterRules.from_settings(app.config)
        self.on_device_change = on_device_change
        self.identity = process_id(os.getpid())
        self.wakeups = new_queue()
        self.stopping = False
        self.running = False  # true while `run` loops: what /readyz asks
        self.lanes: set[int] = set()  # printers (device ids) whose lane (or probe) is running
        self.probe_s = float(app.config["SIRA_PRINTER_PROBE_S"])
        # device id → when its printer was last asked; the first time, a probe period after start
        self.probed: dict[int, float] = {}
        self.started = time.monotonic()
        self.announce = LoopCall()  # made on the event loop's thread: lanes call back into it

    def start(self) -> PrintWorker:
        self.running = True
        start_thread(self.run)
        return self

    def stop(self) -> None:
        self.stopping = True
        self.wakeups.put(None)

    def wake(self) -> None:
        self.wakeups.put(None)

    def is_alive(self) -> bool:
        return self.running

    def run(self) -> None:
        try:
            self.serve_queue()
        finally:
            self.running = False

    def serve_queue(self) -> None:
        db = None
        while not self.stopping:
            try:
                db = db or connect(self.db_path)
                self.dispatch(db)
            except Exception:  # the worker must outlive any database hiccup
                log.exception("print worker")
                if db is not None:
                    db.conn.close()
                db = None
            wait_for(self.wakeups, POLL_S)
        if db is not None:
            db.conn.close()

    def dispatch(self, db: sqlite_utils.Database) -> None:
        """Take back dead workers' jobs, fail stale ones, and start a lane per busy printer."""
        now = self.clock()
        queue.abandoned_claims(db, now, self.policy, self.alive)
        queue.expire_jobs(db, now, self.policy)
        for device_id in queue.due_devices(db, now, self.policy):
            if device_id not in self.lanes:
                self.lanes.add(device_id)
                start_thread(lambda device_id=device_id: self.lane(device_id))
        self.probe_idle(db)

    def probe_idle(self, db: sqlite_utils.Database) -> None:
        """Every SIRA_PRINTER_PROBE_S, ask each idle printer how it is: a kiosk then warns of
        paper out or a switched-off printer before a customer taps, not after a failed ticket."""
        now = time.monotonic()
        for device in db.execute(IDLE_PRINTERS).fetchall():
            device_id = device["id"]
            if (
                device_id in self.lanes
                or now - self.probed.get(device_id, self.started) < self.probe_s
            ):
                continue
            self.probed[device_id] = now
            self.lanes.add(device_id)  # no lane takes the printer while it is being asked
            start_thread(lambda device=dict(device): self.probe(device))

    def probe(self, device: dict) -> None:
        db = connect(self.db_path)
        try:
            address = parse_printer_uri(device["printer_uri"], self.rules)
            timeout = self.policy.timeout_s
            finished, outcome = in_thread(lambda: probe(address, timeout), timeout + 1)
            if isinstance(outcome, str):
                self.record_status(db, device["id"], outcome)
            finished()
        except ValidationError:
            pass  # a bad URI saved by hand: its jobs say so
        except Exception:
            log.exception("printer probe of device %s", device["id"])
        finally:
            db.conn.close()
            self.lanes.discard(device["id"])

    def alive(self, claimer: str) -> bool:
        """Our own claims are alive while their lanes run; others' while their process runs."""
        return claimer == self.identity or process_alive(claimer)

    def lane(self, device_id: int) -> None:
        """Send the printer's due jobs one after another, then end."""
        db = connect(self.db_path)
        try:
            while not self.stopping and self.send_next(db, device_id):
                pass
        except Exception:
            log.exception("print lane of device %s", device_id)
        finally:
            db.conn.close()
            self.lanes.discard(device_id)
            self.wakeups.put(None)  # the dispatcher may have skipped this printer meanwhile

    def send_next(self, db: sqlite_utils.Database, device_id: int) -> bool:
        """One attempt of the printer's next due job; False when none was due."""
        job = queue.claim_job(db, device_id, self.clock(), self.policy, self.identity)
        if job is None:
            return False
        device = dict(db.execute("SELECT * FROM devices WHERE id = ?", [device_id]).fetchone())
        try:
            address = parse_printer_uri(device["printer_uri"], self.rules)
            data = attempt_bytes(job, device)
        except ValidationError as error:  # a bad URI or profile saved by hand: fix the device
            self.failed(db, job, error.message)
            return True
        finished, outcome = in_thread(
            lambda: deliver(address, data, self.policy.timeout_s), self.policy.timeout_s + 1
        )
        if isinstance(outcome, str):
            queue.mark_printed(db, job["id"], self.clock())
            self.record_status(db, device_id, outcome)
        elif isinstance(outcome, PrinterUnavailable):
            self.failed(db, job, str(outcome), outcome.torn)
            self.record_status(db, device_id, outcome.status)
        else:
            self.failed(db, job, f"{address.uri} did not take the job.", torn=True)
            self.record_status(db, device_id, "offline")
            log.warning("print job %s: %r", job["id"], outcome)
        finished()  # a device call that hung: this printer waits for it, no one else does
        return True

    def record_status(self, db: sqlite_utils.Database, device_id: int, status: str) -> None:
        changed = queue.record_printer_status(db, device_id, status, self.clock())
        if changed:
            self.announce(self.on_device_change, changed)

    def failed(
        self, db: sqlite_utils.Database, job: dict, message: str, torn: bool = False
    ) -> None:
        queue.mark_attempt_failed(db, job["id"], message, self.clock(), self.policy, torn)
        log.warning("print job %s: %s", job["id"], message)
