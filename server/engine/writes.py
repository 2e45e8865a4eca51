"""The engine as the app runs it: every move is a unit of the writer thread's next group
commit, and its committed Change goes to the post-commit subscribers, in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.engine.clock import Clock
from server.engine.queue import Change, QueueEngine
from server.engine.reads import QueueReads
from server.storage.writer import Writer


class WritingEngine:
    """QueueEngine's public moves, same names and arguments, run on the writer thread.

    `reads` stay on the caller's own connection. `committed` is called with each Change once
    it is durable, in the caller's context (so subscribers may publish from the request).
    """

    def __init__(
        self,
        writer: Writer,
        clock: Clock,
        reads: QueueReads,
        committed: Callable[[Change], None] | None = None,
    ):
        self.writer = writer
        self.clock = clock
        self.reads = reads
        self.committed = committed

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or not callable(getattr(QueueEngine, name, None)):
            raise AttributeError(name)

        def move(*args: Any, **kwargs: Any) -> Any:
            result = self.writer.run(
                lambda db: getattr(QueueEngine(db, self.clock), name)(*args, **kwargs)
            )
            if isinstance(result, Change) and self.committed is not None:
                self.committed(result)
            return result

        move.__name__ = name
        return move
