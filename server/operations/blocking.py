"""Blocking work (SQLite, which may wait on a lock or fsync) kept off gevent's hub."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from server.realtime import socketio

T = TypeVar("T")


def off_the_hub(function: Callable[..., T], *args: object) -> T:
    """Run function in a real thread when serving on gevent, so other clients are not held up."""
    if socketio.async_mode == "gevent":
        from gevent import get_hub

        return get_hub().threadpool.apply(function, args)
    return function(*args)
