"""The rating pages: thin views over the engine's reads and the ratings module."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from display.feedback import bp
from display.language import customer_language
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
    reads = get_reads()
    ticket = reads.ticket_row_by_token(token)
    window = timedelta(hours=current_app.config["SIRA_RATING_WINDOW_H"])
    if ticket["status"] != Status.DONE:
        state = "not_served"
    elif rating(get_db(), ticket["id"]) is not None:
        state = "rated"
    elif not phone_window_open(parse(ticket["finished_at"]), reads.clock(), window):
        state = "closed"
    else:
        state = "open"
    with force_locale(customer_language(ticket["language"])):
        return render_template(
            "feedback/rate.html", ticket=reads.public_ticket(token), token=token, state=state
        )
