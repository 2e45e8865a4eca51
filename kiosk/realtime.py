"""Socket.IO for the kiosk print agent: it joins its kiosk's printer room, receives jobs,
acknowledges each one, and reports what its printer says."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_socketio import join_room

from kiosk.printing import queue
from kiosk.printing.dispatch import agent_job, printer_room, publish_device
from kiosk.printing.worker import retry_policy
from server.db import get_db
from server.domain.errors import DomainError, NotAllowed, ValidationError
from server.domain.validation import integer
from server.realtime import socketio
from server.realtime.branch_events import branch_events
from server.realtime.handlers import connection_principal


def refusal(error: DomainError) -> dict:
    return {
        "ok": False,
        "error": {"code": error.code, "message": error.message, "field": error.field},
    }


def agent_device() -> dict:
    """The kiosk this connection's token belongs to, if its printer is run by an agent."""
    principal = connection_principal()
    if principal.kind != "device" or principal.role != "kiosk":
        raise NotAllowed("Only a kiosk's own token may run its print agent.")
    device = queue.kiosk_printer(get_db(), principal.device_id)
    if device is None or device["printer_uri"] != "agent":
        raise ValidationError("This kiosk's printer is not set to 'agent'.", "printer_uri")
    return device


def now():
    return current_app.config["SIRA_CLOCK"]()


@socketio.on("print_agent")
def print_agent(_data: Any = None) -> dict:
    """Join the kiosk's printer room; the acknowledgement carries every job not yet printed."""
    try:
        device = agent_device()
    except DomainError as error:
        return refusal(error)
    join_room(printer_room(device["id"]))
    last_start = retry_policy(current_app.config).last_start(now())
    pending = queue.pending_for_device(get_db(), device["id"], last_start)
    jobs = [agent_job(job, device) for job in pending]
    return {"ok": True, "device_id": device["id"], "jobs": jobs}


@socketio.on("print_ack")
def print_ack(data: Any) -> dict:
    """The agent printed a job (or could not); printing twice is prevented on the agent's side,
    acknowledging twice is harmless here."""
    try:
        device = agent_device()
        body = data if isinstance(data, dict) else {}
        job = queue.get_job(get_db(), integer(body.get("job_id"), "job_id"))
        if job["device_id"] != device["id"]:
            raise NotAllowed("This print job belongs to another kiosk.", "job_id")
        if body.get("ok") is True:
            queue.mark_printed(get_db(), job["id"], now())
        else:
            error = str(body.get("error") or "the agent could not print")
            policy = retry_policy(current_app.config)
            queue.agent_attempt_failed(get_db(), job["id"], error, now(), policy)
        report_status(device["id"], body.get("printer_status"))
    except DomainError as error:
        return refusal(error)
    return {"ok": True, "job": queue.job_view(queue.get_job(get_db(), job["id"]))}


@socketio.on("printer_status")
def printer_status(data: Any) -> dict:
    """The agent's printer reported online, paper_low, paper_out or offline."""
    try:
        device = agent_device()
        report_status(device["id"], (data or {}).get("status") if isinstance(data, dict) else None)
    except DomainError as error:
        return refusal(error)
    return {"ok": True}


def report_status(device_id: int, status: Any) -> None:
    if status is None:
        return
    changed = queue.record_printer_status(get_db(), device_id, status, now())
    if changed:
        publish_device(branch_events(), changed)
