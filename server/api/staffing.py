"""Signing in at a counter and out of it: a counter is open only while someone works there.
The writing engine's subscribers publish what changed (server/engine/subscribers.py)."""

from __future__ import annotations

from flask import jsonify

from server.api import bp
from server.api.helpers import require
from server.auth.principal import current_principal
from server.db import get_engine, get_reads
from server.domain.errors import ValidationError
from server.engine.staffing import CLOSED_BY_STAFF


def staff_user_id() -> int:
    """Counters are staffed by people: a token without a user cannot sign in at one."""
    user_id = current_principal().user_id
    if user_id is None:
        raise ValidationError("Only a staff member can work at a counter.", "counter_id")
    return user_id


@bp.post("/counters/<int:counter_id>/open")
@require("staff")
def open_counter(counter_id: int):
    """The signed-in staff member now works at this counter (and at no other)."""
    get_engine().open_counter(counter_id, staff_user_id())
    return jsonify(get_reads().counter_summary(counter_id))


@bp.post("/counters/<int:counter_id>/close")
@require("staff")
def close_counter(counter_id: int):
    get_engine().close_counter(counter_id, staff_user_id(), CLOSED_BY_STAFF)
    return jsonify(get_reads().counter_summary(counter_id))


def leave_counters(user_id: int | None) -> None:
    """On sign-out: every counter the user was at closes (and boards and estimates know)."""
    if user_id is None:
        return
    get_engine().sign_out(user_id)
