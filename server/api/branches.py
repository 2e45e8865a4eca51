"""Services and the live branch snapshot."""

from __future__ import annotations

from flask import jsonify, request

from server.api import bp
from server.api.helpers import require
from server.auth.principal import current_principal
from server.db import get_reads
from server.domain.errors import NotAllowed
from server.domain.validation import integer


def branch_in_scope() -> int:
    """A device's own branch; otherwise ?branch_id=, or the first branch of a single store."""
    principal = current_principal()
    if principal.branch_id is not None:
        return principal.branch_id
    asked = request.args.get("branch_id")
    return integer(asked, "branch_id") if asked else get_reads().default_branch_id()


@bp.get("/services")
def services():
    return jsonify(get_reads().services(branch_in_scope()))


@bp.get("/branches/<int:branch_id>/snapshot")
@require("staff", "display", "kiosk", "feedback")
def snapshot(branch_id: int):
    principal = current_principal()
    if principal.branch_id is not None and principal.branch_id != branch_id:
        raise NotAllowed("This device belongs to another branch.")
    return jsonify(get_reads().branch_state(branch_id))
