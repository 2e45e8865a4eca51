"""The workstation's heartbeat, and the watch that closes counters whose workstation is gone.

A workstation emits `heartbeat` {counter_id} every few seconds while it is open at a counter.
A closed laptop, a lost network or a crashed browser stops it; after the grace period
(SIRA_COUNTER_GRACE_S) the counter closes, so customers are not promised a counter nobody is at.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, g

from server.auth.principal import ANONYMOUS
from server.db import get_engine
from server.domain.errors import ValidationError
from server.realtime import socketio
from server.realtime.guard import refusal
from server.realtime.handlers import connection_principal

WATCH = "sira_counter_watch"
log = logging.getLogger(__name__)


@socketio.on("heartbeat")
def heartbeat(data: Any = None) -> dict:
    """`{counter_id}` from a staff member's workstation; `open` false asks it to sign in again."""
    principal = connection_principal()
    counter_id = data.get("counter_id") if isinstance(data, dict) else None
    if principal.user_id is None or not isinstance(counter_id, int) or isinstance(counter_id, bool):
        return refusal(
            ValidationError("A staff member's heartbeat names its counter_id.", "counter_id")
        )
    return {"ok": True, "open": get_engine().heartbeat(counter_id, principal.user_id)}


class CounterWatch:
    """A background thread (a greenlet under gevent) of `sira serve`, like the print worker."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopping = threading.Event()

    def start(self) -> CounterWatch:
        threading.Thread(target=self.run, name="sira-counter-watch", daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        grace = self.app.config["SIRA_COUNTER_GRACE_S"]
        while not self.stopping.wait(max(grace / 4, 1.0)):
            try:
                # The engine's writer commits the closings; its subscribers publish them.
                with self.app.app_context():  # its teardown gives the read connection back
                    g.principal = ANONYMOUS  # the server's own move: no request, nobody asked
                    get_engine().close_unattended(grace)
            except Exception:  # the watch must outlive a database hiccup
                log.exception("counter watch")


def start_counter_watch(app: Flask) -> CounterWatch:
    """Started by `sira serve`, never inside a request."""
    watch = CounterWatch(app).start()
    app.extensions[WATCH] = watch
    return watch
