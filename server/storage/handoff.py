"""Real OS threads and cross-thread results, whatever the process's async mode.

Under gevent or eventlet, `threading` is monkey-patched into greenlets, which run on the event
loop; SQLite work must not. So the writer and the checkpointer start on the interpreter's
original `_thread`, and a greenlet that hands them work waits on a result that wakes the event
loop safely from another thread (an async watcher), never on a lock that would block the hub.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

# Set on a worker thread running work handed off the event loop: work it hands off in turn
# (a long read inside a long read) runs where it is.
OFF_THE_LOOP: ContextVar[bool] = ContextVar("off_the_loop", default=False)


def original(module: str, name: str) -> Any:
    """The unpatched attribute of a standard module, under gevent, eventlet or neither."""
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("thread"):  # eventlet names _thread and threading so
            return getattr(patcher.original(module), name)
    if "gevent.monkey" in sys.modules:
        from gevent import monkey

        return monkey.get_original(module, name)
    return getattr(__import__(module), name)


def start_thread(run: Callable[[], None]) -> None:
    """Run `run` on a new OS thread (never a greenlet; it never holds the process open)."""
    original("_thread", "start_new_thread")(run, ())


def os_lock() -> Any:
    """A lock that blocks a whole OS thread: for the writer's own threads only."""
    return original("_thread", "allocate_lock")()


def event_loop() -> str:
    """Which kind of caller is waiting: 'gevent', 'eventlet' or 'threads'."""
    if "gevent.monkey" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            return "gevent"
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("thread"):
            return "eventlet"
    return "threads"


class Handoff:
    """One result passed from a worker thread to the greenlet or thread that asked for it.

    Create it in the asking thread; the worker calls `resolve` once; the asker calls `wait`.
    """

    def __init__(self) -> None:
        self.value: Any = None
        self.error: BaseException | None = None
        self.mode = event_loop()
        if self.mode == "gevent":
            import gevent
            from gevent.event import AsyncResult

            self.ready = AsyncResult()
            self.watcher = gevent.get_hub().loop.async_()
            self.watcher.start(self._woken)
        else:
            self.done = os_lock()
            self.done.acquire()

    def resolve(self, value: Any = None, error: BaseException | None = None) -> None:
        """Called by the worker thread, exactly once."""
        self.value, self.error = value, error
        if self.mode == "gevent":
            self.watcher.send()
        else:
            self.done.release()

    def _woken(self) -> None:
        # On the hub: the watcher may be stopped and the greenlet woken here, not in the worker.
        self.watcher.stop()
        self.watcher.close()
        self.ready.set()

    def wait(self) -> Any:
        """The worker's result, or its exception raised here."""
        if self.mode == "gevent":
            self.ready.get()
        elif self.mode == "eventlet":
            from eventlet import tpool

            tpool.execute(self.done.acquire)
        else:
            self.done.acquire()
        if self.error is not None:
            raise self.error
        return self.value


def off_the_loop(work: Callable[[], Any]) -> Any:
    """Run `work` on a worker thread of the event loop's small pool and wait for it without
    blocking the loop (a long read: a year of statistics). Without an event loop, or on such
    a worker already, just run it."""
    if OFF_THE_LOOP.get():
        return work()
    mode = event_loop()
    if mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(marked_off_the_loop, (work,))
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(marked_off_the_loop, work)
    return work()


def marked_off_the_loop(work: Callable[[], Any]) -> Any:
    OFF_THE_LOOP.set(True)  # in the worker's own context: what `work` calls runs right here
    return work()
