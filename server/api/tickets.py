"""Issuing tickets, moving them between states, and the customer's own view and rating."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify, request

from server.api import bp
from server.api.helpers import json_body, require
from server.auth.principal import current_principal
from server.db import get_db, get_engine, get_reads
from server.domain.errors import NotAllowed
from server.stats import ratings


@bp.post("/tickets")
@require("kiosk", "staff")
def issue_ticket():
    body = json_body()
    principal = current_principal()
    change = get_engine().issue_ticket(
        body.get("service_id"),
        language=body.get("language"),
        priority=body.get("priority"),
        customer_name=body.get("customer_name"),
        idempotency_key=request.headers.get("Idempotency-Key"),
        branch_id=principal.branch_id,
        user_id=principal.user_id,
        device_id=principal.device_id,
    )
    # The kiosk's print job, if it has a printer, committed with the ticket (kiosk/printing).
    return jsonify({**change.ticket, "print_job": change.attachments.get("print_job")}), 201


@bp.get("/tickets/<token>")
def public_ticket(token: str):
    return jsonify(get_reads().public_ticket(token))


@bp.post("/tickets/<int:ticket_id>/<any(recall, start, finish, 'no-show', park, cancel):move>")
@require("staff")
def move_ticket(ticket_id: int, move: str):
    """The counter moves that take no input; the URL verb names the engine method."""
    change = getattr(get_engine(), move.replace("-", "_"))(ticket_id, current_principal().user_id)
    return jsonify(change.ticket)


@bp.post("/tickets/<int:ticket_id>/transfer")
@require("staff")
def transfer(ticket_id: int):
    body = json_body()
    change = get_engine().transfer(
        ticket_id, body.get("service_id"), body.get("note"), current_principal().user_id
    )
    return jsonify(change.ticket)


@bp.post("/tickets/<token>/rating")
def rate(token: str):
    """The customer's rating; a paired feedback screen rates for its own counter only."""
    body = json_body()
    principal = current_principal()
    if principal.kind == "device" and principal.role != "feedback":
        raise NotAllowed("Only customers and feedback screens rate a service.")
    on_screen = principal.kind == "device" and principal.role == "feedback"
    change = get_engine().rate(
        token,
        body.get("score"),
        body.get("comment"),
        "feedback" if on_screen else "phone",
        body.get("reasons"),
        counter_id=principal.counter_id if on_screen else None,
        phone_window=timedelta(hours=current_app.config["SIRA_RATING_WINDOW_H"]),
    )
    return jsonify(ratings.rating(get_db(), change.ticket["id"])), 201
