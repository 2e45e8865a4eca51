"""A phone that joins the queue remotely is known by a signed cookie, never by its address:
a family behind one shop Wi-Fi are several phones, and one phone on two networks is one."""

from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

PHONE_COOKIE = "sira_phone"
PHONE_COOKIE_AGE = 365 * 24 * 3600


def signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="sira-phone")


def phone_id() -> str:
    """This phone's id from its cookie; a new one when it has none (or a forged one)."""
    try:
        found = signer().loads(request.cookies.get(PHONE_COOKIE, ""))
    except BadSignature:
        found = None
    return found if isinstance(found, str) and found else secrets.token_urlsafe(16)


def remember_phone(response: Response, phone: str) -> Response:
    """Keep (or refresh) the phone's signed id; HttpOnly, so page scripts never see it."""
    response.set_cookie(
        PHONE_COOKIE,
        signer().dumps(phone),
        max_age=PHONE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
