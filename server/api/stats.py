"""Queue statistics for managers."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from server.api import bp
from server.api.branches import branch_in_scope
from server.api.helpers import require
from server.db import get_reads, read_off_the_loop
from server.stats import StatsFilter, compute_stats


@bp.get("/stats")
@require("manager")
def stats():
    """KPIs for ?from=&to= (service days, branch-local) and optional service, counter, staff."""
    branch_id = branch_in_scope()
    today = date.fromisoformat(get_reads().today(branch_id))
    query = StatsFilter.from_args(request.args, branch_id, today)
    return jsonify(read_off_the_loop(lambda db: compute_stats(db, query)))
