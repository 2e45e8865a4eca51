"""The writer: one OS thread owns a database's write connection and commits in groups.

Callers hand it a unit of work (a function of the connection) and wait for its answer. Units
that arrive while a commit is being synced wait for the next one; the writer then runs them all
in one `BEGIN IMMEDIATE` transaction, each in its own SAVEPOINT (so one unit's error rolls back
that unit only and is raised to its own caller), and commits once: one fsync for the group.
Nobody gets an answer before the COMMIT that holds their change has returned, so with
`synchronous = FULL` every answer is durable.

The thread starts on the first unit and ends after `IDLE_S` without work, closing its
connection: test suites create many apps, a server keeps its writer busy.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import sqlite_utils

from server.storage.connection import connect, undo
from server.storage.handoff import Handoff, os_lock, start_thread

log = logging.getLogger(__name__)
T = TypeVar("T")
IDLE_S = 5.0
MAX_GROUP = 256  # units in one transaction: bounds how long the write lock is held


class Writer:
    """The single committing thread of one database file in this process."""

    def __init__(self, path: str, on_commit: Callable[[int], None] | None = None):
        self.path = path
        self.on_commit = on_commit  # told the group's size after each commit (metrics, checkpoints)
        self.pending: deque[tuple[Callable[[sqlite_utils.Database], Any], Handoff]] = deque()
        self.guard = os_lock()  # protects `running` against a racing start and idle exit
        self.wake = os_lock()  # released when work arrives; the thread sleeps on it
        self.wake.acquire()
        self.running = False
        self.groups = 0  # transactions committed (tests read it to see grouping happen)
        self.units = 0

    def run(self, work: Callable[[sqlite_utils.Database], T]) -> T:
        """Run `work(db)` in the next group commit; returns its result once durable."""
        handoff = Handoff()
        with self.guard:
            self.pending.append((work, handoff))
            if not self.running:
                self.running = True
                start_thread(self._loop)
        with contextlib.suppress(RuntimeError):  # already signalled: it will look anyway
            self.wake.release()
        return handoff.wait()

    # -- the writer thread ---------------------------------------------------------------------

    def _loop(self) -> None:
        db = None
        try:
            db = connect(self.path)
            while True:
                if not self.pending and not self.wake.acquire(timeout=IDLE_S):
                    with self.guard:
                        if not self.pending:
                            self.running = False
                            return
                group = self._take()
                if group:
                    self._commit(db, group)
        except BaseException as error:  # the database could not be opened: fail what waits
            log.exception("writer for %s stopped", self.path)
            with self.guard:
                self.running = False
                failed = list(self.pending)
                self.pending.clear()
            for _, handoff in failed:
                handoff.resolve(error=error)
        finally:
            if db is not None:
                db.conn.close()

    def _take(self) -> list:
        """What has queued up since the last commit, up to MAX_GROUP units."""
        group = []
        while self.pending and len(group) < MAX_GROUP:
            group.append(self.pending.popleft())
        return group

    def _commit(self, db: sqlite_utils.Database, group: list) -> None:
        answers: list[tuple[Handoff, Any, BaseException | None]] = []
        try:
            db.execute("BEGIN IMMEDIATE")
            for work, handoff in group:
                answers.append((handoff, *self._unit(db, work)))
            db.execute("COMMIT")
        except BaseException as error:  # BEGIN or COMMIT failed: nothing of the group stands
            if db.conn.in_transaction:
                undo(db, "ROLLBACK")
            for _, handoff in group:
                handoff.resolve(error=error)
            return
        self.groups += 1
        self.units += len(group)
        for handoff, value, error in answers:
            handoff.resolve(value, error)
        if self.on_commit:
            self.on_commit(len(group))

    @staticmethod
    def _unit(db: sqlite_utils.Database, work: Callable) -> tuple[Any, BaseException | None]:
        """One caller's change in its own savepoint: its error undoes it alone."""
        db.execute("SAVEPOINT unit")
        try:
            value = work(db)
        except Exception as error:
            undo(db, "ROLLBACK TO unit")
            db.execute("RELEASE unit")
            return None, error
        db.execute("RELEASE unit")
        return value, None
