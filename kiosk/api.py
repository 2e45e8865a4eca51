"""Kiosk and printing endpoints under /api/v1, beside the core API."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from display.join.views import join_url
from kiosk.printing import queue
from kiosk.printing.dispatch import print_ticket, reprint_device
from server.api.branches import branch_in_scope
from server.api.helpers import json_body, require
from server.auth.principal import current_principal
from server.db import get_db, get_reads
from server.domain.errors import NotAllowed
from server.domain.tickets import PRIORITY_NEEDS
from server.domain.validation import integer

api = Blueprint("kiosk_api", __name__, url_prefix="/api/v1")


@api.get("/kiosk")
@require("kiosk")
def kiosk_setup():
    """What the kiosk page draws: its branch, languages (default first) and services."""
    principal = current_principal()
    reads = get_reads()
    branch = reads.branch(principal.branch_id)
    device = reads.row(
        "SELECT id, name, printer_uri, printer_status FROM devices WHERE id = ?",
        [principal.device_id],
    )
    allowed = {
        row["id"]: bool(row["priority_allowed"])
        for row in reads.rows(
            "SELECT id, priority_allowed FROM services WHERE branch_id = ?", [branch["id"]]
        )
    }
    languages = [branch["default_language"]] + [
        code for code in branch["languages"] if code != branch["default_language"]
    ]
    return jsonify(
        device={
            "id": device["id"],
            "name": device["name"],
            "has_printer": bool(device["printer_uri"]),
            "printer_status": device["printer_status"],
        },
        branch={
            "id": branch["id"],
            "name": branch["name"],
            "languages": languages,
            "default_language": branch["default_language"],
            "priority_enabled": bool(branch["priority_enabled"]),
        },
        services=[
            {**service, "priority_allowed": allowed[service["id"]]}
            for service in reads.services(branch["id"])
        ],
        priority_needs=list(PRIORITY_NEEDS),
        # After this long an unprinted ticket never prints: the kiosk says so only then.
        print_give_up_s=current_app.config["SIRA_PRINT_GIVE_UP_S"],
        seq=branch["seq"],
        # The join poster's QR code, shown while the branch lets phones join.
        join=(
            {"url": join_url(branch["slug"]), "qr": f"/join/{branch['slug']}/qr.svg"}
            if branch["remote_joining"]
            else None
        ),
    )


@api.get("/print-jobs/<int:job_id>")
@require("kiosk", "staff")
def print_job(job_id: int):
    """Whether a ticket came out: the kiosk that asked for it, and staff, may look."""
    job = queue.get_job(get_db(), job_id)
    principal = current_principal()
    if principal.kind == "device" and principal.device_id != job["device_id"]:
        raise NotAllowed("This print job belongs to another kiosk.", "job_id")
    return jsonify(queue.job_view(job))


@api.post("/tickets/<int:ticket_id>/reprint")
@require("staff")
def reprint(ticket_id: int):
    """Print a ticket again, on the kiosk that printed it or the one named in `device_id`."""
    body = json_body()
    asked = body.get("device_id")
    ticket = get_reads().ticket(ticket_id)
    device_id = reprint_device(ticket, None if asked is None else integer(asked, "device_id"))
    job = print_ticket(ticket, device_id, "reprint", current_principal().user_id)
    return jsonify(job), 201


@api.get("/printers")
@require("staff")
def printers():
    """The branch's kiosk printers, their last status and their waiting and failed jobs."""
    return jsonify(queue.printers(get_db(), branch_in_scope()))
