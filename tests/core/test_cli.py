"""The `sira` command: init, users, tokens, devices and the demo store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlite_utils
from click.testing import CliRunner

from server.auth.accounts import authenticate, identify_token
from server.commands import cli
from server.storage import connect
from server.storage.migrations import MIGRATIONS
from tests.live import sira_process

PASSWORD = "a long enough password"


@pytest.fixture
def sira(tmp_path):
    """Run `sira …` in-process on a fresh SIRA_DB; returns the exit code and what the command
    printed after its first line, which names the database it uses."""
    runner = CliRunner()
    path = str(tmp_path / "cli.db")

    def run(*args: str, input: str | None = None) -> SimpleNamespace:
        result = runner.invoke(cli, list(args), input=input, env={"SIRA_DB": path})
        first, _, rest = result.output.partition("\n")
        assert first.endswith(f"database {path}"), result.output
        return SimpleNamespace(exit_code=result.exit_code, output=rest)

    run.path = path
    return run


@pytest.fixture
def initialised(sira):
    assert sira("init").exit_code == 0
    return sira


@contextmanager
def opened(path: str) -> Iterator[sqlite_utils.Database]:
    """A connection to the command's database, closed afterwards."""
    db = connect(path)
    try:
        yield db
    finally:
        db.conn.close()


def rows(path: str, sql: str) -> list[tuple]:
    with opened(path) as db:
        return [tuple(row) for row in db.execute(sql)]


def test_init_creates_the_database_and_its_first_branch(sira):
    result = sira("init", "--branch-name", "Kadıköy", "--timezone", "Europe/Istanbul")
    assert result.exit_code == 0, result.output
    assert "Created branch 'Kadıköy'." in result.output
    assert f"applied {', '.join(name for name, _ in MIGRATIONS)}" in result.output
    assert "No administrator yet" in result.output
    assert rows(sira.path, "SELECT name, timezone FROM branches") == [
        ("Kadıköy", "Europe/Istanbul")
    ]


def test_init_again_is_up_to_date_and_adds_nothing(initialised):
    result = initialised("init")
    assert result.exit_code == 0
    assert "up to date" in result.output and "Created" not in result.output
    assert len(rows(initialised.path, "SELECT id FROM branches")) == 1


def test_init_refuses_an_unknown_timezone_in_one_line(sira):
    result = sira("init", "--timezone", "Mars/Olympus")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Unknown timezone Mars/Olympus."


def test_user_add_reads_the_password_from_standard_input(initialised):
    result = initialised("user", "add", "ayse", "--role", "manager", input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Added manager ayse \(id \d+\)\.\n", result.output)
    with opened(initialised.path) as db:
        assert authenticate(db, "ayse", PASSWORD)["role"] == "manager"


def test_no_admin_hint_once_there_is_one(initialised):
    initialised("user", "add", "root", "--role", "admin", input=f"{PASSWORD}\n")
    assert "No administrator yet" not in initialised("init").output


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["ayse", "--role", "staff"], "short\n", "password must have at least 8 characters."),
        (["two words", "--role", "staff"], f"{PASSWORD}\n", "A username is 1–64"),
    ],
)
def test_user_add_refuses_bad_input_in_one_line(initialised, args, password, message):
    result = initialised("user", "add", *args, input=password)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}")
    assert rows(initialised.path, "SELECT * FROM users") == []


def test_user_add_refuses_a_taken_username(initialised):
    initialised("user", "add", "ayse", "--role", "staff", input=f"{PASSWORD}\n")
    result = initialised("user", "add", "ayse", "--role", "admin", input=f"{PASSWORD}\n")
    assert result.exit_code == 1
    assert "There is already a user called ayse." in result.output


def test_user_add_needs_a_known_role(initialised):
    result = initialised("user", "add", "ayse", "--role", "owner", input=f"{PASSWORD}\n")
    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'manager', 'staff'" in result.output


