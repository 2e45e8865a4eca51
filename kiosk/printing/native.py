"""Real OS threads for printing, whatever gevent or eventlet patched.

`sira serve` runs on gevent, where `threading.Thread` is a greenlet on the one event loop: a
SQLite commit, a stalled device file or a libcups call there freezes every client. The print
worker therefore runs in native threads, talks to them through a native queue, and hands what
must reach Socket.IO back to the event loop.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from server.storage.handoff import original


def new_queue() -> Any:
    """A queue that native threads and the event loop may share (put never blocks)."""
    return original("queue", "SimpleQueue")()


def wait_for(queue: Any, timeout: float) -> tuple[bool, Any]:
    """(True, item) from a new_queue(), or (False, None) when `timeout` passed first."""
    try:
        return True, queue.get(timeout=timeout)
    except original("queue", "Empty"):
        return False, None


class LoopCall:
    """Calls a function on the event loop of the thread that made this (gevent), or at once."""

    def __init__(self) -> None:
        self.loop = None
        if "gevent" in sys.modules:
            from gevent import get_hub
            from gevent.monkey import is_module_patched

            if is_module_patched("threading"):
                self.loop = get_hub().loop

    def __call__(self, function: Callable[..., Any], *args: Any) -> None:
        if self.loop is None:
            function(*args)
            return
        import gevent

        self.loop.run_callback_threadsafe(gevent.spawn, function, *args)


def process_id(pid: int) -> str:
    """`host:pid:start`: a process, told apart from a later one that reuses its pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            start = stat.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        start = "?"
    return f"{socket.gethostname()}:{pid}:{start}"


def process_alive(claimer: str) -> bool:
    """Whether the process that wrote `claimer` (process_id) still runs; another host's
    processes cannot be seen and count as alive."""
    host, _, rest = claimer.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isascii() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if start != "?" and os.path.exists("/proc/self/stat"):
        return process_id(pid) == claimer
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
