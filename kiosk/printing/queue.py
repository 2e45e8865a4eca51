"""The print queue in SQLite: jobs are queued after the ticket's commit, claimed by one worker,
retried with backoff, and end printed or failed. No Flask here; each write is one transaction.

Statuses: queued → printing (claimed by the server's worker) → printed | queued (retry) | failed.
Jobs for a printer behind a kiosk print agent stay queued until the agent acknowledges them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from server.domain.errors import NotFound, ValidationError
from server.engine.clock import iso, parse
from server.storage import transaction

PRINTER_STATUSES = ("online", "paper_low", "paper_out", "offline")
JOB_COLUMNS = (
    "id",
    "ticket_id",
    "device_id",
    "kind",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "printed_at",
    "next_attempt_at",
)
JOB_FIELDS = ", ".join(JOB_COLUMNS)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts, and when a ticket is too old to be worth printing."""

    first_delay_s: float = 2.0
    max_delay_s: float = 30.0
    give_up_after_s: float = 300.0
    lease_s: float = 120.0  # a claim older than this is taken to be a crashed worker's

    def delay(self, attempts: int) -> float:
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, attempts - 1))


def job_view(row: dict) -> dict:
    """A print job as the API shows it."""
    return {key: row[key] for key in JOB_COLUMNS}


def kiosk_printer(db: sqlite_utils.Database, device_id: int) -> dict | None:
    """The kiosk device if it has a printer, else None."""
    device = db.execute(
        "SELECT * FROM devices WHERE id = ? AND kind = 'kiosk' AND revoked_at IS NULL",
        [device_id],
    ).fetchone()
    return dict(device) if device and device["printer_uri"] else None


def queue_job(
    db: sqlite_utils.Database,
    ticket_id: int,
    device_id: int,
    snapshot: dict,
    now: datetime,
    kind: str = "ticket",
    user_id: int | None = None,
) -> dict:
    """Queue a print; a ticket's first print is queued once per device, however often asked."""
    with transaction(db):
        if kind == "ticket":
            earlier = db.execute(
                f"SELECT {JOB_FIELDS} FROM print_jobs WHERE ticket_id = ? AND device_id = ?"
                " AND kind = 'ticket'",
                [ticket_id, device_id],
            ).fetchone()
            if earlier:
                return job_view(dict(earlier))
        row = db.execute(
            "INSERT INTO print_jobs (ticket_id, device_id, kind, status, attempts, created_at,"
            f" data, requested_by) VALUES (?, ?, ?, 'queued', 0, ?, ?, ?) RETURNING {JOB_FIELDS}",
            [
                ticket_id,
                device_id,
                kind,
                iso(now),
                json.dumps(snapshot, ensure_ascii=False),
                user_id,
            ],
        ).fetchone()
        return job_view(dict(row))


def get_job(db: sqlite_utils.Database, job_id: int) -> dict:
    row = db.execute("SELECT * FROM print_jobs WHERE id = ?", [job_id]).fetchone()
    if row is None:
        raise NotFound("There is no print job %(id)s.", "job_id", id=job_id)
    return dict(row)


def claim_due_job(db: sqlite_utils.Database, now: datetime, policy: RetryPolicy) -> dict | None:
    """Take the oldest job that is due on a server-side printer, so no other worker sends it."""
    stale = iso(now - timedelta(seconds=policy.lease_s))
    # A plain read first, so an idle worker does not take the write lock every second.
    if not db.execute(
        "SELECT 1 FROM print_jobs WHERE status IN ('queued', 'printing') LIMIT 1"
    ).fetchone():
        return None
    with transaction(db):
        row = db.execute(
            "UPDATE print_jobs SET status = 'printing', claimed_at = :now,"
            " attempts = attempts + 1 WHERE id = (SELECT print_jobs.id FROM print_jobs"
            " JOIN devices ON devices.id = print_jobs.device_id"
            " WHERE devices.printer_uri IS NOT NULL AND devices.printer_uri != 'agent'"
            " AND ((print_jobs.status = 'queued' AND (print_jobs.next_attempt_at IS NULL"
            "   OR print_jobs.next_attempt_at <= :now))"
            "  OR (print_jobs.status = 'printing' AND print_jobs.claimed_at <= :stale))"
            " ORDER BY print_jobs.id LIMIT 1) RETURNING *",
            {"now": iso(now), "stale": stale},
        ).fetchone()
    return dict(row) if row else None


