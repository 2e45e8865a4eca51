"""The board's page and its catch-up state, and the phone page a ticket's QR code opens."""

from __future__ import annotations

import json

from flask import jsonify, render_template, request
from flask_babel import force_locale, gettext

from display.announce import announcements
from display.board import bp
from display.customer import ticket_page
from display.wait_words import wait_labels
from server.api.branches import branch_in_scope
from server.api.helpers import require
from server.auth.principal import current_principal
from server.db import get_reads
from server.domain.remote_joining import MORE_TIME_LIMIT, ON_YOUR_WAY_POSITION
from server.domain.validation import LANGUAGES
from server.engine.clock import iso


@bp.get("/display")
def board():
    """A shell: the paired display's branch is known only once its token became a cookie.
    Its labels come in every language: a board takes turns through its languages unless
    ?lang= pins one."""
    labels = {}
    for code in LANGUAGES:
        with force_locale(code):
            labels[code] = board_labels()
    return render_template("display/board.html", labels=labels, pinned="lang" in request.args)


@bp.get("/api/v1/board")
@require("display", "staff")
def board_state():
    """What a board draws from after (re)connecting: the branch, its queues, recent calls with
    the sentences to announce them, the ticker, and the server's clock. No customer names.
    Calls withdrawn since (parked, transferred, no-show, cancelled) are left out: nobody
    should go to a counter that no longer expects them."""
    reads = get_reads()
    branch_id = branch_in_scope()
    branch = reads.branch(branch_id)
    return jsonify(
        seq=branch["seq"],
        now=iso(reads.clock()),
        branch={
            "id": branch["id"],
            "name": branch["name"],
            "timezone": branch["timezone"],
            "languages": branch["languages"],
        },
        ticker=branch["ticker_message"],
        board=board_settings(),
        services=reads.services(branch_id),
        recent_calls=[
            {
                **call,
                "recall": call["kind"] == "recalled",
                "announcements": announcements(
                    call["code"], call["counter_name"], branch["languages"], call["counter_names"]
                ),
            }
            for call in reads.recent_calls(branch_id)
            if not call["withdrawn"]
        ],
    )


@bp.get("/t/<token>")
def phone(token: str):
    """The customer's own page: their ticket, live, and where to go when called."""
    return ticket_page(
        token,
        "display/phone.html",
        lambda row: {
            "branch_name": get_reads().branch(row["branch_id"])["name"],
            "labels": phone_labels(),
            "on_your_way_position": ON_YOUR_WAY_POSITION,
            "more_time_limit": MORE_TIME_LIMIT,
        },
    )


def board_settings() -> dict[str, list]:
    """The paired board's label languages and services, as set by an admin ([]: the branch's
    languages, every service); staff looking at the board get the defaults."""
    principal = current_principal()
    if principal.kind != "device":
        return {"languages": [], "service_ids": []}
    device = get_reads().row(
        "SELECT languages, service_ids FROM devices WHERE id = ?", [principal.device_id]
    )
    return {
        "languages": json.loads(device["languages"]),
        "service_ids": json.loads(device["service_ids"]),
    }


def board_labels() -> dict[str, str]:
    """Words the board's script fills in, in the current language; `{n}` stands for a
    number. The page carries them in every language, for boards that take turns."""
    return {
        "now_calling": gettext("Now calling"),
        "previous_calls": gettext("Previous calls"),
        "waiting_now": gettext("Waiting now"),
        "reconnecting": gettext("Reconnecting…"),
        **wait_labels(),
        "open_counters": gettext("open counters: {n}"),
        "unpaired": gettext(
            "This screen is not paired yet. Open it with the display link from the admin pages."
        ),
    }


def phone_labels() -> dict[str, str]:
    return {
        "waiting": gettext("Please wait, we will call your number."),
        "next": gettext("You are next."),
        "one_ahead": gettext("1 person ahead of you"),
        "ahead": gettext("{n} people ahead of you"),
        "eta": gettext("Estimated wait: about {n} min"),
        "eta_soon": gettext("Estimated wait: less than a minute"),
        "eta_range": gettext("Estimated wait: {lo}–{hi} min"),
        "eta_closed": gettext("Waiting for a counter to open"),
        "called": gettext("Please go to {counter} now"),
        "serving": gettext("You are being served at {counter}"),
        "done": gettext("Thank you for your visit."),
        "no_show": gettext("Your number was called, but we missed you. Please ask at the desk."),
        "cancelled": gettext("This ticket was cancelled."),
        "status_waiting": gettext("Waiting"),
        "status_called": gettext("Called"),
        "status_serving": gettext("Being served"),
        "status_done": gettext("Served"),
        "status_no_show": gettext("Missed"),
        "status_cancelled": gettext("Cancelled"),
        "more_time_done": gettext("Take your time: we moved you back a few places."),
        "left": gettext("You have left the queue. Thank you for letting us know."),
        "leave_confirm": gettext("Leave the queue? Your number will be cancelled."),
        "on_my_way": gettext("Thank you, see you soon."),
        "failed": gettext("Sorry, that did not work. Please try again."),
    }
