"""The counter workstation's extra moves: calling a chosen ticket, pausing, and its own day."""

from __future__ import annotations

from flask import jsonify

from server.api import bp
from server.api.helpers import json_body, require
from server.auth.principal import current_principal
from server.db import get_engine, get_reads


@bp.post("/counters/<int:counter_id>/call/<int:ticket_id>")
@require("staff")
def call_ticket(counter_id: int, ticket_id: int):
    """Call this ticket now, out of turn (a customer who must go first, a returning one)."""
    change = get_engine().call_ticket(ticket_id, counter_id, current_principal().user_id)
    return jsonify(change.ticket)


@bp.post("/counters/<int:counter_id>/pause")
@require("staff")
def pause(counter_id: int):
    body = json_body()
    get_engine().pause(
        counter_id, body.get("reason"), current_principal().user_id, note=body.get("note")
    )
    return jsonify(get_reads().counter_summary(counter_id))


@bp.post("/counters/<int:counter_id>/resume")
@require("staff")
def resume(counter_id: int):
    get_engine().resume(counter_id, current_principal().user_id)
    return jsonify(get_reads().counter_summary(counter_id))


@bp.get("/counters/<int:counter_id>/today")
@require("staff")
def today(counter_id: int):
    """The signed-in staff member's day so far in this counter's branch."""
    reads = get_reads()
    branch_id = reads.counter(counter_id)["branch_id"]
    return jsonify(reads.staff_today(current_principal().user_id, branch_id))
