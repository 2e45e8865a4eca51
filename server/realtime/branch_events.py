"""Events to a branch's room (boards, staff pages, managers), with `queue` paced.

A busy branch changes many times a second, and every change's `queue` event goes to every board
and staff page in the room: 500 tickets a second before 200 boards would be 100,000 frames a
second, and the event loop would spend itself writing them while kiosks wait. A board needs the
newest queue, not each one. So `queue` goes out at once when the room has had none for
SIRA_QUEUE_EVENT_INTERVAL_S, and otherwise when that interval is over, with the newest state:
it then stands for several changes, from its `seq_from` to its `seq`, and a client sees no gap.
A change with a call sends `called` first and its queue at once after it, standing for a
waiting `queue`'s changes too; any other event to the room first sends the `queue` still
waiting. Either way the room's events keep their seq order and leave no gap.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

from server.realtime import socketio
from server.realtime.listeners import emit
from server.realtime.rooms import branch_room

EXTENSION = "sira_branch_events"


class BranchEvents:
    def __init__(self, interval_s: float):
        self.interval_s = interval_s
        self.lock = threading.Lock()
        self.last_sent: dict[int, float] = {}  # per branch, when its last `queue` went out
        self.waiting: dict[int, dict] = {}  # per branch, the `queue` event to send next

    def queue(self, branch_id: int, seq: int, state: dict, at_once: bool = False) -> None:
        """The branch's queue after change `seq`: now, or with the next paced `queue`."""
        event = {"seq": seq, "seq_from": seq, **state}
        with self.lock:
            waiting = self.waiting.pop(branch_id, None)
            if waiting:  # changes of one commit group may be published out of order
                newest = waiting if waiting["seq"] > seq else event
                event = {**newest, "seq_from": min(waiting["seq_from"], seq)}
            due = self.last_sent.get(branch_id, -self.interval_s) + self.interval_s
            now = time.monotonic()
            send_now = at_once or now >= due
            if send_now:
                self.last_sent[branch_id] = now
            else:
                self.waiting[branch_id] = event
        if send_now:
            emit("queue", event, to=branch_room(branch_id))
        elif not waiting:  # the first change to wait sets the timer; the others join it
            socketio.start_background_task(self.send_waiting, branch_id, due - now)

    def emit(self, branch_id: int, name: str, data: dict) -> None:
        """Any other event to the room, after the `queue` still waiting."""
        self.send_waiting(branch_id)
        emit(name, data, to=branch_room(branch_id))

    def emit_call(self, branch_id: int, data: dict) -> None:
        """`called` goes before everything: the change's own `queue` follows it at once and
        supersedes a `queue` still waiting, so `called` stands for that one's changes too
        (its `seq_from`), and the boards hear the call without a queue's fan-out first."""
        with self.lock:
            waiting = self.waiting.pop(branch_id, None)
        if waiting:
            data = {**data, "seq_from": min(waiting["seq_from"], data["seq"])}
        emit("called", data, to=branch_room(branch_id))

    def send_waiting(self, branch_id: int, after_s: float = 0.0) -> None:
        if after_s > 0:
            socketio.sleep(after_s)
        with self.lock:
            event = self.waiting.pop(branch_id, None)
            if event:
                self.last_sent[branch_id] = time.monotonic()
        if event:
            emit("queue", event, to=branch_room(branch_id))


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = BranchEvents(float(app.config["SIRA_QUEUE_EVENT_INTERVAL_S"]))


def branch_events(app: Flask | None = None) -> BranchEvents:
    return (app or current_app).extensions[EXTENSION]
