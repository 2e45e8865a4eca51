"""Events to a branch's room (boards, staff pages, managers), with `queue` paced.

A busy branch changes many times a second, and every change's `queue` event goes to every board
and staff page in the room: 500 tickets a second before 200 boards would be 100,000 frames a
second, and the event loop would spend itself writing them while kiosks wait. A board needs the
newest queue, not each one. So `queue` goes out at once when the room has had none for
SIRA_QUEUE_EVENT_INTERVAL_S, and otherwise when that interval is over, with the newest state:
it then stands for several changes, from its `seq_from` to its `seq`, and a client sees no gap.

A change's own events to the room (`called`, `withdrawn`, `counter`) go before its queue and
never wait for it: the change's queue is held first, and each event sent while a queue waits
carries the waiting queue's `seq_from`, standing for its changes too. The queue follows in its
time with the same or a newer `seq`, so a client applies it. An event of a change whose queue is
not held (a printer's status) first sends the older queue still waiting. Either way a client
sees no gap and never a queue older than an event it has applied.
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
        self.timed: set[int] = set()  # the branches whose waiting `queue` has a send set

    def hold_queue(self, branch_id: int, seq: int, state: dict) -> None:
        """The branch's queue after change `seq`, merged into the one waiting to be sent: the
        change's other events go first, then `send_queue_when_due`."""
        event = {"seq": seq, "seq_from": seq, **state}
        with self.lock:
            waiting = self.waiting.get(branch_id)
            if waiting:  # changes of one commit group may be published out of order
                newest = waiting if waiting["seq"] > seq else event
                event = {**newest, "seq_from": min(waiting["seq_from"], seq)}
            self.waiting[branch_id] = event

    def send_queue_when_due(self, branch_id: int) -> None:
        """The waiting queue now if the room has had none for the interval, else at its end."""
        with self.lock:
            if branch_id not in self.waiting or branch_id in self.timed:
                return
            due = self.last_sent.get(branch_id, -self.interval_s) + self.interval_s
            wait_s = due - time.monotonic()
            if wait_s > 0:
                self.timed.add(branch_id)
        if wait_s > 0:
            socketio.start_background_task(self.send_waiting, branch_id, wait_s)
        else:
            self.send_waiting(branch_id)

    def emit(self, branch_id: int, name: str, data: dict) -> None:
        """Any other event to the room: standing for the waiting queue's changes when that queue
        holds this event's change, after it otherwise."""
        with self.lock:
            waiting = self.waiting.get(branch_id)
        if waiting and waiting["seq"] >= data["seq"]:
            data = {**data, "seq_from": min(waiting["seq_from"], data["seq"])}
        else:
            self.send_waiting(branch_id)
        emit(name, data, to=branch_room(branch_id))

    def send_waiting(self, branch_id: int, after_s: float = 0.0) -> None:
        if after_s > 0:
            socketio.sleep(after_s)
        with self.lock:
            if after_s > 0:
                self.timed.discard(branch_id)
            event = self.waiting.pop(branch_id, None)
            if event:
                self.last_sent[branch_id] = time.monotonic()
        if event:
            emit("queue", event, to=branch_room(branch_id))


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = BranchEvents(float(app.config["SIRA_QUEUE_EVENT_INTERVAL_S"]))


def branch_events(app: Flask | None = None) -> BranchEvents:
    return (app or current_app).extensions[EXTENSION]
