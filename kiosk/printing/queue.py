"""The print queue in SQLite: jobs are queued after the ticket's commit, claimed by one lane of
one worker, retried with backoff, and end printed or failed. No Flask here; each write is one
transaction.

Statuses: queued → printing (claimed by a worker's lane) → printed | queued (retry) | failed.
Jobs for a printer behind a kiosk print agent stay queued until the agent acknowledges them.

A job is claimed by one UPDATE under SQLite's write lock, so with several server processes each
job is sent by exactly one of them, and a printer gets one job at a time. A job never starts after
its give-up time minus one attempt's timeout: by its give-up time it is printed or never will be,
which is what the kiosk tells the customer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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


NOT_IN_TIME = "Not printed in time; the kiosk showed the code on screen instead."
TORN_TWICE = "The printer dropped the ticket while printing, twice; not tried again."


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts, one attempt's time limit, and when a ticket is too old to be
    worth printing."""

    first_delay_s: float = 2.0
    max_delay_s: float = 30.0
    give_up_after_s: float = 15.0
    timeout_s: float = 5.0
    max_torn: int = 2  # attempts cut off mid-ticket before the job is failed

    def delay(self, attempts: int) -> float:
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, attempts - 1))

    def last_start(self, now: datetime) -> str:
        """Jobs created before this may not start an attempt any more (as stored text)."""
        return iso(now - timedelta(seconds=max(0.0, self.give_up_after_s - self.timeout_s)))

    def start_within(self, created_at: str, now: datetime) -> float:
        """Seconds left for a job created at `created_at` to start an attempt (0: too late)."""
        last = parse(created_at) + timedelta(seconds=self.give_up_after_s - self.timeout_s)
        return max(0.0, (last - now).total_seconds())

    def stale_claim(self, now: datetime) -> str:
        """A claim older than this belongs to a worker that hung: attempts end within timeout_s."""
        return iso(now - timedelta(seconds=3 * self.timeout_s + 5))


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


SERVER_PRINTED = (
    "devices.printer_uri IS NOT NULL AND devices.printer_uri != 'agent'"
    " AND devices.revoked_at IS NULL"
)


def due_devices(db: sqlite_utils.Database, now: datetime, policy: RetryPolicy) -> list[int]:
    """Server-side printers with a job due and none being sent (a plain read, no lock)."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT print_jobs.device_id FROM print_jobs"
            f" JOIN devices ON devices.id = print_jobs.device_id WHERE {SERVER_PRINTED}"
            " AND print_jobs.status = 'queued' AND print_jobs.created_at >= :last_start"
            " AND (print_jobs.next_attempt_at IS NULL OR print_jobs.next_attempt_at <= :now)"
            " AND NOT EXISTS (SELECT 1 FROM print_jobs AS sending"
            "   WHERE sending.device_id = print_jobs.device_id AND sending.status = 'printing')",
            {"now": iso(now), "last_start": policy.last_start(now)},
        ).fetchall()
    ]


def claim_job(
    db: sqlite_utils.Database, device_id: int, now: datetime, policy: RetryPolicy, worker: str
) -> dict | None:
    """Take the printer's oldest due job for `worker`, unless one is being sent already."""
    with transaction(db):
        row = db.execute(
            "UPDATE print_jobs SET status = 'printing', claimed_at = :now, claimed_by = :worker,"
            " attempts = attempts + 1 WHERE id = (SELECT id FROM print_jobs"
            " WHERE device_id = :device AND status = 'queued' AND created_at >= :last_start"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= :now) ORDER BY id LIMIT 1)"
            " AND NOT EXISTS (SELECT 1 FROM print_jobs"
            "   WHERE device_id = :device AND status = 'printing')"
            " RETURNING *",
            {
                "now": iso(now),
                "worker": worker,
                "device": device_id,
                "last_start": policy.last_start(now),
            },
        ).fetchone()
    return dict(row) if row else None


