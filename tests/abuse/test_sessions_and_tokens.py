"""Sessions and bearer tokens end when they should.

Signing out deletes the server-side session, so a copy of the cookie taken before no longer reads
or writes. Bearer tokens are listed and revoked by id (`sira token list`, `sira token revoke`),
and end with a password reset or a deactivation, never to come back on reactivation.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.auth.accounts import create_token, reset_password, set_user_active
from server.commands import cli
from tests.conftest import PASSWORD, bearer
from tests.e2e.conftest import wait_until
from tests.live import LiveServer


def staff_id(db) -> int:
    return db.execute("SELECT id FROM users WHERE username = 'staff'").fetchone()[0]


def signed_in(app):
    """A browser signed in as staff; returns it and its CSRF token."""
    browser = app.test_client()
    answer = browser.post("/api/v1/auth/login", json={"username": "staff", "password": PASSWORD})
    assert answer.status_code == 200
    return browser, answer.json["csrf_token"]


def copy_of_cookies(source, app):
    """Another client holding the same cookies, as an attacker who copied them would."""
    thief = app.test_client()
    for cookie in source._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, store):
    browser, csrf = signed_in(app)
    thief = copy_of_cookies(browser, app)
    assert thief.get("/api/v1/auth/me").status_code == 200
    assert browser.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf}).status_code == 200
    assert thief.get("/api/v1/auth/me").status_code == 401
    write = thief.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers={"X-CSRFToken": csrf}
    )
    assert write.status_code in (401, 403)


def test_the_sign_out_form_ends_the_server_side_session(app):
    browser, csrf = signed_in(app)
    thief = copy_of_cookies(browser, app)
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert thief.get("/api/v1/auth/me").status_code == 401


def test_a_password_reset_ends_sessions_and_tokens_for_good(app, db, store):
    browser, _ = signed_in(app)
    token = create_token(db, "staff")
    reset_password(db, staff_id(db))
    client = app.test_client()
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=bearer(store.staff_token)).status_code == 401
    assert browser.get("/api/v1/auth/me").status_code == 401


def test_deactivate_then_reactivate_does_not_bring_tokens_back(app, db, store):
    set_user_active(db, staff_id(db), False)
    set_user_active(db, staff_id(db), True)
    answer = app.test_client().get("/api/v1/auth/me", headers=bearer(store.staff_token))
    assert answer.status_code == 401


@pytest.fixture
def sira(db_path):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), env={"SIRA_DB": db_path})


def test_tokens_are_listed_and_revoked_by_id(app, db, sira, store):
    listed = sira("token", "list", "staff")
    assert listed.exit_code == 0, listed.output
    assert store.staff_token not in listed.output, "a token's secret is never shown again"
    (line,) = listed.stdout.strip().splitlines()
    token_id = line.split("\t")[0]
    assert "\tstaff\t" in line and line.endswith("active")
    assert len(sira("token", "list").stdout.strip().splitlines()) == 3
    revoked = sira("token", "revoke", token_id)
    assert revoked.exit_code == 0, revoked.stdout
    assert sira("token", "list", "staff").stdout.strip().split("\t")[-1].startswith("revoked")
    answer = app.test_client().get("/api/v1/auth/me", headers=bearer(store.staff_token))
    assert answer.status_code == 401
    still = app.test_client().get("/api/v1/auth/me", headers=bearer(store.manager_token))
    assert still.status_code == 200, "only that token was revoked"


@pytest.mark.parametrize("token_id", ["999", "0", "²", "abc"])
def test_revoking_an_unknown_token_is_a_clear_refusal(sira, store, token_id):
    answer = sira("token", "revoke", token_id)
    assert answer.exit_code != 0 and "Traceback" not in answer.output
    assert sira("token", "list", "nobody").exit_code == 1


@pytest.mark.slow
def test_a_token_revoked_from_the_command_line_closes_its_live_connections(
    db_path, store, sira, listen
):
    server = LiveServer(db_path, env={"SIRA_CONNECTION_RECHECK_S": "1"}).start()
    try:
        tool = listen(server.url, store.staff_token)
        board = listen(server.url, store.display_token)
        for connection in (tool, board):
            assert connection.subscribe(f"branch:{store.branch_id}")["ok"]
        listed = sira("token", "list", "staff").stdout
        assert sira("token", "revoke", listed.split("\t")[0]).exit_code == 0
        assert wait_until(lambda: not tool.client.connected, 10), "the revoked token's socket"
        assert board.client.connected, "only that token's connections close"
    finally:
        server.stop()
