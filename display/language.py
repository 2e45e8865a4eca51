"""The language a customer's own pages (phone page, rating page) speak."""

from __future__ import annotations

from flask import request, session
from flask_babel import get_locale


def customer_language(ticket_language: str) -> str:
    """The language chosen at the kiosk, unless this phone has asked for another (?lang=)."""
    chosen = "lang" in request.args or "lang" in session
    return str(get_locale()) if chosen else ticket_language
