"""Counters are open only while someone works at them.

A staff member signs in at a counter on the workstation (or calls from it): the counter opens.
It closes when they sign out, move to another counter, or their workstation's heartbeat has been
missing for the grace period. Each opening and closing is a counter event (kept in
counter_events with its reason, like pauses) and a change of the branch's `seq`, so boards,
managers and estimates follow at once.
"""

from __future__ import annotations

import json
from datetime import timedelta

from server.domain.errors import InvalidTransition
from server.domain.events import CounterChanged
from server.engine.clock import iso
from server.storage import transaction

# Why a counter closed, as kept in its `closed` event.
SIGNED_OUT = "signed_out"
CHANGED_COUNTER = "changed_counter"
HEARTBEAT_LOST = "heartbeat_lost"
CLOSED_BY_STAFF = "closed"


class CounterStaffing:
    """Opening and closing counters; mixed into QueueEngine (needs db, clock, reads)."""

    def open_counter(self, counter_id: int, user_id: int) -> list:
        """Sign `user_id` in at the counter (leaving any other counter they were at)."""
        with transaction(self.db):
            counter = self.reads.counter(counter_id)
            if counter["staffed_by"] == user_id:
                self.db.execute(
                    "UPDATE counters SET heartbeat_at = NULL WHERE id = ?", [counter_id]
                )
                return []
            return self._changes(self._staff(counter, user_id))

    def close_counter(self, counter_id: int, user_id: int | None, reason: str) -> list:
        """Nobody works at the counter any more; nothing happens if nobody did."""
        with transaction(self.db):
            counter = self.reads.counter(counter_id)
            if counter["staffed_by"] is None:
                return []
            return self._changes([self._unstaff(counter, user_id, reason)])

    def sign_out(self, user_id: int) -> list:
        """The staff member signed out: every counter they were at closes."""
        with transaction(self.db):
            return self._changes(
                [
                    self._unstaff(counter, user_id, SIGNED_OUT)
                    for counter in self._counters_of(user_id)
                ]
            )

    def heartbeat(self, counter_id: int, user_id: int) -> bool:
        """The workstation is still there; False when the counter is no longer this user's."""
        with transaction(self.db):
            return bool(
                self.db.execute(
                    "UPDATE counters SET heartbeat_at = ? WHERE id = ? AND staffed_by = ?",
                    [iso(self.clock()), counter_id, user_id],
                ).rowcount
            )

    def close_unattended(self, grace_s: float) -> list:
        """Close counters whose workstation has sent no heartbeat for `grace_s` seconds."""
        limit = iso(self.clock() - timedelta(seconds=grace_s))
        with transaction(self.db):
            gone = self.db.execute(
                "SELECT id FROM counters WHERE staffed_by IS NOT NULL AND heartbeat_at < ?",
                [limit],
            ).fetchall()
            return self._changes(
                [self._unstaff(self.reads.counter(row["id"]), None, HEARTBEAT_LOST) for row in gone]
            )

    # -- inside a transaction ----------------------------------------------------------------

    def _staff_on_call(self, counter: dict, user_id: int | None) -> list[CounterChanged]:
        """A call from a closed counter opens it for the caller (the caller's events)."""
        if counter["staffed_by"] is not None or user_id is None:
            return []
        return [event for _, event in self._staff(counter, user_id)]

    def _staff(self, counter: dict, user_id: int) -> list[tuple[int, CounterChanged]]:
        if not counter["active"]:
            raise InvalidTransition(
                "Counter %(counter)s is closed.", "counter_id", counter=counter["name"]
            )
        events = [
            self._unstaff(elsewhere, user_id, CHANGED_COUNTER)
            for elsewhere in self._counters_of(user_id)
            if elsewhere["id"] != counter["id"]
        ]
        self.db.execute(
            "UPDATE counters SET staffed_by = ?, staffed_at = ?, heartbeat_at = NULL WHERE id = ?",
            [user_id, iso(self.clock()), counter["id"]],
        )
        data = {"replaced": counter["staffed_by"]} if counter["staffed_by"] else {}
        events.append(self._counter_event(counter, "opened", user_id, data))
        return events

    def _unstaff(
        self, counter: dict, user_id: int | None, reason: str
    ) -> tuple[int, CounterChanged]:
        self.db.execute(
            "UPDATE counters SET staffed_by = NULL, staffed_at = NULL, heartbeat_at = NULL"
            " WHERE id = ?",
            [counter["id"]],
        )
        return self._counter_event(
            counter, "closed", user_id, {"reason": reason, "staff_id": counter["staffed_by"]}
        )

    def _counters_of(self, user_id: int) -> list[dict]:
        return [
            self.reads.counter(row["id"])
            for row in self.db.execute(
                "SELECT id FROM counters WHERE staffed_by = ?", [user_id]
            ).fetchall()
        ]

    def _counter_event(
        self, counter: dict, kind: str, user_id: int | None, data: dict
    ) -> tuple[int, CounterChanged]:
        self.db.execute(
            "INSERT INTO counter_events (counter_id, at, kind, user_id, data)"
            " VALUES (?, ?, ?, ?, ?)",
            [counter["id"], iso(self.clock()), kind, user_id, json.dumps(data, ensure_ascii=False)],
        )
        return counter["branch_id"], CounterChanged(counter["id"], kind)

    def _changes(self, events: list[tuple[int, CounterChanged]]) -> list:
        """One Change per branch touched, each with its counter events and new queue state."""
        from server.engine.queue import Change  # queue.py builds QueueEngine on this mixin

        branches: dict[int, list[CounterChanged]] = {}
        for branch_id, event in events:
            branches.setdefault(branch_id, []).append(event)
        return [
            Change(
                branch_id=branch_id,
                seq=self._bump_seq(branch_id),
                ticket=None,
                events=found,
                queue=self.reads.queue_state(branch_id),
                estimates=self.reads.estimates(branch_id),
            )
            for branch_id, found in branches.items()
        ]
