"""Writes to the queue. Each public method is one transaction: validate, change, append the
ticket event, bump the branch `seq`, and return a Change for the caller to publish."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlite_utils

from server.domain import ratings, validation
from server.domain.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    Term,
    ValidationError,
)
from server.domain.estimates import BranchEstimates
from server.domain.events import Event, TicketCalled, TicketChanged, TicketRated
from server.domain.tickets import (
    IDEMPOTENCY_TTL,
    QUEUE_ORDER,
    UNDOABLE,
    UNDONE_KIND,
    Status,
    format_code,
    idempotency_scope,
    next_status,
    request_fingerprint,
)
from server.domain.timing import service_day
from server.engine.clock import Clock, iso, parse, utc_now
from server.engine.reads import QueueReads
from server.engine.remote import RemoteMoves
from server.engine.staffing import CounterStaffing
from server.stats import rollups
from server.storage import transaction

# A ticket going back to a queue leaves its counter and starts a fresh wait.
BACK_TO_QUEUE = {"counter_id": None, "user_id": None, "called_at": None, "started_at": None}

# The time a ticket spends in queues and at counters, summed over its spells and kept on the
# ticket for the statistics (migration 0031). An event of `kind` ends a spell that began with
# the ticket's previous event of these kinds: issued, transferred or parked to called is a wait;
# started to finished, transferred or parked is service. Milliseconds as julianday() counts them.
# An undone finish (`finish_undone`) starts service again, like `started`.
SPELL_ENDS = ("called", "finished", "transferred", "parked")
ADD_SPELL = """
UPDATE tickets SET
    wait_ms = CASE WHEN :kind = 'called' AND spell.kind IN ('issued', 'transferred', 'parked')
        THEN coalesce(wait_ms, 0) + spell.ms ELSE wait_ms END,
    service_ms = CASE WHEN :kind IN ('finished', 'transferred', 'parked')
        AND spell.kind IN ('started', 'finish_undone')
        THEN coalesce(service_ms, 0) + spell.ms ELSE service_ms END
FROM (
    SELECT kind, CAST(round((julianday(:at) - julianday(at)) * 86400000) AS INTEGER) AS ms
    FROM ticket_events WHERE ticket_id = :ticket_id
        AND kind IN ('issued', 'transferred', 'parked', 'called', 'started', 'finished',
                     'finish_undone')
    ORDER BY id DESC LIMIT 1
) AS spell
WHERE tickets.id = :ticket_id
"""
# What the statistics read besides the durations: whole seconds (for percentiles), the score,
# and the ten-minute UTC slot of arrival.
STAT_COLUMNS = """
UPDATE tickets SET wait_whole_s = CAST(round(wait_ms / 1000.0) AS INTEGER),
    service_whole_s = CAST(round(service_ms / 1000.0) AS INTEGER),
    rating_score = (SELECT score FROM ratings WHERE ratings.ticket_id = tickets.id),
    arrival_slot = unixepoch(created_at) / 600
