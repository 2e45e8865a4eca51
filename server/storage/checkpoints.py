"""WAL checkpoints in the background: copying the WAL back into the database file (and syncing
it) takes 0.3–0.6 s under load, and SQLite's automatic checkpoint runs it inside whichever
commit crosses the threshold. A server process turns that off for its database and runs
PASSIVE checkpoints on its own OS thread instead, which never waits for readers or writers."""

from __future__ import annotations

import logging
import os

from server.storage.connection import CHECKPOINTED_IN_BACKGROUND, connect
from server.storage.handoff import os_lock, start_thread

log = logging.getLogger(__name__)
INTERVAL_S = 0.5


def checkpoint_in_background(path: str, interval_s: float = INTERVAL_S) -> None:
    """From now on, connections this process opens to `path` leave checkpoints to a thread."""
    key = os.path.abspath(path)
    if key in CHECKPOINTED_IN_BACKGROUND or path == ":memory:":
        return
    CHECKPOINTED_IN_BACKGROUND.add(key)
    start_thread(lambda: checkpoint_forever(path, interval_s))


def checkpoint_forever(path: str, interval_s: float) -> None:
    pause = os_lock()
    pause.acquire()  # never released: acquiring it again is a sleep that blocks only this thread
    db = connect(path)
    while True:
        pause.acquire(timeout=interval_s)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except Exception:  # a busy or failing checkpoint is retried on the next round
            log.exception("checkpoint of %s", path)
