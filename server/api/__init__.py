"""The JSON API under /api/v1, as DESIGN.md's table gives it."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from server.api import (  # noqa: E402, F401
    account,
    admin,
    branches,
    counters,
    desk,
    join,
    joining_rules,
    staffing,
    stats,
    tickets,
)
