"""The print worker: a background thread (a greenlet under gevent) of `sira serve` that sends
queued jobs to server-side printers, one at a time, with backoff, and reports printer status."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import sqlite_utils
from flask import Flask

from kiosk.printing import queue
from kiosk.printing.delivery import PrinterUnavailable, deliver
from kiosk.printing.layout import render_ticket
from kiosk.printing.tickets import ticket_print
from kiosk.printing.uris import parse_printer_uri
from server.domain.errors import ValidationError
from server.storage import connect

log = logging.getLogger(__name__)
POLL_S = 1.0  # also look now and then: jobs queued by other server processes


def retry_policy(config: dict) -> queue.RetryPolicy:
    return queue.RetryPolicy(
        first_delay_s=float(config["SIRA_PRINT_RETRY_S"]),
        max_delay_s=float(config["SIRA_PRINT_RETRY_MAX_S"]),
        give_up_after_s=float(config["SIRA_PRINT_GIVE_UP_S"]),
    )


def job_bytes(job: dict, device: dict) -> bytes:
    """The ESC/POS bytes of a job for its device's printer profile and paper."""
    snapshot = json.loads(job["data"])
    return render_ticket(
        ticket_print(snapshot, reprint=job["kind"] == "reprint"),
        device["printer_profile"],
        device["paper_width_mm"],
    )


class PrintWorker:
    """One per server process; `wake()` after queueing a job makes it look at once."""

    def __init__(self, app: Flask, on_device_change: Callable[[dict], None]):
        self.db_path = app.config["SIRA_DB"]
        self.clock = app.config["SIRA_CLOCK"]
        self.policy = retry_policy(app.config)
        self.on_device_change = on_device_change
        self.woken = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> PrintWorker:
        self.thread = threading.Thread(target=self.run, name="sira-print-worker", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.woken.set()

    def wake(self) -> None:
        self.woken.set()

    def run(self) -> None:
        db = None
        while not self.stopping.is_set():
            try:
                db = db or connect(self.db_path)
                busy = self.run_once(db)
            except Exception:  # the worker must outlive any one bad job or database hiccup
                log.exception("print worker")
                if db is not None:
                    db.conn.close()
                db, busy = None, False
            if not busy:
                self.woken.wait(POLL_S)
                self.woken.clear()
        if db is not None:
            db.conn.close()

    def run_once(self, db: sqlite_utils.Database) -> bool:
        """Send one due job; False when there was none."""
        job = queue.claim_due_job(db, self.clock(), self.policy)
        if job is None:
            return False
        device = db.execute("SELECT * FROM devices WHERE id = ?", [job["device_id"]]).fetchone()
        self.send(db, job, dict(device))
        return True

    def send(self, db: sqlite_utils.Database, job: dict, device: dict) -> None:
        """One attempt: print, or schedule the retry; then record what the printer said."""
        status = None
        try:
            address = parse_printer_uri(device["printer_uri"])
            status = deliver(address, job_bytes(job, device))
        except PrinterUnavailable as error:
            status = error.status
            self.failed(db, job, str(error))
        except ValidationError as error:  # a bad URI or profile saved by hand: fix the device
            self.failed(db, job, error.message)
        else:
            queue.mark_printed(db, job["id"], self.clock())
        changed = status and queue.record_printer_status(db, device["id"], status, self.clock())
        if changed:
            self.on_device_change(changed)

    def failed(self, db: sqlite_utils.Database, job: dict, message: str) -> None:
        queue.mark_attempt_failed(db, job["id"], message, self.clock(), self.policy)
        log.warning("print job %s: %s", job["id"], message)