"""


@dataclass(frozen=True)
class Change:
    """One committed change: the ticket after it, what happened, and the branch state at `seq`.

    A change to a counter (a pause) has no ticket."""

    branch_id: int
    seq: int
    ticket: dict | None
    events: list[Event] = field(default_factory=list)
    queue: dict | None = None
    replayed: bool = False  # an idempotent repeat: nothing changed, nothing to publish
    at: str | None = None  # when the change's event was recorded, as stored in the database
    # What subscribers wrote with the change, for the caller (the ticket's print job).
    attachments: dict = field(default_factory=dict, compare=False)
    # The branch's wait estimates at `seq`, so that telling the phones costs no second play.
    estimates: BranchEstimates | None = field(default=None, compare=False, repr=False)


class QueueEngine(RemoteMoves, CounterStaffing):
    def __init__(self, db: sqlite_utils.Database, clock: Clock = utc_now):
        self.db = db
        self.clock = clock
        self.reads = QueueReads(db, clock)

    # -- issuing -----------------------------------------------------------------------------

    def issue_ticket(
        self,
        service_id: Any,
        *,
        language: Any = None,
        priority: Any = None,
        customer_name: Any = None,
        idempotency_key: str | None = None,
        branch_id: int | None = None,
        user_id: int | None = None,
        device_id: int | None = None,
        channel: str | None = None,
        phone_id: str | None = None,
        admit: Callable[[dict, dict], None] | None = None,
    ) -> Change:
        """The service's next number today; a repeated idempotency key returns the first ticket.

        `channel` is where the ticket came from (by default a kiosk, or staff when a user
        issues it); `admit(branch, service)` may refuse the ticket inside the transaction,
        before a number is taken (the rules of joining from a phone)."""
        service_id = validation.integer(service_id, "service_id")
        priority = validation.priority(priority)
        customer_name = validation.customer_name(customer_name)
        idempotency_key = validation.idempotency_key(idempotency_key)
        fingerprint = request_fingerprint(service_id, language, priority, customer_name)
        if idempotency_key:
            idempotency_key = idempotency_scope(idempotency_key, user_id, device_id)
        with transaction(self.db):
            if idempotency_key:
                earlier = self._earlier_request(idempotency_key, fingerprint, branch_id, service_id)
                if earlier:
                    return earlier
            service = self._service_for(service_id, branch_id)
            branch = self.reads.branch(service["branch_id"])
            language = validation.language(language, branch)
            if admit is not None:
                admit(branch, service)
            now = self.clock()
            day = service_day(now, branch["timezone"], branch["day_starts_at"])
            number = self.db.execute(
                "INSERT INTO number_sequences (service_id, service_day, last_number)"
                " VALUES (?, ?, 1) ON CONFLICT (service_id, service_day)"
                " DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
                [service_id, day],
            ).fetchone()[0]
            ticket_id = self.db.execute(
                "INSERT INTO tickets (branch_id, service_id, service_day, number, code, token,"
                " status, priority, customer_name, language, created_at, queued_at,"
                " idempotency_key, idempotency_fingerprint, channel, phone_id)"
                " VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    branch["id"],
                    service_id,
                    day,
                    number,
                    format_code(service["prefix"], number),
                    secrets.token_urlsafe(16),
                    priority,
                    customer_name,
                    language,
                    iso(now),
                    iso(now),
                    idempotency_key,
                    fingerprint if idempotency_key else None,
                    channel or ("staff" if user_id is not None and device_id is None else "kiosk"),
                    phone_id,
                ],
            ).lastrowid
            if priority is None:  # last in queue order: the branch's last play goes on from it
                self.reads.estimator.join(branch["id"], day, ticket_id, service_id)
            change = self._record(
                ticket_id, "issued", user_id=user_id, data={"device_id": device_id}
            )
            # What the customer is told now is kept, so the dashboard can say how right it was.
            self.db.execute(
                "UPDATE tickets SET eta_at_issue_s = ? WHERE id = ?",
                [change.ticket["eta_s"], ticket_id],
            )
            return change

    def _earlier_request(
        self, key: str, fingerprint: str, branch_id: int | None, service_id: int
    ) -> Change | None:
        """The ticket a live key already issued (replayed), or None; a stale key is let go.

        Keys are unique per branch: the caller's, or else the asked service's.
        """
        earlier = self.reads.row(
            "SELECT t.id, t.branch_id, t.created_at, t.idempotency_fingerprint, b.seq"
            " FROM tickets t JOIN branches b ON b.id = t.branch_id WHERE t.idempotency_key = ?"
            " AND t.branch_id = coalesce(?, (SELECT branch_id FROM services WHERE id = ?))",
            [key, branch_id, service_id],
        )
        if earlier is None:
            return None
        if earlier["created_at"] < iso(self.clock() - IDEMPOTENCY_TTL):
            self.db.execute(
                "UPDATE tickets SET idempotency_key = NULL WHERE id = ?", [earlier["id"]]
            )
            return None
        if earlier["idempotency_fingerprint"] != fingerprint:
            raise ValidationError(
                "This Idempotency-Key was already used for a different ticket request.",
                "Idempotency-Key",
            )
        return Change(
            earlier["branch_id"], earlier["seq"], self.reads.ticket(earlier["id"]), replayed=True
        )

    # -- counter moves -----------------------------------------------------------------------

    def call_next(self, counter_id: int, user_id: int | None = None) -> Change | None:
        """Call the first waiting ticket over the counter's services; None when nobody waits."""
        with transaction(self.db):
            counter = self._open_counter(counter_id)
            day = self.reads.today(counter["branch_id"])
            self._expire_earlier_days(counter["branch_id"], day)
            called = self.db.execute(
                "UPDATE tickets SET status = 'called', called_at = ?, counter_id = ?, user_id = ?"
                " WHERE id = (SELECT tickets.id FROM tickets"
                "  JOIN counter_services ON counter_services.service_id = tickets.service_id"
                "  JOIN services ON services.id = tickets.service_id AND services.active"
                "  WHERE counter_services.counter_id = ? AND tickets.service_day = ?"
                f"  AND tickets.status = 'waiting' ORDER BY {QUEUE_ORDER} LIMIT 1)"
                " RETURNING id",
                [iso(self.clock()), counter_id, user_id, counter_id, day],
            ).fetchone()
            if called is None:
                return None
            return self._record(
                called["id"],
                "called",
                counter_id=counter_id,
                user_id=user_id,
                events=[
                    TicketCalled(called["id"], counter_id, recall=False),
                    *self._staff_on_call(counter, user_id),
                ],
            )

    def call_ticket(self, ticket_id: int, counter_id: int, user_id: int | None = None) -> Change:
        """Call one waiting ticket out of turn; the `called` event records that it was chosen."""
        with transaction(self.db):
            counter = self._open_counter(counter_id)
            ticket = self.reads.ticket_row(ticket_id)
            if ticket["service_id"] not in counter["service_ids"]:
                raise ValidationError(
                    "%(counter)s does not serve ticket %(code)s's service.",
                    "ticket_id",
                    counter=counter["name"],
                    code=ticket["code"],
                )
            if ticket["service_day"] != self.reads.today(counter["branch_id"]):
                raise ValidationError(
                    "Ticket %(code)s is from another day.", "ticket_id", code=ticket["code"]
                )
            self._move(
                ticket_id,
                "call",
                {"called_at": iso(self.clock()), "counter_id": counter_id, "user_id": user_id},
            )
            return self._record(
                ticket_id,
                "called",
                counter_id=counter_id,
                user_id=user_id,
                data={"out_of_turn": True},
                events=[
                    TicketCalled(ticket_id, counter_id, recall=False),
                    *self._staff_on_call(counter, user_id),
                ],
            )

    def recall(self, ticket_id: int, user_id: int | None = None) -> Change:
        """Announce a called ticket again."""
        with transaction(self.db):
            ticket = self._move(ticket_id, "recall", {})
            self.db.execute(
                "UPDATE tickets SET recall_count = recall_count + 1 WHERE id = ?", [ticket_id]
            )
            return self._record(
                ticket_id,
                "recalled",
                counter_id=ticket["counter_id"],
                user_id=user_id,
                events=[TicketCalled(ticket_id, ticket["counter_id"], recall=True)],
            )

    def start(self, ticket_id: int, user_id: int | None = None) -> Change:
        return self._simple_move(ticket_id, "start", "started", user_id, "started_at")

    def finish(self, ticket_id: int, user_id: int | None = None) -> Change:
        return self._simple_move(ticket_id, "finish", "finished", user_id, "finished_at")

    def no_show(self, ticket_id: int, user_id: int | None = None) -> Change:
        return self._simple_move(ticket_id, "no_show", "no_show", user_id, "finished_at")

    def cancel(self, ticket_id: int, user_id: int | None = None) -> Change:
        return self._simple_move(ticket_id, "cancel", "cancelled", user_id, "finished_at")

    def park(self, ticket_id: int, user_id: int | None = None) -> Change:
        """Put a ticket back at the end of its queue (the customer steps aside for a moment).

        A ticket transferred in loses its place at the front: that was for its first call.
        """
        with transaction(self.db):
            ticket = self._move(
                ticket_id,
                "park",
                {**BACK_TO_QUEUE, "transferred": 0, "queued_at": iso(self.clock())},
            )
            return self._record(
                ticket_id, "parked", counter_id=ticket["counter_id"], user_id=user_id
            )

    def transfer(
        self, ticket_id: int, service_id: Any, note: Any = None, user_id: int | None = None
    ) -> Change:
        """Send a ticket to another service: same code, front of that queue, the note kept."""
        service_id = validation.integer(service_id, "service_id")
        note = validation.note(note)
        with transaction(self.db):
            current = self.reads.ticket_row(ticket_id)
            self._service_for(service_id, current["branch_id"])
            ticket = self._move(
                ticket_id,
                "transfer",
                {
                    **BACK_TO_QUEUE,
                    "service_id": service_id,
                    "transferred": 1,
                    "queued_at": iso(self.clock()),
                },
            )
            return self._record(
                ticket_id,
                "transferred",
                counter_id=ticket["counter_id"],
                user_id=user_id,
                data={
                    "from_service_id": ticket["service_id"],
                    "to_service_id": service_id,
                    "note": note,
                },
            )

    def undo_last(self, counter_id: int, user_id: int | None = None) -> Change:
        """Take back the counter's last move when it was a finish or a no-show made moments ago
        (UNDO_WINDOW) and nothing happened at the counter since (no call, no rating): the
        ticket is in hand again."""
        with transaction(self.db):
            counter = self.reads.counter(counter_id)
            last = self.reads.undoable(counter_id)
            if last is None:
                raise InvalidTransition(
                    "%(counter)s has no finish or no-show to undo (it is too late, or something"
                    " happened at the counter since).",
                    "counter_id",
                    counter=counter["name"],
                )
            self.db.execute(
                "UPDATE tickets SET status = ?, finished_at = NULL WHERE id = ?",
                [UNDOABLE[last["kind"]].value, last["ticket_id"]],
            )
            return self._record(
                last["ticket_id"],
                UNDONE_KIND[last["kind"]],
                counter_id=counter_id,
                user_id=user_id,
                data={"undid": last["kind"], "at": last["at"]},
            )

    # -- counters ----------------------------------------------------------------------------

    def pause(
        self, counter_id: int, reason: Any, user_id: int | None = None, note: Any = None
    ) -> Change:
        """Stop calling at this counter (a break): it gets no calls and leaves the estimates.
        The reason is kept as a code (break, lunch, …, other with a note), shown in each
        reader's language."""
        reason, note = validation.pause_reason(reason, note)
        with transaction(self.db):
            counter = self.reads.counter(counter_id)
            if counter["paused_at"]:
                raise InvalidTransition(
                    "%(counter)s is already paused.", "counter_id", counter=counter["name"]
                )
            self.db.execute(
                "UPDATE counters SET paused_at = ?, pause_reason = ?, pause_note = ? WHERE id = ?",
                [iso(self.clock()), reason, note, counter_id],
            )
            return self._record_counter(
                counter, "paused", user_id, {"reason": reason, "note": note}
            )

    def resume(self, counter_id: int, user_id: int | None = None) -> Change:
        """End a counter's pause; the paused time is kept in the counter's events."""
        with transaction(self.db):
            counter = self.reads.counter(counter_id)
            if not counter["paused_at"]:
                raise InvalidTransition(
                    "%(counter)s is not paused.", "counter_id", counter=counter["name"]
                )
            paused_s = (self.clock() - parse(counter["paused_at"])).total_seconds()
            self.db.execute(
                "UPDATE counters SET paused_at = NULL, pause_reason = NULL, pause_note = NULL"
                " WHERE id = ?",
                [counter_id],
            )
            return self._record_counter(
                counter,
                "resumed",
                user_id,
                {"reason": counter["pause_reason"], "paused_s": round(paused_s)},
            )

    # -- rating ------------------------------------------------------------------------------

    def rate(
        self,
        token: str,
        score: Any,
        comment: Any = None,
        channel: Any = "phone",
        reasons: Any = None,
        *,
        counter_id: int | None = None,
        phone_window: timedelta = ratings.DEFAULT_PHONE_WINDOW,
    ) -> Change:
        """Record the customer's rating: once per ticket, only after service, and from the
        phone only within `phone_window` of the finish. A feedback screen passes its
        `counter_id` and may rate only tickets served at that counter."""
        score = validation.score(score)
        comment = validation.comment(comment)
        channel = ratings.channel(channel)
        reasons = ratings.reasons(reasons)
        with transaction(self.db):
            ticket = self.reads.ticket_row_by_token(token)
            if counter_id is not None and ticket["counter_id"] != counter_id:
                raise NotAllowed("This ticket was served at another counter.", "token")
            if ticket["status"] != Status.DONE:
                raise ValidationError(
                    "Ticket %(code)s has not been served yet, so it cannot be rated.",
                    "token",
                    code=ticket["code"],
                )
            if self.reads.row("SELECT 1 FROM ratings WHERE ticket_id = ?", [ticket["id"]]):
                raise Conflict(
                    "Ticket %(code)s has already been rated.", "token", code=ticket["code"]
                )
            if channel == "phone" and not ratings.phone_window_open(
                parse(ticket["finished_at"]), self.clock(), phone_window
            ):
                raise ValidationError(
                    "Ticket %(code)s can no longer be rated: the time for it has passed.",
                    "token",
                    code=ticket["code"],
                )
            self.db.execute(
                "INSERT INTO ratings (ticket_id, score, comment, channel, reasons, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [ticket["id"], score, comment, channel, json.dumps(reasons), iso(self.clock())],
            )
            return self._record(
                ticket["id"],
                "rated",
                counter_id=ticket["counter_id"],
                data={"score": score, "channel": channel},
                events=[TicketRated(ticket["id"])],
            )

    # -- inside a transaction ------------------------------------------------------------------

    def _service_for(self, service_id: int, branch_id: int | None) -> dict:
        """An active service of the branch, or a ValidationError on `service_id`."""
        try:
            service = self.reads.service(service_id)
        except NotFound as missing:
            raise ValidationError(missing.template, "service_id", **missing.params) from None
        if branch_id is not None and service["branch_id"] != branch_id:
            raise ValidationError(
                "Service %(id)s belongs to another branch.", "service_id", id=service_id
            )
        if not service["active"]:
            raise ValidationError("Service %(name)s is closed.", "service_id", name=service["name"])
        return service

    def _expire_earlier_days(self, branch_id: int, day: str) -> None:
        """Tickets still waiting from an earlier service day are closed: no queue carries over."""
        now = iso(self.clock())
        expired = self.db.execute(
            "UPDATE tickets SET status = 'cancelled', finished_at = ?"
            " WHERE branch_id = ? AND service_day < ? AND status = 'waiting' RETURNING id",
            [now, branch_id, day],
        ).fetchall()
        for ticket in expired:
            self.db.execute(
                "INSERT INTO ticket_events (ticket_id, at, kind) VALUES (?, ?, 'expired')",
                [ticket["id"], now],
            )
        if expired:
            rollups.keep(self.db, [ticket["id"] for ticket in expired])

    def _open_counter(self, counter_id: int) -> dict:
        counter = self.reads.counter(counter_id)
        if not counter["active"]:
            raise InvalidTransition(
                "Counter %(counter)s is closed.", "counter_id", counter=counter["name"]
            )
        if counter["paused_at"]:
            raise InvalidTransition(
                "%(counter)s is paused: resume it to call.", "counter_id", counter=counter["name"]
            )
        busy = self.reads.row(
            "SELECT code, status FROM tickets WHERE counter_id = ?"
            " AND status IN ('called', 'serving')",
            [counter_id],
        )
        if busy:
            raise Conflict(
                "%(counter)s still has ticket %(code)s (%(status)s): "
                "finish it, mark it no-show or park it first.",
                "counter_id",
                counter=counter["name"],
                code=busy["code"],
                status=Term(busy["status"]),
            )
        return counter

    def _move(self, ticket_id: int, move: str, sets: dict) -> dict:
        """Check the move is legal, apply the column changes, return the row as it was."""
        ticket = self.reads.ticket_row(ticket_id)
        status = next_status(move, ticket["status"], ticket["code"])
        assignments = ", ".join(["status = ?", *(f"{column} = ?" for column in sets)])
        self.db.execute(
            f"UPDATE tickets SET {assignments} WHERE id = ?",
            [status.value, *sets.values(), ticket_id],
        )
        return ticket

    def _simple_move(
        self, ticket_id: int, move: str, kind: str, user_id: int | None, stamp: str
    ) -> Change:
        with transaction(self.db):
            ticket = self._move(ticket_id, move, {stamp: iso(self.clock())})
            return self._record(ticket_id, kind, counter_id=ticket["counter_id"], user_id=user_id)

    def _record(
        self,
        ticket_id: int,
        kind: str,
        *,
        counter_id: int | None = None,
        user_id: int | None = None,
        data: dict | None = None,
        events: list[Event] | None = None,
    ) -> Change:
        """Append the ticket event (adding the spell it ends to the ticket's durations, and the
        ticket's new contribution to the statistics' rollups) and bump the branch seq: the last
        step of every change."""
        at = iso(self.clock())
        if kind in SPELL_ENDS:
            self.db.execute(ADD_SPELL, {"kind": kind, "at": at, "ticket_id": ticket_id})
        self.db.execute(STAT_COLUMNS + " WHERE id = ?", [ticket_id])
        rollups.keep(self.db, [ticket_id])
        self.db.execute(
            "INSERT INTO ticket_events (ticket_id, at, kind, counter_id, user_id, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                ticket_id,
                at,
                kind,
                counter_id,
                user_id,
                json.dumps(data or {}, ensure_ascii=False),
            ],
        )
        (seq,) = self.db.execute(
            "UPDATE branches SET seq = seq + 1"
            " WHERE id = (SELECT branch_id FROM tickets WHERE id = ?) RETURNING seq",
            [ticket_id],
        ).fetchone()
        # Read after the last write, so the ticket and the queue state share one estimate.
        ticket = self.reads.ticket(ticket_id)
        return Change(
            branch_id=ticket["branch_id"],
            seq=seq,
            ticket=ticket,
            events=[TicketChanged(ticket_id, kind, counter_id), *(events or [])],
            queue=self.reads.queue_state(ticket["branch_id"]),
            at=at,
            estimates=self.reads.estimates(ticket["branch_id"]),
        )

    def _record_counter(self, counter: dict, kind: str, user_id: int | None, data: dict) -> Change:
        """The counter's counterpart of `_record`: its event, the seq bump, the new queue state."""
        [change] = self._changes([self._counter_event(counter, kind, user_id, data)])
        return change

    def _bump_seq(self, branch_id: int) -> int:
        return self.db.execute(
            "UPDATE branches SET seq = seq + 1 WHERE id = ? RETURNING seq", [branch_id]
        ).fetchone()[0]
