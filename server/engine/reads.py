"""Read models: tickets, queues and branch state as the API, the boards and the phones see them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlite_utils

from server.domain.errors import NotFound
from server.domain.estimates import NO_COUNTER, BranchEstimates, Estimate
from server.domain.tickets import AT_COUNTER, QUEUE_ORDER, UNDO_WINDOW, UNDOABLE, Status
from server.domain.timing import service_day
from server.engine.clock import Clock, iso, parse, utc_now
from server.engine.estimates import BranchEstimator, availability, run_here

# Calls kept in a branch's state for the boards' "previous calls" list.
RECENT_CALLS = 16  # a board shows nine codes, each once; recalls take lines of their own
# Moves after which the counter no longer expects the customer it called.
WITHDRAWING_MOVES = ("parked", "transferred", "no_show", "cancelled")
# The tickets behind :id in its service's queue, for a ticket with no stated priority that was
# not transferred in (QUEUE_ORDER: stated priority first, then transferred in, then by time
# queued, then by id). Such a ticket is behind only tickets like it queued no later, so the
# count reads the `tickets_waiting` index from :queued_at on: none, for a ticket just issued.
BEHIND = """
SELECT count(*) FROM tickets INDEXED BY tickets_waiting
WHERE service_id = :service_id AND service_day = :service_day AND status = 'waiting'
    AND queued_at >= :queued_at AND priority IS NULL AND NOT transferred
    AND (queued_at > :queued_at OR id > :id)
"""
# The tickets ahead of :id in its service's queue, in QUEUE_ORDER: for the few tickets served
# before all others (a stated priority, a transfer), so the few ahead of them.
AHEAD = """
SELECT count(*) FROM tickets INDEXED BY tickets_waiting
WHERE service_id = :service_id AND service_day = :service_day AND status = 'waiting'
    AND ((priority IS NOT NULL) > :has_priority
        OR ((priority IS NOT NULL) = :has_priority AND (transferred > :transferred
            OR (transferred = :transferred AND (queued_at < :queued_at
                OR (queued_at = :queued_at AND id < :id))))))
