"""The print queue inside the app: queue a ticket's print after its commit, hand the job to the
worker or to the kiosk's print agent, and announce printer status as `device` events."""

from __future__ import annotations

import base64

from flask import Flask, current_app, request

from kiosk.printing import queue
from kiosk.printing.tickets import ticket_snapshot
from kiosk.printing.worker import PrintWorker, job_bytes, retry_policy
from server.db import get_db, get_reads
from server.domain.errors import ValidationError
from server.realtime import socketio
from server.realtime.rooms import branch_room

WORKER = "sira_print_worker"


def printer_room(device_id: int) -> str:
    """The room a kiosk's print agent joins to receive that kiosk's jobs."""
    return f"printer:{device_id}"


def public_base_url() -> str:
    return current_app.config.get("SIRA_PUBLIC_URL") or request.host_url


def publish_device(change: dict) -> None:
    """A printer's status changed (already committed): tell the branch's staff pages."""
    socketio.emit(
        "device",
        {"seq": change["seq"], "device": change["device"]},
        to=branch_room(change["branch_id"]),
    )


def start_print_worker(app: Flask) -> PrintWorker:
    """Started by `sira serve`, never inside a request."""
    worker = PrintWorker(app, publish_device).start()
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
    """Queue the ticket's print on the kiosk's printer (after the ticket's commit)."""
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
                f"Ticket {ticket['code']} was never printed: name the kiosk to print on.",
                "device_id",
            )
        asked = earlier["device_id"]
    device = queue.kiosk_printer(db, asked)
    if device is None or device["branch_id"] != ticket["branch_id"]:
        raise ValidationError(f"Kiosk {asked} has no printer in this branch.", "device_id")
    return asked
