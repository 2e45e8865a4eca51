"""The manager's live view: queues against their targets, counters, printers, today's totals."""

from __future__ import annotations

import sqlite_utils

from kiosk.printing.queue import printers
from server.engine import QueueReads


def live_state(reads: QueueReads, branch_id: int) -> dict:
    """What the live dashboard shows, read at the reads' clock."""
    db: sqlite_utils.Database = reads.db
    day = reads.today(branch_id)
    services = [
        {**service, "over_target": service["longest_wait_s"] > service["target_wait_s"]}
        for service in reads.services(branch_id)
    ]
    oldest = dict(
        db.execute(
            "SELECT service_id, min(queued_at) FROM tickets WHERE branch_id = ?"
            " AND service_day = ? AND status = 'waiting' GROUP BY service_id",
            [branch_id, day],
        ).fetchall()
    )
    for service in services:
        service["oldest_queued_at"] = oldest.get(service["id"])
    today = db.execute(
        "SELECT count(*) AS issued, coalesce(sum(status = 'done'), 0) AS served,"
        " coalesce(sum(status = 'waiting'), 0) AS waiting,"
        " coalesce(sum(channel = 'phone'), 0) AS from_phones,"
        " coalesce(sum(channel = 'phone' AND status = 'no_show'), 0) AS phone_no_shows"
        " FROM tickets"
        " WHERE branch_id = ? AND service_day = ?",
        [branch_id, day],
    ).fetchone()
    return {
        "branch_id": branch_id,
        "service_day": day,
        "now": reads.clock().isoformat(),
        "issued": today["issued"],
        "served": today["served"],
        "waiting": today["waiting"],
        "from_phones": today["from_phones"],
        "phone_no_shows": today["phone_no_shows"],
        "services": services,
        "counters": counters(db, branch_id),
        "printers": printers(db, branch_id),
    }


def counters(db: sqlite_utils.Database, branch_id: int) -> list[dict]:
    """Each counter: closed (nobody signed in at it), paused (and why), idle, or with a ticket;
    and who is at it."""
    rows = db.execute(
        "SELECT counters.id, counters.name, counters.active, counters.paused_at,"
        " counters.pause_reason, counters.pause_note, counters.staffed_by,"
        " tickets.code, tickets.status AS ticket_status,"
        " coalesce(at_counter.display_name, caller.display_name) AS staff"
        " FROM counters"
        " LEFT JOIN tickets ON tickets.counter_id = counters.id"
        "  AND tickets.status IN ('called', 'serving')"
        " LEFT JOIN users AS at_counter ON at_counter.id = counters.staffed_by"
        " LEFT JOIN users AS caller ON caller.id = tickets.user_id"
        " WHERE counters.branch_id = ? ORDER BY counters.sort_order, counters.id",
        [branch_id],
    ).fetchall()
    return [{**dict(row), "state": counter_state(dict(row))} for row in rows]


def counter_state(row: dict) -> str:
    if not row["active"]:
        return "closed"
    if row["ticket_status"]:
        return row["ticket_status"]
    if row["paused_at"]:
        return "paused"
    return "open" if row["staffed_by"] is not None else "closed"
