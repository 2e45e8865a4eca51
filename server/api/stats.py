"""Queue statistics for managers."""

from __future__ import annotations

from flask import jsonify, request

from server.api import bp
from server.api.branches import branch_in_scope
from server.api.helpers import require
from server.db import get_db
from server.stats import StatsFilter, compute_stats


@bp.get("/stats")
@require("manager")
def stats():
    query = StatsFilter.from_args(request.args, branch_in_scope())
    return jsonify(compute_stats(get_db(), query))
