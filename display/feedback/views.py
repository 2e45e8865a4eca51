"""The rating pages: thin views over the engine's reads and the ratings module."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template

from display.feedback import bp
from server.db import get_db, get_reads
from server.domain.ratings import phone_window_open
from server.domain.tickets import Status
from server.engine.clock import parse
from server.stats.ratings import rating


@bp.get("/feedback")
def screen():
    """The paired screen learns its counter from its device token (#token=…, then a cookie)."""
    return render_template("feedback/screen.html")


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
    return render_template(
        "feedback/rate.html", ticket=reads.public_ticket(token), token=token, state=state
    )
