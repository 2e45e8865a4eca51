"""Signing in: staff sessions with CSRF on writes, bearer tokens, and device cookies."""

from __future__ import annotations

import pytest

from server.auth.principal import DEVICE_COOKIE
from tests.api.calls import assert_error
from tests.conftest import PASSWORD, bearer


def log_in(client, username: str = "staff", password: str = PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_returns_the_user_and_a_csrf_token(client):
    response = log_in(client, "manager")
    assert response.status_code == 200
    user = response.json["user"]
    assert (user["username"], user["role"]) == ("manager", "manager")
    assert isinstance(user["id"], int)
    assert response.json["csrf_token"]


def test_the_session_then_authenticates_reads(client):
    log_in(client)
    me = client.get("/api/v1/auth/me").json
    assert (me["kind"], me["role"]) == ("user", "staff")
    assert client.get("/api/v1/counters").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"username": "staff", "password": "wrong password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "staff"},
        {},
        {"username": ["staff"], "password": PASSWORD},
    ],
)
def test_a_wrong_login_is_refused_without_a_session(client, unchanged, body):
    with unchanged():
        response = client.post("/api/v1/auth/login", json=body)
    assert_error(response, 401, "not_authenticated", "password")
    assert_error(client.get("/api/v1/auth/me"), 401, "not_authenticated")


def test_an_inactive_user_cannot_log_in(client, db):
    db.execute("UPDATE users SET active = 0 WHERE username = 'staff'")
    assert_error(log_in(client), 401, "not_authenticated", "password")


def test_a_session_write_without_the_csrf_token_is_refused(client, store, unchanged):
    log_in(client)
    with unchanged():
        response = client.post("/api/v1/tickets", json={"service_id": store.payments})
    assert_error(response, 403, "forbidden", "csrf_token")


def test_a_session_write_with_a_wrong_csrf_token_is_refused(client, store, unchanged):
    log_in(client)
    with unchanged():
        response = client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments},
            headers={"X-CSRFToken": "forged"},
        )
    assert_error(response, 403, "forbidden", "csrf_token")


def test_a_session_write_with_the_csrf_token_goes_through(client, store):
    token = log_in(client).json["csrf_token"]
    response = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.json


def test_the_csrf_token_can_be_fetched_again_later(client, store):
    log_in(client)
    token = client.get("/api/v1/auth/csrf").json["csrf_token"]
    response = client.post(
        f"/api/v1/counters/{store.counter1}/call-next", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 204


def test_a_bearer_token_needs_no_csrf_token_even_with_cookies(client, store):
    log_in(client)  # the client now holds a session cookie too
    response = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.staff_token)
    )
    assert response.status_code == 201


def test_logout_ends_the_session(client):
    token = log_in(client).json["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": token}).json == {"ok": True}
    assert_error(client.get("/api/v1/counters"), 401, "not_authenticated")


def test_me_describes_a_bearer_users_role(client, store):
    me = client.get("/api/v1/auth/me", headers=bearer(store.admin_token)).json
    assert (me["kind"], me["role"], me["device_id"]) == ("user", "admin", None)


def test_me_describes_a_device_and_its_place(client, store):
    me = client.get("/api/v1/auth/me", headers=bearer(store.feedback_token)).json
    assert (me["kind"], me["role"]) == ("device", "feedback")
    assert (me["branch_id"], me["counter_id"]) == (store.branch_id, store.counter1)


def test_a_device_trades_its_token_for_an_httponly_cookie(client, store):
    response = client.post("/api/v1/device/session", json={"token": store.kiosk_token})
    assert response.status_code == 200
    assert (response.json["kind"], response.json["branch_id"]) == ("kiosk", store.branch_id)
    cookie = next(
        header for header in response.headers.getlist("Set-Cookie") if DEVICE_COOKIE in header
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_device_cookie_authenticates_and_its_writes_need_the_csrf_token(
    client, store, unchanged
):
    client.post("/api/v1/device/session", json={"token": store.kiosk_token})
    assert client.get("/api/v1/auth/me").json["role"] == "kiosk"
    with unchanged():
        refused = client.post("/api/v1/tickets", json={"service_id": store.payments})
    assert_error(refused, 403, "forbidden", "csrf_token")
    token = client.get("/api/v1/auth/csrf").json["csrf_token"]
    response = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("body", [{"token": "not-a-device"}, {"token": 42}, {}])
def test_an_unknown_device_token_gets_no_cookie(client, store, unchanged, body):
    with unchanged():
        response = client.post("/api/v1/device/session", json=body)
    assert_error(response, 401, "not_authenticated", "token")
    assert "Set-Cookie" not in response.headers


def test_a_staff_token_is_not_a_device_token(client, store):
    response = client.post("/api/v1/device/session", json={"token": store.staff_token})
    assert_error(response, 401, "not_authenticated", "token")
