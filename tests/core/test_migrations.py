"""Migrations upgrade a store's existing database file in place, keeping its data."""

from __future__ import annotations

import re
import sqlite3

import pytest

from server.engine import QueueEngine
from server.storage import connect, migrate
from server.storage.migrations import MIGRATIONS
from tests.core.conftest import START

FIRST, LATER = MIGRATIONS[:1], MIGRATIONS[1:]

# Rows a store could have written under the first schema, table by table.
FIRST_VERSION_ROWS = {
    "branches": [(1, "main", "Main", "Europe/Istanbul", '["tr", "en"]', "00:00")],
    "services": [(1, 1, "A", "Payments", '{"tr": "Ödemeler"}', 600, 1, 1)],
    "counters": [(1, 1, "Counter 1", 1)],
    "counter_services": [(1, 1)],
    "users": [(1, "ayse", "Ayşe", None, "staff", 1)],
    "devices": [(1, 1, "kiosk", "Kiosk", "hash", None, None, None, 80, None)],
    "tickets": [
        (1, 1, 1, "2026-03-02", 1, "A001", "tok1", "done", None, "Ayşe", "tr",
         "2026-03-02T09:00:00+00:00", "2026-03-02T09:00:00+00:00", "2026-03-02T09:01:00+00:00",
         "2026-03-02T09:02:00+00:00", "2026-03-02T09:05:00+00:00", 1, 1, 0),
    ],
    "ticket_events": [(1, 1, "2026-03-02T09:00:00+00:00", "issued", None, None, "{}")],
    "ratings": [(1, 5, "Çok iyi", "phone", "2026-03-02T09:06:00+00:00")],
    "print_jobs": [(1, 1, 1, "printed", 1, None, "2026-03-02T09:00:00+00:00", None)],
    "number_sequences": [(1, "2026-03-02", 1)],
}  # fmt: skip


@pytest.fixture
def first_version(tmp_path):
    """A database made by the first schema version, with a day of data in it."""
    db = connect(str(tmp_path / "old.db"))
    migrate(db, FIRST)
    for table, rows in FIRST_VERSION_ROWS.items():
        marks = ", ".join("?" * len(rows[0]))
        for row in rows:
            db.execute(f"INSERT INTO {table} VALUES ({marks})", row)
    yield db
    db.conn.close()


def columns(db, table: str) -> list[str]:
    return [row["name"] for row in db.execute(f"PRAGMA table_info({table})")]


def schema(db) -> list[tuple]:
    return [tuple(row) for row in db.execute("SELECT * FROM sqlite_master ORDER BY name")]


def test_the_first_version_is_upgraded_by_every_later_migration(first_version):
    assert migrate(first_version) == [name for name, _ in LATER]


def test_an_upgrade_keeps_every_row(first_version):
    migrate(first_version)
    for table, rows in FIRST_VERSION_ROWS.items():
        width = len(rows[0])
        kept = first_version.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        assert [tuple(row)[:width] for row in kept] == rows, table


def test_an_upgrade_adds_every_new_table_and_column(first_version):
    migrate(first_version)
    for _, statements in LATER:
        for statement in statements:
            if added := re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", statement):
                table, column = added.groups()
                assert column in columns(first_version, table), statement
            if created := re.match(r"CREATE TABLE (\w+)", statement):
                assert columns(first_version, created.group(1)), statement


def test_new_columns_get_their_defaults_on_old_rows(first_version):
    migrate(first_version)
    branch = first_version.execute("SELECT seq, default_language FROM branches").fetchone()
    ticket = first_version.execute("SELECT transferred, idempotency_key FROM tickets").fetchone()
    assert (tuple(branch), tuple(ticket)) == ((0, "en"), (0, None))


def test_the_engine_carries_on_numbering_an_upgraded_database(first_version):
    migrate(first_version)
    ticket = QueueEngine(first_version, lambda: START).issue_ticket(1).ticket
    assert (ticket["service_day"], ticket["code"]) == ("2026-03-02", "A002")


def test_migrating_an_up_to_date_database_changes_nothing(first_version):
    migrate(first_version)
    before = schema(first_version)
    assert migrate(first_version) == []
    assert schema(first_version) == before


def test_a_failing_migration_is_rolled_back_whole(first_version):
    broken = ("9999_broken", ["CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"])
    with pytest.raises(sqlite3.OperationalError):
        migrate(first_version, [*MIGRATIONS, broken])
    assert not columns(first_version, "half_done")
    assert "9999_broken" not in {
        row[0] for row in first_version.execute("SELECT name FROM _migrations")
    }
    assert migrate(first_version) == []  # the good ones before it were kept


def test_pause_reasons_stored_as_labels_become_codes(tmp_path):
    """0100: a label in any of the three languages becomes its code; typed text, a note."""
    db = connect(str(tmp_path / "old.db"))
    before = [m for m in MIGRATIONS if m[0] < "0100"]
    migrate(db, before)
    db.execute("INSERT INTO branches (id, slug, name) VALUES (1, 'b', 'B')")
    for counter_id, reason in [
        (1, "Öğle yemeği"),
        (2, "Rehat sebentar"),
        (3, "Printer jam"),
        (4, None),
    ]:
        db.execute(
            "INSERT INTO counters (id, branch_id, name, pause_reason) VALUES (?, 1, ?, ?)",
            [counter_id, f"C{counter_id}", reason],
        )
    migrate(db)
    rows = db.execute("SELECT pause_reason, pause_note FROM counters ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [
        ("lunch", None),
        ("break", None),
        ("other", "Printer jam"),
        (None, None),
    ]
