"""The writer thread: group commit with one savepoint per unit, and an event loop kept free."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from server.storage import connect, transaction
from server.storage.checkpoints import checkpoint_in_background
from server.storage.connection import CHECKPOINTED_IN_BACKGROUND
from server.storage.writer import Writer

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def notes_db(tmp_path) -> str:
    path = str(tmp_path / "notes.db")
    db = connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
    db.conn.close()
    return path


def add_note(text: str):
    """A unit of work: insert a note, raising IntegrityError when it already exists."""

    def work(db):
        return db.execute("INSERT INTO notes (text) VALUES (?)", [text]).lastrowid

    return work


def notes(path: str) -> list[str]:
    db = connect(path)
    try:
        return [row[0] for row in db.execute("SELECT text FROM notes ORDER BY id")]
    finally:
        db.conn.close()


def test_units_arriving_during_a_commit_share_the_next_transaction(notes_db):
    writer = Writer(notes_db)
    first_in = threading.Event()
    let_go = threading.Event()

    def slow_first(db):
        first_in.set()
        let_go.wait(10)
        return db.execute("INSERT INTO notes (text) VALUES ('first')").lastrowid

    answers: dict[str, object] = {}
    callers = [threading.Thread(target=lambda: answers.update(first=writer.run(slow_first)))]
    callers[0].start()
    assert first_in.wait(10)
    # While the first group is in flight, 20 more callers queue up.
    for n in range(20):
        text = f"note {n}"
        callers.append(
            threading.Thread(target=lambda t=text: answers.update({t: writer.run(add_note(t))}))
        )
        callers[-1].start()
    while len(writer.pending) < 20:
        threading.Event().wait(0.005)
    let_go.set()
    for caller in callers:
        caller.join(10)

    assert writer.units == 21
    assert writer.groups == 2, "the 20 queued units committed together"
    assert sorted(answers.values()) == list(range(1, 22)), "each caller got its own row id"
    assert len(notes(notes_db)) == 21


def test_a_failing_unit_is_undone_alone_and_raises_to_its_caller(notes_db):
    writer = Writer(notes_db)
    writer.run(add_note("taken"))

    def half_then_fail(db):
        db.execute("INSERT INTO notes (text) VALUES ('half-written')")
        db.execute("INSERT INTO notes (text) VALUES ('taken')")  # IntegrityError

    results: list = []
    errors: list = []

    def call(work):
        try:
            results.append(writer.run(work))
        except Exception as error:
            errors.append(error)

    threads = [
        threading.Thread(target=call, args=(work,))
        for work in (add_note("a"), half_then_fail, add_note("b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 1 and "UNIQUE" in str(errors[0])
    assert sorted(notes(notes_db)) == ["a", "b", "taken"], "no half-written row"


def test_the_engines_transaction_is_a_savepoint_inside_the_group(notes_db):
    writer = Writer(notes_db)

    def nested(db):
        with transaction(db):
            db.execute("INSERT INTO notes (text) VALUES ('kept')")
        try:
            with transaction(db):
                db.execute("INSERT INTO notes (text) VALUES ('undone')")
                raise ValueError("refused")
        except ValueError:
            pass
        return db.conn.in_transaction

    assert writer.run(nested) is True, "the unit ran inside the writer's transaction"
    assert notes(notes_db) == ["kept"]


def test_the_writer_stops_when_idle_and_starts_again(notes_db, monkeypatch):
    monkeypatch.setattr("server.storage.writer.IDLE_S", 0.05)
    writer = Writer(notes_db)
    writer.run(add_note("one"))
    for _ in range(200):
        if not writer.running:
            break
        threading.Event().wait(0.01)
    assert not writer.running
    writer.run(add_note("two"))
    assert notes(notes_db) == ["one", "two"]


def in_database_file(path: str) -> list[str]:
    """Tables found in the database file itself, ignoring the WAL (what a checkpoint copies)."""
    direct = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return [row[0] for row in direct.execute("SELECT name FROM sqlite_master")]
    except sqlite3.DatabaseError:  # read while the checkpoint was writing the file: not yet
        return []
    finally:
        direct.close()


def test_background_checkpoints_turn_commit_checkpoints_off(tmp_path):
    path = str(tmp_path / "checkpointed.db")
    try:
        checkpoint_in_background(path, interval_s=0.01)
        db = connect(path)
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        db.execute("CREATE TABLE t (x)")
        # Nobody closes or checkpoints here: only the thread can copy the table into the file.
        for _ in range(1000):
            if in_database_file(path) == ["t"]:
                break
            threading.Event().wait(0.01)
        assert in_database_file(path) == ["t"]
        db.conn.close()
    finally:
        CHECKPOINTED_IN_BACKGROUND.discard(str(Path(path).resolve()))


GEVENT_PROBE = """
from gevent import monkey
monkey.patch_all()
import sys, threading, time, gevent
from server.storage import connect
from server.storage.writer import Writer

path = sys.argv[1]
writer = Writer(path)
real_sleep = monkey.get_original("time", "sleep")
ticks = []
hub_thread = threading.get_native_id()

def ticker():
    while True:
        ticks.append(time.monotonic())
        gevent.sleep(0.005)

def blocking_unit(db):
    # Blocks its OS thread for 300 ms, as an fsync or a checkpoint would.
    real_sleep(0.3)
    db.execute("INSERT INTO notes (text) VALUES ('slow')")
    return monkey.get_original("threading", "get_native_id")()

gevent.spawn(ticker)
gevent.sleep(0.02)
before = len(ticks)
writer_thread = gevent.spawn(writer.run, blocking_unit).get()
print(len(ticks) - before, int(writer_thread != hub_thread))
"""


def test_under_gevent_the_writer_blocks_its_own_thread_not_the_event_loop(notes_db):
    probe = subprocess.run(
        [sys.executable, "-c", GEVENT_PROBE, notes_db],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    ticks, other_thread = map(int, probe.stdout.split())
    assert other_thread == 1, "the unit ran on another OS thread"
    assert ticks >= 3, f"the event loop kept running while the unit blocked ({ticks} ticks)"
    assert notes(notes_db) == ["slow"]