def test_token_create_prints_a_working_bearer_token(initialised):
    initialised("user", "add", "ayse", "--role", "staff", input=f"{PASSWORD}\n")
    result = initialised("token", "create", "ayse")
    assert result.exit_code == 0
    token = result.output.strip()
    with opened(initialised.path) as db:
        kind, user = identify_token(db, token)
    assert (kind, user["username"]) == ("user", "ayse")


def test_only_the_tokens_hash_is_stored(initialised):
    initialised("user", "add", "ayse", "--role", "staff", input=f"{PASSWORD}\n")
    token = initialised("token", "create", "ayse").output.strip()
    stored = rows(initialised.path, "SELECT token_hash FROM api_tokens")
    assert len(stored) == 1 and token not in stored[0][0]


def test_token_create_for_an_unknown_user_fails_in_one_line(initialised):
    result = initialised("token", "create", "nobody")
    assert (result.exit_code, result.output) == (1, "Error: There is no user called nobody.\n")


def test_device_add_prints_the_devices_token(initialised):
    result = initialised(
        "device", "add", "--kind", "kiosk", "--name", "Door", "--printer", "tcp://10.0.0.9:9100"
    )
    assert result.exit_code == 0, result.output
    with opened(initialised.path) as db:
        kind, device = identify_token(db, result.output.strip())
    assert (kind, device["kind"], device["name"], device["branch_id"]) == (
        "device",
        "kiosk",
        "Door",
        1,
    )
    assert device["printer_uri"] == "tcp://10.0.0.9:9100"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "feedback", "--name", "Screen"], "A feedback screen belongs to a counter."),
        (["--kind", "kiosk", "--name", "Door", "--branch", "9"], "There is no branch 9."),
        (
            ["--kind", "feedback", "--name", "Screen", "--counter", "9"],
            "There is no counter 9 in this branch.",
        ),
        (["--kind", "kiosk", "--name", "  "], "This field must not be empty."),
    ],
)
def test_device_add_refuses_bad_input_in_one_line(initialised, args, message):
    result = initialised("device", "add", *args)
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert rows(initialised.path, "SELECT * FROM devices") == []


def test_the_installed_command_reads_a_piped_password(tmp_path):
    path = str(tmp_path / "piped.db")
    assert sira_process(path, "init").returncode == 0
    added = sira_process(path, "user", "add", "siti", "--role", "staff", stdin=f"{PASSWORD}\n")
    assert added.returncode == 0, added.stderr
    with opened(path) as db:
        assert authenticate(db, "siti", PASSWORD) is not None


def test_the_demo_prints_logins_and_fills_a_history(tmp_path):
    path = str(tmp_path / "demo.db")
    demo = sira_process(path, "demo", "--no-serve", "--history", "2")
    assert demo.returncode == 0, demo.stderr
    logins = dict(re.findall(r"^\s{4}(admin|manager|staff1|staff2)\s+(\S+)$", demo.stdout, re.M))
    assert set(logins) == {"admin", "manager", "staff1", "staff2"}
    assert "/api/v1/services" in demo.stdout
    devices = re.findall(
        r"^\s{4}(Entrance kiosk|Waiting-area board|Counter 1 feedback)\s+\S+$", demo.stdout, re.M
    )
    assert len(devices) == 3
    days, tickets = rows(path, "SELECT count(DISTINCT service_day), count(*) FROM tickets")[0]
    assert days == 2 and tickets >= 60
    assert rows(path, "SELECT count(*) FROM ratings")[0][0] > 0
    with opened(path) as db:
        assert authenticate(db, "manager", logins["manager"])["role"] == "manager"


def test_the_demo_without_history_has_no_tickets(tmp_path):
    path = str(tmp_path / "demo.db")
    assert sira_process(path, "demo", "--no-serve").returncode == 0
    assert rows(path, "SELECT count(*) FROM tickets") == [(0,)]
    assert rows(path, "SELECT count(*) FROM services") == [(3,)]
    assert rows(path, "SELECT count(*) FROM counters") == [(3,)]
