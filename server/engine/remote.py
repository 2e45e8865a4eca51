"""Joining the queue from a phone, and the moves the ticket's holder makes from it.

A mixin of QueueEngine: joining is the kiosk's issuing path with the store's remote rules
checked inside its transaction (so two phones cannot both take the last place), and "more
time" and "leave" are moves like the counter's, each one transaction with its ticket event.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlite_utils

from server.domain import remote_joining, validation
from server.domain.remote_joining import ACTIVE_STATUSES, JoinRefused, MoveRefused
from server.domain.tickets import Status
from server.domain.timing import service_day
from server.engine.clock import iso, parse
from server.storage import transaction

if TYPE_CHECKING:
    from server.engine.clock import Clock
    from server.engine.queue import Change
    from server.engine.reads import QueueReads


PHONE_KEY_LIMIT = validation.MAX_IDEMPOTENCY_KEY - 50


class RemoteMoves:
    """Joining from a phone, "I need more time" and "Leave the queue"."""

    db: sqlite_utils.Database
    reads: QueueReads
    clock: Clock

    def join(
        self,
        branch_slug: str,
        service_id: Any,
        *,
        phone_id: str,
        language: Any = None,
        priority: Any = None,
        customer_name: Any = None,
        idempotency_key: str | None = None,
    ) -> Change:
        """A phone's ticket (channel `phone`) if the branch's remote rules admit it.

        The idempotency key is the phone's own: the same key from another phone is another
        join."""
        branch_id = self.reads.branch_by_slug(branch_slug)["id"]
        priority = validation.priority(priority)
        # Room for the phone's id in front, within the stored key's limit.
        key = validation.text(idempotency_key, "Idempotency-Key", PHONE_KEY_LIMIT)

        def admit(branch: dict, service: dict) -> None:
            # Today's only: a ticket left waiting from an earlier day is void, not held.
            held = self.reads.row(
                "SELECT code FROM tickets WHERE branch_id = ? AND phone_id = ?"
                f" AND service_day = ? AND status IN {ACTIVE_STATUSES}",
                [branch["id"], phone_id, self.reads.today(branch["id"])],
            )
            if held:
                raise MoveRefused(
                    "one_ticket_per_phone",
                    f"This phone already holds ticket {held['code']} here.",
                    "phone",
                )
            self._check_remote_rules(branch, service)
            remote_joining.check_priority(priority, branch, service)

        return self.issue_ticket(
            service_id,
            language=language,
            priority=priority,
            customer_name=customer_name,
            idempotency_key=f"phone:{phone_id}:{key}" if key else None,
            branch_id=branch_id,
            channel="phone",
            phone_id=phone_id,
            admit=admit,
        )

    def join_info(self, branch_slug: str) -> dict:
        """What the join page shows: the branch, its languages, and each open service with
        its queue, estimated wait and whether a phone may join it now (and if not, why)."""
        branch = self.reads.branch_by_slug(branch_slug)
        services = []
        for listed in self.reads.services(branch["id"]):
            service = self.reads.service(listed["id"])
            try:
                self._check_remote_rules(branch, service)
                closed_because = None
            except JoinRefused as refusal:
                closed_because = refusal.code
            services.append(
                {
                    **{key: listed[key] for key in ("id", "prefix", "name", "names")},
                    **{
                        key: listed[key]
                        for key in ("waiting", "eta_s", "eta_range_s", "eta_minutes")
                    },
                    "priority_allowed": bool(service["priority_allowed"]),
                    "open": closed_because is None,
                    "closed_because": closed_because,
                }
            )
        return {
            "branch_id": branch["id"],
            "slug": branch["slug"],
            "name": branch["name"],
            "languages": branch["languages"],
            "default_language": branch["default_language"],
            "priority_enabled": bool(branch["priority_enabled"]),
            "services": services,
        }

    def more_time(self, token: str) -> Change:
        """Move a waiting ticket back a few places among those like it, at most twice."""
        with transaction(self.db):
            ticket = self.waiting_by_token(token, "ask for more time")
            if ticket["more_time_count"] >= remote_joining.MORE_TIME_LIMIT:
                raise MoveRefused(
                    "more_time_used_up",
                    f"Ticket {ticket['code']} has already asked for more time"
                    f" {remote_joining.MORE_TIME_LIMIT} times.",
                )
            behind = self._behind(ticket)
            if not behind:
                raise MoveRefused("nobody_behind", f"Nobody waits behind ticket {ticket['code']}.")
            places = min(remote_joining.MORE_TIME_PLACES, len(behind))
            after = behind[places]["queued_at"] if places < len(behind) else None
            queued_at = between(behind[places - 1]["queued_at"], after)
            self.db.execute(
                "UPDATE tickets SET queued_at = ?, more_time_count = more_time_count + 1"
                " WHERE id = ?",
                [queued_at, ticket["id"]],
            )
            return self._record(
                ticket["id"],
                "more_time",
                data={"places": places, "count": ticket["more_time_count"] + 1},
            )

    def on_my_way(self, token: str) -> Change | None:
        """The holder says they are on their way (asked near the front); said once, kept.
        None when it was said already: nothing changes."""
        with transaction(self.db):
            ticket = self.waiting_by_token(token, "say they are on their way")
            if ticket["on_my_way_at"]:
                return None
            self.db.execute(
                "UPDATE tickets SET on_my_way_at = ? WHERE id = ?",
                [iso(self.clock()), ticket["id"]],
            )
            return self._record(ticket["id"], "on_my_way")

    def leave(self, token: str) -> Change:
        """The holder cancels their own waiting ticket."""
        with transaction(self.db):
            ticket = self.waiting_by_token(token, "leave the queue")
            self._move(ticket["id"], "cancel", {"finished_at": iso(self.clock())})
            return self._record(ticket["id"], "left", data={"channel": ticket["channel"]})

    def waiting_by_token(self, token: str, move: str) -> dict:
        """The holder's ticket row, or MoveRefused (409) when it no longer waits."""
        ticket = self.reads.ticket_row_by_token(token)
        if ticket["status"] != Status.WAITING:
            raise MoveRefused(
                "not_waiting",
                f"Ticket {ticket['code']} is {ticket['status']}: only a waiting ticket can {move}.",
            )
        return ticket

    def _check_remote_rules(self, branch: dict, service: dict) -> None:
        """Refuse (JoinRefused) unless the rules in force admit a remote ticket right now."""
        now = self.clock()
        rules = remote_joining.rules_for(branch, service)
        remote_joining.check_open(
            rules, json.loads(branch["opening_hours"]), branch["timezone"], now
        )
        day = service_day(now, branch["timezone"], branch["day_starts_at"])
        counts = self.reads.row(
            "SELECT count(*) FILTER (WHERE channel = 'phone') AS remote,"
            " count(*) FILTER (WHERE channel = 'phone' AND service_id = :service)"
            "  AS remote_service,"
            " count(*) FILTER (WHERE service_id = :service) AS queue"
            " FROM tickets WHERE branch_id = :branch AND service_day = :day"
            " AND status = 'waiting'",
            {"branch": branch["id"], "service": service["id"], "day": day},
        )
        remote_joining.check_room(
            rules, counts["remote"], counts["remote_service"], counts["queue"]
        )

    def _behind(self, ticket: dict) -> list[dict]:
        """Tickets after this one in its queue with the same standing (priority, transfer):
        going back never jumps it behind someone it would not otherwise follow."""
        queue = self.reads.waiting_rows(ticket["service_id"], ticket["service_day"])
        place = [row["id"] for row in queue].index(ticket["id"])
        return [
            row
            for row in queue[place + 1 :]
            if (row["priority"] is None) == (ticket["priority"] is None)
            and row["transferred"] == ticket["transferred"]
        ]


def between(earlier: str, later: str | None) -> str:
    """A queue time just after `earlier` and, when there is one, before `later`: the middle of
    the two (or a microsecond after `earlier` when they are closer than that)."""
    start = parse(earlier)
    if later is not None and parse(later) - start >= timedelta(microseconds=2):
        return iso(start + (parse(later) - start) / 2)
    return iso(start + timedelta(microseconds=1))
