"""Blocking work (image drawing, anything that holds the CPU in C) off the gevent hub.

Under `sira serve` the server runs on gevent: a request that draws a picture on the hub
would stall every other connection meanwhile. Such work runs in gevent's thread pool there,
and simply inline in threaded servers and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from server.realtime import socketio

T = TypeVar("T")


def off_hub(work: Callable[..., T], *args: Any) -> T:
    if socketio.async_mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(work, args)
    return work(*args)
