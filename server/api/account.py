"""Staff sign-in for the API (and the pages, which share the session)."""

from __future__ import annotations

from flask import jsonify, request
from flask_wtf.csrf import generate_csrf

from server.api import bp
from server.api.helpers import json_body, require
from server.api.staffing import leave_counters
from server.auth import User, end_session, start_session
from server.auth.accounts import sign_in
from server.auth.principal import DEVICE_COOKIE, current_principal, principal_for_token
from server.db import get_db
from server.domain.errors import NotAuthenticated
from server.security import slow_down_guessing


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
    }


@bp.post("/auth/login")
def login():
    body = json_body()
    slow_down_guessing(get_db(), body.get("username"))
    row = sign_in(get_db(), body.get("username"), body.get("password"), request.remote_addr)
    if row is None:
        raise NotAuthenticated("Wrong username or password.", "password")
    user = start_session(row)
    return jsonify(user=user_json(user), csrf_token=generate_csrf())


@bp.get("/auth/csrf")
def csrf_token():
    """The token a session-authenticated client sends back as X-CSRFToken on writes."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/auth/logout")
def logout():
    leave_counters(current_principal().user_id)
    end_session()
    return jsonify(ok=True)


@bp.post("/device/session")
def device_session():
    """A device's browser trades its token for an HttpOnly cookie, so page scripts never hold it."""
    body = json_body()
    token = body.get("token")
    principal = principal_for_token(token if isinstance(token, str) else None)
    if principal.kind != "device":
        raise NotAuthenticated("Unknown or revoked device token.", "token")
    response = jsonify(
        kind=principal.role,
        device_id=principal.device_id,
        branch_id=principal.branch_id,
        counter_id=principal.counter_id,
    )
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=10 * 365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.get("/auth/me")
@require("staff", "kiosk", "display", "feedback")
def me():
    principal = current_principal()
    return jsonify(
        kind=principal.kind,
        role=principal.role,
        user_id=principal.user_id,
        device_id=principal.device_id,
        branch_id=principal.branch_id,
        counter_id=principal.counter_id,
    )