def abandoned_claims(
    db: sqlite_utils.Database, now: datetime, policy: RetryPolicy, alive: Callable[[str], bool]
) -> int:
    """Put back jobs whose worker died mid-send (its process is gone) or hung (a stale claim),
    so they are retried at once rather than after a lease; returns how many. Such a job may
    have been half printed, so it counts as torn."""
    claims = db.execute(
        "SELECT id, claimed_by, claimed_at FROM print_jobs WHERE status = 'printing'"
    ).fetchall()
    stale = policy.stale_claim(now)
    lost = [c for c in claims if c["claimed_at"] <= stale or not alive(c["claimed_by"] or "")]
    if not lost:
        return 0
    with transaction(db):
        for claim in lost:
            db.execute(
                "UPDATE print_jobs SET status = 'queued', torn = torn + 1, next_attempt_at = NULL,"
                " last_error = 'The server stopped while sending it.'"
                " WHERE id = ? AND status = 'printing' AND claimed_by IS ?",
                [claim["id"], claim["claimed_by"]],
            )
    return len(lost)


def expire_jobs(db: sqlite_utils.Database, now: datetime, policy: RetryPolicy) -> int:
    """Fail queued jobs too old to start: the kiosk has told the customer it did not print."""
    last_start = policy.last_start(now)
    if not db.execute(
        "SELECT 1 FROM print_jobs WHERE status = 'queued' AND created_at < ? LIMIT 1", [last_start]
    ).fetchone():
        return 0
    with transaction(db):
        return db.execute(
            "UPDATE print_jobs SET status = 'failed', next_attempt_at = NULL,"
            " last_error = coalesce(last_error || ' ', '') || ?"
            " WHERE status = 'queued' AND created_at < ?",
            [NOT_IN_TIME, last_start],
        ).rowcount


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
    db: sqlite_utils.Database,
    job_id: int,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    torn: bool = False,
) -> dict:
    """Queue the job again after a backoff, or fail it: when the retry could not start before
    the give-up time, or when the printer tore it off mid-ticket once too often."""
    with transaction(db):
        job = db.execute("SELECT * FROM print_jobs WHERE id = ?", [job_id]).fetchone()
        if job is None or job["status"] == "printed":
            return dict(job) if job else {}
        torn_count = job["torn"] + int(torn)
        retry_at = now + timedelta(seconds=policy.delay(job["attempts"]))
        if torn_count >= policy.max_torn:
            status, next_at, error = "failed", None, TORN_TWICE
        elif job["created_at"] < policy.last_start(retry_at):
            status, next_at, error = "failed", None, f"{error} {NOT_IN_TIME}"
        else:
            status, next_at = "queued", iso(retry_at)
        return dict(
            db.execute(
                "UPDATE print_jobs SET status = ?, last_error = ?, next_attempt_at = ?, torn = ?"
                " WHERE id = ? RETURNING *",
                [status, error[:500], next_at, torn_count, job_id],
            ).fetchone()
        )


def agent_attempt_failed(
    db: sqlite_utils.Database, job_id: int, error: str, now: datetime, policy: RetryPolicy
) -> dict:
    """The agent could not print: count the attempt, then the same backoff rules apply."""
    with transaction(db):
        db.execute("UPDATE print_jobs SET attempts = attempts + 1 WHERE id = ?", [job_id])
    return mark_attempt_failed(db, job_id, error, now, policy)


def pending_for_device(
    db: sqlite_utils.Database, device_id: int, last_start: str = ""
) -> list[dict]:
    """The device's jobs not printed yet and still young enough to print, oldest first (what an
    agent picks up on reconnect); `last_start` is RetryPolicy.last_start(now)."""
    return [
        dict(row)
        for row in db.execute(
            "SELECT * FROM print_jobs WHERE device_id = ? AND status IN ('queued', 'printing')"
            " AND created_at >= ? ORDER BY id",
            [device_id, last_start],
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
