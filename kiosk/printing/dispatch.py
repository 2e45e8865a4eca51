"""The print queue inside the app: a kiosk's ticket gets its print job in the ticket's own
transaction, the job goes to the worker or to the kiosk's print agent after the commit, and
printer status is announced as `device` events."""

from __future__ import annotations

import base64
from functools import partial
from typing import Any

import sqlite_utils
from flask import Flask, current_app, request

from kiosk.printing import queue
from kiosk.printing.tickets import ticket_snapshot
from kiosk.printing.worker import PrintWorker, job_bytes, retry_policy
from server.auth.principal import current_principal
from server.db import get_db, get_reads
from server.domain.errors import ValidationError
from server.domain.events import TicketChanged
from server.engine import Change, QueueReads
from server.engine.subscribers import Subscriber
from server.public_url import base_url, public_base_url
from server.realtime import socketio
from server.realtime.branch_events import BranchEvents, branch_events

WORKER = "sira_print_worker"


def printer_room(device_id: int) -> str:
    """The room a kiosk's print agent joins to receive that kiosk's jobs."""
    return f"printer:{device_id}"


def publish_device(events: BranchEvents, change: dict) -> None:
    """A printer's status changed (already committed): tell the branch's staff pages."""
    events.emit(change["branch_id"], "device", {"seq": change["seq"], "device": change["device"]})


def start_print_worker(app: Flask) -> PrintWorker:
    """Started by `sira serve`, never inside a request."""
    worker = PrintWorker(app, partial(publish_device, branch_events(app))).start()
    app.extensions[WORKER] = worker
    return worker


def agent_job(job: dict, device: dict) -> dict:
    """What an agent receives: the job id, the bytes to print (base64), and how many seconds
    it may still start printing them (after that the kiosk has said "not printed")."""
    policy = retry_policy(current_app.config)
    now = current_app.config["SIRA_CLOCK"]()
    return {
        "id": job["id"],
        "ticket_id": job["ticket_id"],
        "data": base64.b64encode(job_bytes(job, device)).decode("ascii"),
        "start_within_s": policy.start_within(job["created_at"], now),
    }


def hand_over(job_id: int, device: dict) -> None:
    """Wake this process's worker, or push the job to the kiosk's agent."""
    if device["printer_uri"] == "agent":
        job = queue.get_job(get_db(), job_id)
        socketio.emit("print_job", agent_job(job, device), to=printer_room(device["id"]))
        return
    worker = current_app.extensions.get(WORKER)
    if worker:
        worker.wake()


def print_ticket(
    ticket: dict, device_id: int, kind: str = "ticket", user_id: int | None = None
) -> dict | None:
    """Queue a print of a committed ticket on a kiosk's printer (a reprint)."""
    db = get_db()
    device = queue.kiosk_printer(db, device_id)
    if device is None:
        return None
    snapshot = ticket_snapshot(get_reads(), ticket, public_base_url())
    clock = current_app.config["SIRA_CLOCK"]
    job = queue.queue_job(db, ticket["id"], device_id, snapshot, clock(), kind, user_id)
    if job["status"] == "queued" and job["attempts"] == 0:
        hand_over(job["id"], device)
    return job


class TicketPrinting(Subscriber):
    """A ticket issued by a kiosk with a printer: its print job is written with the ticket (a
    crash cannot leave one without the other), and handed over once both are committed."""

    def context(self) -> dict | None:
        device_id = current_principal().device_id
        if device_id is None:
            return None
        return {
            "device_id": device_id,
            "public_url": current_app.config.get("SIRA_PUBLIC_URL"),
            "request": request._get_current_object(),  # its host, if the kiosk prints
            "clock": current_app.config["SIRA_CLOCK"],
        }

    def in_transaction(self, db: sqlite_utils.Database, change: Change, context: Any) -> None:
        issued = change.replayed or any(
            isinstance(event, TicketChanged) and event.kind == "issued" for event in change.events
        )
        if context is None or change.ticket is None or not issued:
            return
        device = queue.kiosk_printer(db, context["device_id"])
        if device is None:
            return
        clock = context["clock"]
        address = base_url(context["public_url"], context["request"])
        snapshot = ticket_snapshot(QueueReads(db, clock), change.ticket, address)
        job = queue.queue_job(db, change.ticket["id"], device["id"], snapshot, clock())
        change.attachments["print_job"] = job
        context["device"] = device

    def committed(self, change: Change, context: Any) -> None:
        job = change.attachments.get("print_job")
        if job and job["status"] == "queued" and job["attempts"] == 0:
            hand_over(job["id"], context["device"])


def reprint_device(ticket: dict, asked: int | None) -> int:
    """The kiosk to reprint on: the one asked for, else the one that printed the ticket."""
    db = get_db()
    if asked is None:
        earlier = db.execute(
            "SELECT device_id FROM print_jobs WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
            [ticket["id"]],
        ).fetchone()
        if earlier is None:
            raise ValidationError(
                "Ticket %(code)s was never printed: name the kiosk to print on.",
                "device_id",
                code=ticket["code"],
            )
        asked = earlier["device_id"]
    device = queue.kiosk_printer(db, asked)
    if device is None or device["branch_id"] != ticket["branch_id"]:
        raise ValidationError("Kiosk %(id)s has no printer in this branch.", "device_id", id=asked)
    return asked
