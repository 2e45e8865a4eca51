"""The customer's pages (ticket, rating) speak the language chosen at the kiosk."""

from __future__ import annotations

from flask import request, session
from flask_babel import get_locale


def customer_language(ticket: dict) -> str:
    """The ticket's language, unless this phone has asked for another (?lang=, remembered)."""
    chosen = "lang" in request.args or "lang" in session
    return str(get_locale()) if chosen else ticket["language"]
