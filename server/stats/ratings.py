"""Ratings as managers and customers see them, and the follow-up of low ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlite_utils

from server.domain import validation
from server.domain.errors import NotFound, ValidationError
from server.domain.ratings import LOW_SCORES
from server.engine.clock import iso
from server.stats.kpis import StatsFilter
from server.storage import transaction


def rating(db: sqlite_utils.Database, ticket_id: int) -> dict | None:
    """A ticket's rating, or None when it has none yet."""
    found = db.execute(
        "SELECT ratings.*, tickets.code FROM ratings JOIN tickets ON tickets.id = ratings.ticket_id"
        " WHERE ratings.ticket_id = ?",
        [ticket_id],
    ).fetchone()
    if found is None:
        return None
    return {
        "ticket_id": found["ticket_id"],
        "code": found["code"],
        "score": found["score"],
        "comment": found["comment"],
        "reasons": json.loads(found["reasons"]),
        "channel": found["channel"],
        "created_at": found["created_at"],
    }


def low_ratings(db: sqlite_utils.Database, query: StatsFilter, open_only: bool) -> list[dict]:
    """Scores of 1–2 in the range, newest first, with who served the customer and where."""
    where, params = query.where()
    if open_only:
        where += " AND ratings.followed_up_at IS NULL"
    rows = db.execute(
        "SELECT ratings.ticket_id, ratings.score, ratings.comment, ratings.reasons,"
        " ratings.channel, ratings.created_at, ratings.followed_up_at, ratings.follow_up_note,"
        " tickets.code, tickets.service_day, tickets.finished_at, tickets.service_id,"
        " services.name AS service,"
        " counters.name AS counter, staff.display_name AS staff,"
        " manager.display_name AS followed_up_by"
        " FROM ratings JOIN tickets ON tickets.id = ratings.ticket_id"
        " JOIN services ON services.id = tickets.service_id"
        " LEFT JOIN counters ON counters.id = tickets.counter_id"
        " LEFT JOIN users AS staff ON staff.id = tickets.user_id"
        " LEFT JOIN users AS manager ON manager.id = ratings.followed_up_by"
        f" WHERE {where} AND ratings.score IN ({', '.join(map(str, LOW_SCORES))})"
        " ORDER BY ratings.created_at DESC",
        params,
    ).fetchall()
    return [{**dict(row), "reasons": json.loads(row["reasons"])} for row in rows]


def follow_up(
    db: sqlite_utils.Database,
    ticket_id: int,
    user_id: int,
    note: Any,
    clock: Callable[[], datetime],
) -> None:
    """Mark a low rating as followed up, with what the manager did about it."""
    note = validation.note(note)
    if not note:
        raise ValidationError("Write what was done, so the next manager knows.", "note")
    with transaction(db):
        found = db.execute("SELECT score FROM ratings WHERE ticket_id = ?", [ticket_id]).fetchone()
        if found is None:
            raise NotFound("Ticket %(id)s has no rating.", "ticket_id", id=ticket_id)
        if found["score"] not in LOW_SCORES:
            raise ValidationError("Only low ratings (1–2) are followed up.", "ticket_id")
        db.execute(
            "UPDATE ratings SET followed_up_at = ?, followed_up_by = ?, follow_up_note = ?"
            " WHERE ticket_id = ?",
            [iso(clock()), user_id, note, ticket_id],
        )
