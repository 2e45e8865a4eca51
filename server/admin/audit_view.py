"""The audit log page: who changed what, and when, newest first."""

from __future__ import annotations

from flask import request

from server import audit
from server.admin import bp
from server.admin.common import form_page, number
from server.auth import accounts
from server.db import get_db


@bp.get("/audit")
def audit_log():
    page = number(request.args.get("page")) or 1
    user_id = number(request.args.get("user_id"))
    entries, more = audit.entries(get_db(), page, user_id)
    return form_page(
        "admin/audit.html",
        entries=entries,
        page=page,
        more=more,
        user_id=user_id,
        users=accounts.users(get_db()),
    )
