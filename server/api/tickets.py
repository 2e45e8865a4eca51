"""Issuing tickets, moving them between states, and the customer's own view and rating."""

from __future__ import annotations

from flask import jsonify, request

from server.api import bp
from server.api.helpers import json_body, require
from server.auth.principal import current_principal
from server.db import get_engine, get_reads
from server.domain.errors import NotAllowed
from server.realtime.publish import publish


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
    publish(change)
    return jsonify(change.ticket), 201


@bp.get("/tickets/<token>")
def public_ticket(token: str):
    return jsonify(get_reads().public_ticket(token))


@bp.post("/tickets/<int:ticket_id>/<any(recall, start, finish, 'no-show', park, cancel):move>")
@require("staff")
def move_ticket(ticket_id: int, move: str):
    """The counter moves that take no input; the URL verb names the engine method."""
    change = getattr(get_engine(), move.replace("-", "_"))(ticket_id, current_principal().user_id)
    publish(change)
    return jsonify(change.ticket)


@bp.post("/tickets/<int:ticket_id>/transfer")
@require("staff")
def transfer(ticket_id: int):
    body = json_body()
    change = get_engine().transfer(
        ticket_id, body.get("service_id"), body.get("note"), current_principal().user_id
    )
    publish(change)
    return jsonify(change.ticket)


@bp.post("/tickets/<token>/rating")
def rate(token: str):
    body = json_body()
    principal = current_principal()
    if principal.kind == "device" and principal.role != "feedback":
        raise NotAllowed("Only customers and feedback screens rate a service.")
    if principal.role == "feedback" and (
        get_reads().ticket_row_by_token(token)["counter_id"] != principal.counter_id
    ):
        raise NotAllowed("This feedback screen rates its own counter's customers only.", "token")
    channel = "feedback" if principal.role == "feedback" else "phone"
    change = get_engine().rate(token, body.get("score"), body.get("comment"), channel)
    publish(change)
    return jsonify(ticket_id=change.ticket["id"], score=body.get("score")), 201