"""


class QueueReads:
    """Queries over one connection; `now` comes from the clock so tests control it."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Clock = utc_now,
        long_work: Callable[[Callable[[], Any]], Any] = run_here,
    ):
        """`long_work` runs what takes time in proportion to a queue (a full play of the wait
        model): a request's reads hand it to a worker thread, off the event loop."""
        self.db = db
        self.clock = clock
        self.estimator = BranchEstimator(db, clock, long_work)

    # -- rows -------------------------------------------------------------------------------

    def row(self, sql: str, params: Any = ()) -> dict | None:
        found = self.db.execute(sql, params).fetchone()
        return dict(found) if found else None

    def rows(self, sql: str, params: Any = ()) -> list[dict]:
        return [dict(r) for r in self.db.execute(sql, params).fetchall()]

    def branch(self, branch_id: int) -> dict:
        branch = self.row("SELECT * FROM branches WHERE id = ?", [branch_id])
        if branch is None:
            raise NotFound("There is no branch %(id)s.", "branch_id", id=branch_id)
        branch["languages"] = json.loads(branch["languages"])
        return branch

    def branch_by_slug(self, slug: str) -> dict:
        """An open branch by the slug in its public links (the join page, the poster)."""
        found = self.row("SELECT id FROM branches WHERE slug = ? AND active", [slug])
        if found is None:
            raise NotFound("There is no such store.", "branch")
        return self.branch(found["id"])

    def default_branch_id(self) -> int:
        found = self.row("SELECT id FROM branches ORDER BY id LIMIT 1")
        if found is None:
            raise NotFound("No branch is set up yet; run `sira init` or `sira demo`.")
        return found["id"]

    def service(self, service_id: int) -> dict:
        service = self.row("SELECT * FROM services WHERE id = ?", [service_id])
        if service is None:
            raise NotFound("There is no service %(id)s.", "service_id", id=service_id)
        return service

    def counter(self, counter_id: int) -> dict:
        counter = self.row("SELECT * FROM counters WHERE id = ?", [counter_id])
        if counter is None:
            raise NotFound("There is no counter %(id)s.", "counter_id", id=counter_id)
        counter["names"] = json.loads(counter["names"])
        counter["service_ids"] = [
            r["service_id"]
            for r in self.rows(
                "SELECT service_id FROM counter_services WHERE counter_id = ? ORDER BY service_id",
                [counter_id],
            )
        ]
        return counter

    def ticket_row(self, ticket_id: int) -> dict:
        ticket = self.row("SELECT * FROM tickets WHERE id = ?", [ticket_id])
        if ticket is None:
            raise NotFound("There is no ticket %(id)s.", "ticket_id", id=ticket_id)
        return ticket

    def ticket_row_by_token(self, token: str) -> dict:
        ticket = self.row("SELECT * FROM tickets WHERE token = ?", [token])
        if ticket is None:
            raise NotFound("There is no ticket with this link.", "token")
        return ticket

    def today(self, branch_id: int) -> str:
        """The branch's service day now (read on every change: two columns, nothing parsed)."""
        found = self.db.execute(
            "SELECT timezone, day_starts_at FROM branches WHERE id = ?", [branch_id]
        ).fetchone()
        if found is None:
            raise NotFound("There is no branch %(id)s.", "branch_id", id=branch_id)
        return service_day(self.clock(), found[0], found[1])

    # -- queue arithmetic ---------------------------------------------------------------------

    def waiting_rows(self, service_id: int, day: str) -> list[dict]:
        """The service's waiting tickets in the order they will be called."""
        return self.rows(
            f"SELECT * FROM tickets WHERE service_id = ? AND service_day = ?"
            f" AND status = 'waiting' ORDER BY {QUEUE_ORDER}",
            [service_id, day],
        )

    def position(self, ticket: dict) -> int:
        """How many waiting tickets of its service are called before this one (QUEUE_ORDER):
        the queue's length less those behind it, or for a ticket served before others, those
        ahead; counted in the `tickets_waiting` index, no row is read."""
        if ticket["priority"] is None and not ticket["transferred"]:
            behind = self.db.execute(BEHIND, ticket).fetchone()[0]
            return self.queue_length(ticket["service_id"], ticket["service_day"]) - 1 - behind
        has_priority = ticket["priority"] is not None
        return self.db.execute(AHEAD, {**ticket, "has_priority": has_priority}).fetchone()[0]

    def queue_length(self, service_id: int, day: str) -> int:
        """Tickets waiting for the service that day (kept by triggers: migration 0140)."""
        found = self.db.execute(
            "SELECT waiting FROM queue_lengths WHERE service_id = ? AND service_day = ?",
            [service_id, day],
        ).fetchone()
        return found[0] if found else 0

    def open_counters(self, service_id: int) -> int:
        """Counters serving the service with someone signed in at them and not paused."""
        branch_id = self.service(service_id)["branch_id"]
        return self.open_counters_by_service(branch_id).get(service_id, 0)

    def estimates(self, branch_id: int, day: str | None = None) -> BranchEstimates:
        """Every waiting ticket's and every service's estimated wait (server/domain/estimates)."""
        return self.estimator.estimates(branch_id, day or self.today(branch_id))

    # -- views -------------------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> dict:
        """The full ticket object of the API (staff and kiosk view)."""
        return self.ticket_from_row(self.ticket_row(ticket_id))

    def ticket_from_row(
        self,
        row: dict,
        position: int | None = None,
        estimate: Estimate | None = None,
        service: dict | None = None,
    ) -> dict:
        """`position`, `estimate` and `service` when the caller already knows them (a queue)."""
        service = service or self.service(row["service_id"])
        if row["status"] == Status.WAITING:
            if position is None:
                position = self.position(row)
            if estimate is None:
                estimate = self.estimates(row["branch_id"], row["service_day"]).tickets.get(
                    row["id"], NO_COUNTER
                )
        else:
            position, estimate = None, NO_COUNTER
        counter = None
        if row["counter_id"] is not None and row["status"] in AT_COUNTER:
            found = self.counter(row["counter_id"])
            counter = {"id": found["id"], "name": found["name"], "names": found["names"]}
        return {
            "id": row["id"],
            "code": row["code"],
            "token": row["token"],
            "status": row["status"],
            "service_id": row["service_id"],
            "service": {"id": service["id"], "prefix": service["prefix"], "name": service["name"]},
            "branch_id": row["branch_id"],
            "service_day": row["service_day"],
            "number": row["number"],
            "priority": row["priority"],
            "customer_name": row["customer_name"],
            "language": row["language"],
            "position": position,
            **estimate.fields(),
            "counter": counter,
            "recall_count": row["recall_count"],
            "transferred": bool(row["transferred"]),
            "channel": row["channel"],
            "more_time_count": row["more_time_count"],
            "on_my_way_at": row["on_my_way_at"],
            "created_at": row["created_at"],
            "queued_at": row["queued_at"],
            "called_at": row["called_at"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
        }

    def public_ticket(self, token: str) -> dict:
        """What the holder of the ticket's link may see, and nothing more."""
        return public_view(self.ticket_from_row(self.ticket_row_by_token(token)))

    def waiting_tickets(
        self, service_id: int, day: str, known: BranchEstimates | None = None
    ) -> list[dict]:
        """Full ticket objects of a service's queue, in calling order. `known`: the branch's
        estimates as a change just made them, used if they cover every ticket still waiting."""
        rows = self.waiting_rows(service_id, day)
        if known is not None and all(row["id"] in known.tickets for row in rows):
            estimates = known.tickets
        else:
            estimates = self.estimates(rows[0]["branch_id"], day).tickets if rows else {}
        service = self.service(service_id)
        return [
            self.ticket_from_row(row, position, estimates.get(row["id"], NO_COUNTER), service)
            for position, row in enumerate(rows)
        ]

    def services(self, branch_id: int) -> list[dict]:
        """Active services with their queue length, longest current wait and estimated wait."""
        day = self.today(branch_id)
        now = self.clock()
        services = self.rows(
            "SELECT services.*,"
            " coalesce((SELECT waiting FROM queue_lengths WHERE service_id = services.id"
            "   AND service_day = :day), 0) AS waiting,"
            " (SELECT min(queued_at) FROM tickets INDEXED BY tickets_waiting"
            "   WHERE tickets.service_id = services.id"
            "   AND tickets.service_day = :day AND tickets.status = 'waiting') AS oldest"
            " FROM services WHERE branch_id = :branch AND active ORDER BY sort_order, id",
            {"day": day, "branch": branch_id},
        )
        estimates = self.estimates(branch_id, day).services
        open_counters = self.open_counters_by_service(branch_id)
        return [
            {
                "id": s["id"],
                "prefix": s["prefix"],
                "name": s["name"],
                "names": json.loads(s["names"]),
                "target_wait_s": s["target_wait_s"],
                "waiting": s["waiting"],
                "longest_wait_s": (
                    int((now - parse(s["oldest"])).total_seconds()) if s["oldest"] else 0
                ),
                **estimates.get(s["id"], NO_COUNTER).fields(),
                "open_counters": open_counters.get(s["id"], 0),
            }
            for s in services
        ]

    def counters(self, branch_id: int) -> list[dict]:
        ids = self.rows("SELECT id FROM counters WHERE branch_id = ? ORDER BY id", [branch_id])
        return [self.counter_summary(r["id"]) for r in ids]

    def counter_summary(self, counter_id: int) -> dict:
        """A counter as lists show it: what it serves, and whether it is open or paused."""
        counter = self.counter(counter_id)
        return {
            "id": counter["id"],
            "name": counter["name"],
            "names": counter["names"],
            "service_ids": counter["service_ids"],
            "active": bool(counter["active"]),
            "paused_at": counter["paused_at"],
            "pause_reason": counter["pause_reason"],
            "pause_note": counter["pause_note"],
            **self.staffing(counter),
        }

    def staffing(self, counter: dict) -> dict:
        """Who is signed in at the counter, since when, and whether it is open for calls."""
        staff = None
        if counter["staffed_by"] is not None:
            user = self.row(
                "SELECT id, username, display_name FROM users WHERE id = ?",
                [counter["staffed_by"]],
            )
            staff = {"id": user["id"], "name": user["display_name"] or user["username"]}
        return {
            "open": availability(counter) == "open",
            "staffed_by": staff,
            "staffed_at": counter["staffed_at"],
        }

    def open_counters_by_service(self, branch_id: int) -> dict[int, int]:
        """Per service of the branch, how many counters serving it are open now."""
        return {
            r["service_id"]: r["n"]
            for r in self.rows(
                "SELECT counter_services.service_id, count(*) AS n FROM counter_services"
                " JOIN counters ON counters.id = counter_services.counter_id"
                " WHERE counters.branch_id = ? AND counters.active"
                " AND counters.staffed_by IS NOT NULL AND counters.paused_at IS NULL"
                " GROUP BY counter_services.service_id",
                [branch_id],
            )
        }

    def now_serving(self, branch_id: int) -> list[dict]:
        """Tickets at a counter right now, latest call first; no customer names."""
        return self.rows(
            "SELECT tickets.code, tickets.status, tickets.service_id, tickets.language,"
            " tickets.called_at, tickets.recall_count,"
            " counters.id AS counter_id, counters.name AS counter_name"
            " FROM tickets JOIN counters ON counters.id = tickets.counter_id"
            " WHERE tickets.branch_id = ? AND tickets.status IN ('called', 'serving')"
            " ORDER BY tickets.called_at DESC",
            [branch_id],
        )

    def recent_calls(self, branch_id: int) -> list[dict]:
        """The latest calls and recalls of today, newest first, for the boards. `withdrawn`:
        the ticket was parked, transferred, marked no-show or cancelled after that call."""
        later = ", ".join(f"'{kind}'" for kind in WITHDRAWING_MOVES)
        calls = self.rows(
            "SELECT tickets.code, tickets.service_id, tickets.language, ticket_events.at,"
            " ticket_events.kind, counters.id AS counter_id, counters.name AS counter_name,"
            " counters.names AS counter_names,"
            " EXISTS (SELECT 1 FROM ticket_events AS later"
            "  WHERE later.ticket_id = ticket_events.ticket_id AND later.id > ticket_events.id"
            f"  AND later.kind IN ({later})) AS withdrawn"
            " FROM ticket_events JOIN tickets ON tickets.id = ticket_events.ticket_id"
            " JOIN counters ON counters.id = ticket_events.counter_id"
            " WHERE tickets.branch_id = ? AND tickets.service_day = ?"
            " AND ticket_events.kind IN ('called', 'recalled')"
            " ORDER BY ticket_events.id DESC LIMIT ?",
            [branch_id, self.today(branch_id), RECENT_CALLS],
        )
        return [
            {
                **call,
                "counter_names": json.loads(call["counter_names"]),
                "withdrawn": bool(call["withdrawn"]),
            }
            for call in calls
        ]

    def queue_state(self, branch_id: int) -> dict:
        """The `queue` event's data: waiting per service and who is at which counter."""
        return {
            "branch_id": branch_id,
            "services": self.services(branch_id),
            "now_serving": self.now_serving(branch_id),
        }

    def branch_state(self, branch_id: int) -> dict:
        """Everything a board or a workstation needs to draw itself, with the branch `seq`."""
        branch = self.branch(branch_id)
        return {
            "seq": branch["seq"],
            "branch": {
                "id": branch["id"],
                "name": branch["name"],
                "slug": branch["slug"],
                "timezone": branch["timezone"],
                "languages": branch["languages"],
                "default_language": branch["default_language"],
            },
            "service_day": self.today(branch_id),
            **self.queue_state(branch_id),
            "counters": self.counters(branch_id),
            "recent_calls": self.recent_calls(branch_id),
        }

    def counter_state(self, counter_id: int) -> dict:
        """A workstation's view: its ticket in hand (with its history), the queues it serves
        with their targets, and the server's `now` so waits are counted on one clock."""
        counter = self.counter(counter_id)
        current = self.row(
            "SELECT * FROM tickets WHERE counter_id = ? AND status IN ('called', 'serving')"
            " ORDER BY called_at DESC LIMIT 1",
            [counter_id],
        )
        day = self.today(counter["branch_id"])
        waiting = []
        for service_id in counter["service_ids"]:
            waiting += self.waiting_tickets(service_id, day)
        if current:
            current = {
                **self.ticket_from_row(current),
                "history": self.ticket_history(current["id"]),
            }
        return {
            "seq": self.branch(counter["branch_id"])["seq"],
            "now": iso(self.clock()),
            "counter": {
                "id": counter["id"],
                "name": counter["name"],
                "names": counter["names"],
                "active": bool(counter["active"]),
                "service_ids": counter["service_ids"],
                "branch_id": counter["branch_id"],
                "paused_at": counter["paused_at"],
                "pause_reason": counter["pause_reason"],
                "pause_note": counter["pause_note"],
                **self.staffing(counter),
            },
            "services": [
                s for s in self.services(counter["branch_id"]) if s["id"] in counter["service_ids"]
            ],
            "current": current,
            "waiting": waiting,
            "undo": None if current else self.undoable(counter_id),
        }

    def undoable(self, counter_id: int) -> dict | None:
        """The counter's latest ticket event when it is a finish or no-show still within the
        undo window: `{ticket_id, code, kind, at, until}`; None otherwise."""
        last = self.row(
            "SELECT ticket_events.ticket_id, ticket_events.kind, ticket_events.at, tickets.code"
            " FROM ticket_events JOIN tickets ON tickets.id = ticket_events.ticket_id"
            " WHERE ticket_events.counter_id = ? ORDER BY ticket_events.id DESC LIMIT 1",
            [counter_id],
        )
        if last is None or last["kind"] not in UNDOABLE:
            return None
        until = parse(last["at"]) + UNDO_WINDOW
        if self.clock() > until:
            return None
        return {**last, "until": iso(until)}

    def ticket_history(self, ticket_id: int) -> list[dict]:
        """A ticket's events, oldest first, with who and where: what the counter sees of it."""
        events = self.rows(
            "SELECT ticket_events.at, ticket_events.kind, ticket_events.data,"
            " counters.name AS counter_name, users.display_name AS user_name"
            " FROM ticket_events LEFT JOIN counters ON counters.id = ticket_events.counter_id"
            " LEFT JOIN users ON users.id = ticket_events.user_id"
            " WHERE ticket_events.ticket_id = ? ORDER BY ticket_events.id",
            [ticket_id],
        )
        return [{**event, "data": json.loads(event["data"])} for event in events]

    def staff_today(self, user_id: int, branch_id: int) -> dict:
        """A staff member's own day in a branch: customers served and no-shows, mean service."""
        found = self.row(
            "SELECT count(*) FILTER (WHERE ticket_events.kind = 'finished') AS served,"
            " count(*) FILTER (WHERE ticket_events.kind = 'no_show') AS no_show,"
            " avg((julianday(tickets.finished_at) - julianday(tickets.started_at)) * 86400)"
            "  FILTER (WHERE ticket_events.kind = 'finished') AS service_s"
            " FROM ticket_events JOIN tickets ON tickets.id = ticket_events.ticket_id"
            " WHERE ticket_events.user_id = ? AND tickets.branch_id = ?"
            " AND tickets.service_day = ? AND ticket_events.kind IN ('finished', 'no_show')",
            [user_id, branch_id, self.today(branch_id)],
        )
        return {
            "served": found["served"],
            "no_show": found["no_show"],
            "avg_service_s": round(found["service_s"]) if found["service_s"] is not None else None,
        }


PUBLIC_FIELDS = (
    "code",
    "token",
    "status",
    "service",
    "position",
    "eta_s",
    "eta_range_s",
    "eta_minutes",
    "counter",
    "language",
    "channel",
    "more_time_count",
    "on_my_way_at",
)
# A counter-top feedback screen greets the customer at its counter and rates their visit.
FEEDBACK_FIELDS = ("code", "token", "status", "language")


def public_view(ticket: dict) -> dict:
    """The part of a ticket its holder sees on the phone: no names, no staff, no history."""
    return {key: ticket[key] for key in PUBLIC_FIELDS}


def feedback_view(ticket: dict) -> dict:
    """What a feedback screen shows of the ticket at its counter: the first name only."""
    names = (ticket.get("customer_name") or "").split()
    return {
        **{key: ticket[key] for key in FEEDBACK_FIELDS},
        "customer_name": names[0] if names else None,
    }


def feedback_state(counter_state: dict) -> dict:
    """A feedback screen's start: its counter's name and the customer at it; nobody waiting."""
    current = counter_state["current"]
    return {
        "seq": counter_state["seq"],
        "now": counter_state["now"],
        "counter": {key: counter_state["counter"][key] for key in ("id", "name", "names")},
        "current": feedback_view(current) if current else None,
    }
