"""The audit log: who changed the store's setup, signed in or paired a device, and when.

`record()` runs inside the caller's transaction, so an entry exists exactly when the change does.
Staff moves on tickets are already kept in ticket_events; `entries()` shows both together.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from server.engine.clock import iso, utc_now

PAGE_SIZE = 50
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user, a device, or nobody (the command line)."""

    user_id: int | None = None
    device_id: int | None = None
    address: str | None = None


COMMAND_LINE = Actor()


def record(
    db: sqlite_utils.Database,
    actor: Actor | None,
    action: str,
    target: tuple[str, int | None] | None = None,
    summary: str = "",
) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    actor = actor or COMMAND_LINE
    kind, target_id = target or (None, None)
    db.execute(
        "INSERT INTO audit_log (at, user_id, device_id, action, target_kind, target_id, summary,"
        " address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            iso(utc_now()),
            actor.user_id,
            actor.device_id,
            action,
            kind,
            target_id,
            summary[:500],
            actor.address,
        ],
    )


ADMIN_ENTRIES = (
    "SELECT audit_log.at, audit_log.action, audit_log.summary, audit_log.address,"
    " users.username, devices.name AS device_name"
    " FROM audit_log LEFT JOIN users ON users.id = audit_log.user_id"
    " LEFT JOIN devices ON devices.id = audit_log.device_id"
    " WHERE :user_id IS NULL OR audit_log.user_id = :user_id"
    " ORDER BY audit_log.at DESC, audit_log.id DESC LIMIT :limit"
)
STAFF_MOVES = (
    "SELECT ticket_events.at, 'ticket.' || ticket_events.kind AS action,"
    " tickets.code || coalesce(' · ' || counters.name, '') AS summary, NULL AS address,"
    " users.username, NULL AS device_name"
    " FROM ticket_events JOIN tickets ON tickets.id = ticket_events.ticket_id"
    " JOIN users ON users.id = ticket_events.user_id"
    " LEFT JOIN counters ON counters.id = ticket_events.counter_id"
    " WHERE ticket_events.user_id IS NOT NULL"
    " AND (:user_id IS NULL OR ticket_events.user_id = :user_id)"
    " ORDER BY ticket_events.at DESC, ticket_events.id DESC LIMIT :limit"
)


def entries(
    db: sqlite_utils.Database, page: int = 1, user_id: int | None = None
) -> tuple[list[dict], bool]:
    """One page of the log, newest first, with staff ticket moves mixed in; and whether more.

    Each source is read newest-first along its own index and only as far as the page needs,
    then the two are merged: the cost follows the page number, not the size of the history.
    """
    page = min(max(page, 1), MAX_PAGE)
    wanted = page * PAGE_SIZE + 1
    params = {"user_id": user_id, "limit": wanted}
    merged = sorted(
        [dict(row) for sql in (ADMIN_ENTRIES, STAFF_MOVES) for row in db.execute(sql, params)],
        key=lambda entry: entry["at"],
        reverse=True,
    )[:wanted]
    start = (page - 1) * PAGE_SIZE
    return merged[start : start + PAGE_SIZE], len(merged) > start + PAGE_SIZE
