"""The engine as the app runs it: every move is a unit of the writer thread's next group
commit, with what its subscribers write in the same savepoint, and its committed Change goes to
the subscribers afterwards (subscribers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils

from server.engine.clock import Clock
from server.engine.queue import Change, QueueEngine
from server.engine.reads import QueueReads
from server.engine.subscribers import Subscribers
from server.storage.writer import Writer


class WritingEngine:
    """QueueEngine's public moves, same names and arguments, run on the writer thread.

    `reads` stay on the caller's own connection.
    """

    def __init__(self, writer: Writer, clock: Clock, reads: QueueReads, subscribers: Subscribers):
        self.writer = writer
        self.clock = clock
        self.reads = reads
        self.subscribers = subscribers

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or not callable(getattr(QueueEngine, name, None)):
            raise AttributeError(name)

        def move(*args: Any, **kwargs: Any) -> Any:
            contexts = self.subscribers.contexts()

            def unit(db: sqlite_utils.Database) -> Any:
                result = getattr(QueueEngine(db, self.clock), name)(*args, **kwargs)
                for change in changes_in(result):
                    self.subscribers.in_transaction(db, change, contexts)
                return result

            result = self.writer.run(unit)
            for change in changes_in(result):
                self.subscribers.committed(change, contexts)
            return result

        move.__name__ = name
        return move


def changes_in(result: Any) -> list[Change]:
    """A move's Changes: one, or one per branch touched (opening and closing counters)."""
    if isinstance(result, Change):
        return [result]
    if isinstance(result, list):
        return [item for item in result if isinstance(item, Change)]
    return []
