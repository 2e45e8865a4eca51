"""Work that blocks in C (decoding images, writing files) run off the gevent hub.

Under `sira serve` every client shares one OS thread: a second spent decoding a picture there is
a second in which nobody else is answered. Such work goes to the async library's pool of native
threads; in the threaded mode of tests and WSGI scripts it simply runs in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from server.realtime import socketio

Result = TypeVar("Result")


def off_the_hub(function: Callable[..., Result], *args: Any) -> Result:
    """Call `function(*args)` in a native thread when serving on gevent or eventlet."""
    if socketio.async_mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    if socketio.async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(function, *args)
    return function(*args)
