"""Limits per Socket.IO connection, so that one socket cannot starve every other client.

Each connection gets an event budget (a burst, refilled at a steady rate), checked inline as
Engine.IO reads each message, before any handler is started: an event over budget is dropped,
and a connection that keeps sending past its budget is disconnected. Handlers that do work
(`subscribe`) are also capped per connection while they run, and the rooms a connection holds
are counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Flask, current_app, request

from server.domain.errors import DomainError, RateLimited
from server.i18n import translated
from server.realtime import socketio


@dataclass
class Budget:
    """One connection's allowance: tokens refill at `rate` per second up to `burst`."""

    rate: float
    burst: float
    tokens: float
    refilled_at: float
    dropped: int = 0
    running: int = 0
    rooms: set[str] = field(default_factory=set)

    def spend(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.refilled_at) * self.rate)
        self.refilled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.dropped += 1
        return False


class Guard:
    """The budgets of one server's connections, keyed by Engine.IO session id."""

    def __init__(self, rate: float, burst: int, handlers: int, rooms: int):
        self.rate = rate
        self.burst = burst
        self.handlers = handlers
        self.rooms = rooms
        self.budgets: dict[str, Budget] = {}

    def budget(self, eio_sid: str) -> Budget:
        found = self.budgets.get(eio_sid)
        if found is None:
            now = time.monotonic()
            found = self.budgets[eio_sid] = Budget(self.rate, self.burst, self.burst, now)
        return found

    def admit(self, eio_sid: str) -> bool:
        """Whether to handle this message; a connection that floods on is told to go."""
        budget = self.budget(eio_sid)
        if budget.spend(time.monotonic()):
            return True
        if budget.dropped > self.burst:
            self.budgets.pop(eio_sid, None)
            socketio.server.eio.disconnect(eio_sid)
        # Let other greenlets run: the flood's frames may all be buffered and read without waiting.
        socketio.sleep(0)
        return False

    def forget(self, eio_sid: str) -> None:
        self.budgets.pop(eio_sid, None)


def install(app: Flask) -> None:
    """Put the guard in front of the Socket.IO server's Engine.IO message handler."""
    guard = Guard(
        rate=float(app.config["SIRA_SOCKET_EVENTS_PER_S"]),
        burst=int(app.config["SIRA_SOCKET_EVENT_BURST"]),
        handlers=int(app.config["SIRA_SOCKET_HANDLERS"]),
        rooms=int(app.config["SIRA_SOCKET_ROOMS"]),
    )
    eio = socketio.server.eio
    dispatch = eio.handlers["message"]
    hang_up = eio.handlers["disconnect"]

    def guarded_message(eio_sid: str, data: Any) -> None:
        if not guard.admit(eio_sid):
            return
        try:
            dispatch(eio_sid, data)
        except (RecursionError, ValueError) as malformed:  # JSON nested too deep, a bad packet
            eio.logger.warning("closing %s: malformed packet (%s)", eio_sid, malformed)
            guard.forget(eio_sid)
            eio.disconnect(eio_sid)

    def guarded_disconnect(eio_sid: str, *args: Any) -> Any:
        guard.forget(eio_sid)
        return hang_up(eio_sid, *args)

    eio.on("message", guarded_message)
    eio.on("disconnect", guarded_disconnect)
    # Check each message as it is read rather than in a greenlet of its own: a flood then costs
    # its own connection's reading time, not 50,000 greenlets. Socket.IO still runs each admitted
    # event's handler in a greenlet of its own.
    eio.async_handlers = False
    app.extensions["sira_socket_guard"] = guard


def current_budget() -> tuple[Guard, Budget]:
    """The guard and the budget of the connection whose event is being handled."""
    guard: Guard = current_app.extensions["sira_socket_guard"]
    eio_sid = socketio.server.manager.eio_sid_from_sid(request.sid, "/")
    return guard, guard.budget(eio_sid)


def capped(handler: Callable[..., dict]) -> Callable[..., dict]:
    """At most SIRA_SOCKET_HANDLERS of a connection's handlers run at once; others are refused."""

    @wraps(handler)
    def run(*args: Any) -> dict:
        guard, budget = current_budget()
        if budget.running >= guard.handlers:
            return refusal(RateLimited("Too many requests at once on this connection.", "event"))
        budget.running += 1
        try:
            return handler(*args)
        finally:
            budget.running -= 1

    return run


def room_allowed(room: str) -> None:
    """Refuse a new room past the connection's limit (rooms it holds may be joined again)."""
    guard, budget = current_budget()
    if room not in budget.rooms and len(budget.rooms) >= guard.rooms:
        raise RateLimited(
            "A connection may follow at most %(count)d rooms.", "room", count=guard.rooms
        )


def joined(room: str) -> None:
    current_budget()[1].rooms.add(room)


def left(room: str) -> None:
    current_budget()[1].rooms.discard(room)


def refusal(error: DomainError) -> dict:
    """The acknowledgement of a refused event, in the API's error shape (and the reader's
    language)."""
    return {
        "ok": False,
        "error": {"code": error.code, "message": translated(error), "field": error.field},
    }