def mark_printed(db: sqlite_utils.Database, job_id: int, now: datetime) -> bool:
    """True if this call printed it; False if it was already marked (an acknowledgement twice)."""
    with transaction(db):
        changed = db.execute(
            "UPDATE print_jobs SET status = 'printed', printed_at = ?, last_error = NULL,"
            " next_attempt_at = NULL WHERE id = ? AND status != 'printed' RETURNING id",
            [iso(now), job_id],
        ).fetchone()
    return changed is not None


def mark_attempt_failed(
    db: sqlite_utils.Database, job_id: int, error: str, now: datetime, policy: RetryPolicy
) -> dict:
    """Queue the job again after a backoff, or mark it failed once it is too old to help."""
    with transaction(db):
        job = db.execute("SELECT * FROM print_jobs WHERE id = ?", [job_id]).fetchone()
        if job is None or job["status"] == "printed":
            return dict(job) if job else {}
        age = (now - parse(job["created_at"])).total_seconds()
        if age >= policy.give_up_after_s:
            status, next_at = "failed", None
        else:
            status, next_at = "queued", iso(now + timedelta(seconds=policy.delay(job["attempts"])))
        return dict(
            db.execute(
                "UPDATE print_jobs SET status = ?, last_error = ?, next_attempt_at = ?"
                " WHERE id = ? RETURNING *",
                [status, error[:500], next_at, job_id],
            ).fetchone()
        )


def agent_attempt_failed(
    db: sqlite_utils.Database, job_id: int, error: str, now: datetime, policy: RetryPolicy
) -> dict:
    """The agent could not print: count the attempt, then the same backoff rules apply."""
    with transaction(db):
        db.execute("UPDATE print_jobs SET attempts = attempts + 1 WHERE id = ?", [job_id])
    return mark_attempt_failed(db, job_id, error, now, policy)


def pending_for_device(db: sqlite_utils.Database, device_id: int) -> list[dict]:
    """The device's jobs not printed yet, oldest first (what an agent picks up on reconnect)."""
    return [
        dict(row)
        for row in db.execute(
            "SELECT * FROM print_jobs WHERE device_id = ? AND status IN ('queued', 'printing')"
            " ORDER BY id",
            [device_id],
        ).fetchall()
    ]


def record_printer_status(
    db: sqlite_utils.Database, device_id: int, status: str, now: datetime
) -> dict | None:
    """Store what the printer reported; returns the `device` event data when it changed."""
    if status not in PRINTER_STATUSES:
        raise ValidationError(
            "status must be one of %(choices)s.", "status", choices=", ".join(PRINTER_STATUSES)
        )
    with transaction(db):
        device = db.execute(
            "UPDATE devices SET printer_status = ?, printer_status_at = ?"
            " WHERE id = ? AND printer_status IS NOT ? RETURNING id, branch_id, kind, name,"
            " printer_status, printer_status_at",
            [status, iso(now), device_id, status],
        ).fetchone()
        if device is None:
            return None
        seq = db.execute(
            "UPDATE branches SET seq = seq + 1 WHERE id = ? RETURNING seq", [device["branch_id"]]
        ).fetchone()[0]
    return {"seq": seq, "branch_id": device["branch_id"], "device": dict(device)}


def printers(db: sqlite_utils.Database, branch_id: int) -> list[dict]:
    """The branch's kiosk printers with their last status and their queue, for staff pages."""
    rows = db.execute(
        "SELECT devices.id, devices.name, devices.printer_uri, devices.printer_profile,"
        " devices.paper_width_mm, devices.printer_status, devices.printer_status_at,"
        " (SELECT count(*) FROM print_jobs WHERE device_id = devices.id"
        "   AND status IN ('queued', 'printing')) AS queued,"
        " (SELECT count(*) FROM print_jobs WHERE device_id = devices.id"
        "   AND status = 'failed') AS failed"
        " FROM devices WHERE branch_id = ? AND kind = 'kiosk' AND revoked_at IS NULL"
        " AND printer_uri IS NOT NULL ORDER BY id",
        [branch_id],
    ).fetchall()
    return [{**dict(row), "by_agent": row["printer_uri"] == "agent"} for row in rows]
