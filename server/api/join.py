"""Joining the queue from a phone, and the holder's own moves: more time, leave.

Public: a phone needs no account. It is recognised by a signed cookie (one active remote
ticket per phone and branch); the rate limit per address is in server/security.py.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify, request
from flask_babel import get_locale

from display.join.texts import in_language
from display.join.views import join_info
from server.api import bp
from server.api.helpers import json_body
from server.auth.phone import phone_id, remember_phone
from server.db import get_engine, get_reads
from server.domain.remote_joining import JoinRefused, MoveRefused
from server.domain.validation import LANGUAGES
from server.engine import Change
from server.engine.reads import public_view


def customer_language(asked: object) -> str:
    return asked if asked in LANGUAGES else str(get_locale() or "en")


@bp.get("/join/<slug>")
def join_page_data(slug: str):
    return jsonify(join_info(slug))


@bp.post("/join/<slug>")
def join_queue(slug: str):
    body = json_body()
    phone = phone_id()
    try:
        change = get_engine().join(
            slug,
            body.get("service_id"),
            phone_id=phone,
            language=body.get("language"),
            priority=body.get("priority"),
            customer_name=body.get("customer_name"),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except (JoinRefused, MoveRefused) as refusal:
        raise in_language(refusal, customer_language(body.get("language"))) from None
    return remember_phone(jsonify(change.ticket), phone), 201


@bp.post("/tickets/<token>/more-time")
def more_time(token: str):
    """The ticket's holder (who has its link) steps back a few places in the queue."""
    return holder_move(token, get_engine().more_time)


@bp.post("/tickets/<token>/on-my-way")
def on_my_way(token: str):
    """The ticket's holder answers "Are you on your way?" with yes; the counter sees it."""
    return holder_move(token, get_engine().on_my_way)


@bp.post("/tickets/<token>/leave")
def leave(token: str):
    """The ticket's holder leaves the queue."""
    return holder_move(token, get_engine().leave)


def holder_move(token: str, move: Callable[[str], Change | None]):
    """Run the holder's move in their language (the subscribers publish what changed)."""
    try:
        change = move(token)
    except MoveRefused as refusal:
        language = request.args.get("lang") or get_reads().ticket_row_by_token(token)["language"]
        raise in_language(refusal, customer_language(language)) from None
    if change is None:
        return jsonify(get_reads().public_ticket(token))
    return jsonify(public_view(change.ticket))
