"""The rating pages: thin views over the engine's reads and the ratings module."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from display.customer import ticket_page
from display.feedback import bp
from server.db import get_db, get_reads
from server.domain.ratings import phone_window_open
from server.domain.tickets import Status
from server.domain.validation import LANGUAGES
from server.engine.clock import parse
from server.stats.ratings import rating


@bp.get("/feedback")
def screen():
    """The paired screen learns its counter from its device token (#token=…, then a cookie).

    Its steps come in every language, so it can greet and ask each customer in the language
    they chose at the kiosk; the page's own language is for the idle screen.
    """
    packs = []
    for code in LANGUAGES:
        with force_locale(code):
            packs.append((code, Markup(render_template("feedback/_steps.html"))))
    return render_template("feedback/screen.html", packs=packs)


@bp.get("/t/<token>/rate")
def rate(token: str):
    """The phone's rating page: the form, or why the visit cannot be rated (any more)."""
    return ticket_page(
        token, "feedback/rate.html", lambda ticket: {"token": token, "state": rating_state(ticket)}
    )


def rating_state(ticket: dict) -> str:
    """Whether the phone may rate: open, or why not (not served, already rated, too late)."""
    reads = get_reads()
    window = timedelta(hours=current_app.config["SIRA_RATING_WINDOW_H"])
    if ticket["status"] != Status.DONE:
        return "not_served"
    if rating(get_db(), ticket["id"]) is not None:
        return "rated"
    if not phone_window_open(parse(ticket["finished_at"]), reads.clock(), window):
        return "closed"
    return "open"
