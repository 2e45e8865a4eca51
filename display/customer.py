"""The customer's pages (ticket, rating) speak the language chosen at the kiosk."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, request, session
from flask_babel import force_locale, get_locale

from server.db import get_reads
from server.domain.errors import NotFound
from server.domain.names import service_name


def customer_language(ticket: dict) -> str:
    """The ticket's language, unless this phone has asked for another (?lang=, remembered)."""
    chosen = "lang" in request.args or "lang" in session
    return str(get_locale()) if chosen else ticket["language"]


def ticket_page(token: str, template: str, details: Callable[[dict], dict]):
    """A page about one ticket in its holder's language: the public ticket, its service's name
    and the page's own `details(ticket row)`; the missing-ticket page (404) for a wrong token."""
    reads = get_reads()
    try:
        row = reads.ticket_row_by_token(token)
    except NotFound:
        return render_template("display/ticket_missing.html"), 404
    language = customer_language(row)
    with force_locale(language):
        return render_template(
            template,
            ticket=reads.public_ticket(token),
            service_name=service_name(reads.service(row["service_id"]), language),
            **details(row),
        )
