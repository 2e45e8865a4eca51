"""Counters and calling the next customer."""

from __future__ import annotations

from flask import jsonify

from server.api import bp
from server.api.branches import branch_in_scope
from server.api.helpers import require
from server.auth.principal import current_principal
from server.db import get_engine, get_reads


@bp.get("/counters")
@require("staff")
def counters():
    return jsonify(get_reads().counters(branch_in_scope()))


@bp.get("/counters/<int:counter_id>")
@require("staff")
def counter_state(counter_id: int):
    return jsonify(get_reads().counter_state(counter_id))


@bp.post("/counters/<int:counter_id>/undo")
@require("staff")
def undo(counter_id: int):
    """Take back this counter's finish or no-show of a moment ago; 200 the ticket, in hand again."""
    change = get_engine().undo_last(counter_id, current_principal().user_id)
    return jsonify(change.ticket)


@bp.post("/counters/<int:counter_id>/call-next")
@require("staff")
def call_next(counter_id: int):
    change = get_engine().call_next(counter_id, current_principal().user_id)
    if change is None:
        return "", 204
    return jsonify(change.ticket)
