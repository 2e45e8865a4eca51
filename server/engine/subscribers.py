"""What follows a change, in one place: packages subscribe here, and neither the engine nor the
API calls them by name (the API no longer reaches into the kiosk, nor the realtime layer into
the display).

Every move the app makes goes through `WritingEngine`, which calls each subscriber three times:

- `context()` in the caller, before the change: what the subscriber needs of the request
  (the kiosk that asks, the public URL), handed back to the two others;
- `in_transaction(db, change, context)` in the writer thread, inside the change's own
  savepoint: rows that must commit with the change or not at all (a ticket's print job). It may
  leave results for the caller in `change.attachments`;
- `committed(change, context)` in the caller, once the change is durable: Socket.IO events,
  the print worker's wake-up, metrics.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from server.engine.queue import Change


class Subscriber:
    """Override what you need; the defaults do nothing."""

    def context(self) -> Any:
        return None

    def in_transaction(self, db: sqlite_utils.Database, change: Change, context: Any) -> None:
        return None

    def committed(self, change: Change, context: Any) -> None:
        return None


class Subscribers:
    """An app's subscribers, called in the order they subscribed."""

    def __init__(self) -> None:
        self.subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.append(subscriber)

    def contexts(self) -> list[Any]:
        return [subscriber.context() for subscriber in self.subscribers]

    def in_transaction(self, db: sqlite_utils.Database, change: Change, contexts: list) -> None:
        for subscriber, context in zip(self.subscribers, contexts, strict=True):
            subscriber.in_transaction(db, change, context)

    def committed(self, change: Change, contexts: list) -> None:
        for subscriber, context in zip(self.subscribers, contexts, strict=True):
            subscriber.committed(change, context)
