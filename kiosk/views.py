"""The kiosk page and the QR code of a ticket's phone page."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Response, render_template
from flask_babel import force_locale, gettext

from kiosk import bp
from server.db import get_reads
from server.domain.validation import LANGUAGES
from server.public_url import public_base_url

# Each language named in itself, for the language buttons.
LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe", "ms": "Bahasa Melayu"}


def page_strings() -> dict[str, dict[str, str]]:
    """Every text the kiosk shows, in every language, so switching needs no reload."""
    strings = {}
    for language in LANGUAGES:
        with force_locale(language):
            strings[language] = {
                "choose_service": gettext("Please choose a service"),
                "waiting": gettext("%(count)s waiting", count="{count}"),
                "eta": gettext("about %(minutes)s min", minutes="{minutes}"),
                "eta_range": gettext("%(low)s–%(high)s min", low="{low}", high="{high}"),
                "eta_closed": gettext("waiting for a counter to open"),
                "no_wait": gettext("no wait"),
                "no_services": gettext(
                    "No service is open right now. Please ask a member of staff."
                ),
                "priority_question": gettext("Do you need priority?"),
                "priority_none": gettext("No"),
                "elderly": gettext("Elderly"),
                "disability": gettext("Disability"),
                "pregnancy": gettext("Pregnancy"),
                "name_label": gettext("Your first name (optional)"),
                "name_hint": gettext("So we can greet you at the counter. Never shown on screens."),
                "skip_name": gettext("Skip"),
                "get_ticket": gettext("Get my ticket"),
                "back": gettext("Back"),
                "priority_stated": gettext("Priority: %(need)s", need="{need}"),
                "offline_title": gettext("Please wait, we will be right back"),
                "issuing": gettext("One moment, your ticket is coming…"),
                "your_number": gettext("Your number"),
                "people_ahead": gettext("People ahead of you"),
                "estimated_wait": gettext("Estimated wait"),
                "you_are_next": gettext("You are next"),
                "printing": gettext("Your ticket is printing…"),
                "printed": gettext("Please take your printed ticket."),
                "print_failed": gettext(
                    "The ticket could not be printed: please photograph or scan this code."
                ),
                "no_printer": gettext("Please photograph or scan this code to keep your number."),
                "scan": gettext("Scan to follow your turn on your phone"),
                "skip_kiosk": gettext(
                    "Skip the kiosk next time: scan this code to join the queue from your phone."
                ),
                "done": gettext("Done"),
                "offline": gettext("This kiosk cannot reach the server right now. Trying again…"),
                "retry": gettext("Try again"),
                "refused": gettext(
                    "Sorry, no ticket could be issued: %(reason)s", reason="{reason}"
                ),
                "printer_down": gettext(
                    "The ticket printer is not working right now: your number will be shown"
                    " on screen."
                ),
                "not_paired": gettext(
                    "This kiosk is not paired yet. Please ask a member of staff."
                ),
            }
    return strings


@bp.get("")
def kiosk_page():
    """The touchscreen page; it pairs itself from #token=… and loads its setup from the API."""
    return render_template(
        "kiosk/kiosk.html", strings=page_strings(), language_names=LANGUAGE_NAMES
    )


@bp.get("/qr/<token>.svg")
def ticket_qr(token: str):
    """The QR code of the ticket's phone page, drawn on the server (no script, no CDN)."""
    get_reads().ticket_row_by_token(token)
    code = qrcode.make(
        f"{public_base_url().rstrip('/')}/t/{token}",
        image_factory=qrcode.image.svg.SvgPathImage,
        border=2,
    )
    out = io.BytesIO()
    code.save(out)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
