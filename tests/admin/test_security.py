"""CSRF, cookies, headers, rate limits, public tokens and hostile input over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.engine.reads import PUBLIC_FIELDS
from tests.admin.conftest import sign_in
from tests.conftest import bearer

ROOT = Path(__file__).resolve().parent.parent.parent


# -- CSRF ----------------------------------------------------------------------------------------


def test_session_json_write_without_csrf_is_refused(app, store, db):
    client = app.test_client()
    csrf = sign_in(client, "staff")
    refused = client.post(f"/api/v1/counters/{store.counter1}/call-next")
    assert refused.status_code == 403
    assert refused.json["error"]["field"] == "csrf_token"
    wrong = client.post(
        f"/api/v1/counters/{store.counter1}/call-next", headers={"X-CSRFToken": "forged"}
    )
    assert wrong.status_code in (400, 403)
    ok = client.post(f"/api/v1/counters/{store.counter1}/call-next", headers={"X-CSRFToken": csrf})
    assert ok.status_code == 204


def test_device_cookie_write_without_csrf_is_refused(app, store):
    client = app.test_client()
    client.set_cookie("sira_device", store.kiosk_token)
    refused = client.post("/api/v1/tickets", json={"service_id": store.payments})
    assert refused.status_code == 403
    csrf = client.get("/api/v1/auth/csrf").json["csrf_token"]
    issued = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers={"X-CSRFToken": csrf}
    )
    assert issued.status_code == 201


def test_gets_never_change_state(admin_client, db, store):
    before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for url in ("/admin/devices/1/revoke", "/admin/services/1/active", "/admin/users/1/password"):
        assert admin_client.get(url).status_code == 405
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


# -- cookies and headers -------------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.post("/api/v1/auth/login", json={"username": "admin", "password": "x" * 20})
    assert response.status_code == 401
    response = client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("url", ["/api/v1/services", "/pair", "/admin/branches", "/nowhere"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


INLINE = [
    # A JSON data block (type="application/json") is never run, so the CSP allows it.
    (
        re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I),
        "an inline <script>",
    ),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_needs_unsafe_inline():
    """The CSP forbids inline scripts and styles, so no template may contain any."""
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert templates
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            assert not pattern.search(text), f"{path.relative_to(ROOT)} has {what}"


# -- rate limits ---------------------------------------------------------------------------------


def assert_rate_limited(response):
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def login(client, username, password="wrong password"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_is_limited_per_account(app, client):
    app.config["SIRA_LIMIT_LOGIN_ACCOUNT"] = "3 per minute"
    for _ in range(3):
        assert login(client, "staff").status_code == 401
    assert_rate_limited(login(client, "staff", "correct horse battery"))
    assert login(app.test_client(), "manager", "correct horse battery").status_code == 200


def test_login_is_limited_per_address(app):
    app.config["SIRA_LIMIT_LOGIN_ADDRESS"] = "3 per minute"
    for name in ("a", "b", "c"):
        assert login(app.test_client(), name).status_code == 401
    assert_rate_limited(login(app.test_client(), "admin", "correct horse battery"))
    elsewhere = app.test_client().post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert elsewhere.status_code == 200


def test_successful_logins_do_not_count(app, client):
    app.config["SIRA_LIMIT_LOGIN_ACCOUNT"] = "2 per minute"
    for _ in range(4):
        assert login(app.test_client(), "staff", "correct horse battery").status_code == 200


def test_ticket_issuing_is_limited_per_kiosk(app, client, store, db):
    app.config["SIRA_LIMIT_TICKETS"] = "2 per minute"
    from server.auth.accounts import add_device

    _, second_kiosk = add_device(db, "kiosk", "Second kiosk", store.branch_id)
    issue = lambda token: client.post(  # noqa: E731
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(token)
    )
    assert issue(store.kiosk_token).status_code == 201
    assert issue(store.kiosk_token).status_code == 201
    assert_rate_limited(issue(store.kiosk_token))
    assert issue(second_kiosk).status_code == 201
    assert issue(store.staff_token).status_code == 201
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 4


def test_public_ticket_and_rating_are_limited(app, client, engine, store):
    app.config["SIRA_LIMIT_PUBLIC_TICKET"] = "3 per minute"
    app.config["SIRA_LIMIT_RATING"] = "2 per minute"
    token = engine.issue_ticket(store.payments).ticket["token"]
    for _ in range(3):
        assert client.get(f"/api/v1/tickets/{token}").status_code == 200
    assert_rate_limited(client.get(f"/api/v1/tickets/{token}"))
    for _ in range(2):
        assert client.post(f"/api/v1/tickets/{token}/rating", json={"score": 5}).status_code == 422
    assert_rate_limited(client.post(f"/api/v1/tickets/{token}/rating", json={"score": 5}))


def test_pairing_attempts_are_limited(app, client):
    app.config["SIRA_LIMIT_PAIRING"] = "2 per minute"
    for _ in range(2):
        assert client.post("/api/v1/device/pair", json={"code": "AAAA-BBBB"}).status_code == 422
    assert_rate_limited(client.post("/api/v1/device/pair", json={"code": "AAAA-BBBB"}))


# -- public tokens -------------------------------------------------------------------------------


def test_public_tokens_are_long_random_and_reveal_little(client, engine, store):
    tokens = set()
    for _ in range(20):
        ticket = engine.issue_ticket(store.payments, customer_name="Ayşe").ticket
        tokens.add(ticket["token"])
        assert len(ticket["token"]) >= 22  # 128 random bits, URL-safe
    assert len(tokens) == 20
    view = client.get(f"/api/v1/tickets/{ticket['token']}").json
    assert set(view) == set(PUBLIC_FIELDS)
    assert "Ayşe" not in str(view)
    assert {"id", "customer_name", "user_id", "created_at", "branch_id"}.isdisjoint(view)
    assert client.get("/api/v1/tickets/" + ticket["token"][:-1] + "x").status_code == 404


# -- hostile input ---------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE tickets;--"


def test_script_and_sql_in_names_are_stored_as_text(client, store, db):
    for name in (SCRIPT[:40], SQL):
        response = client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments, "customer_name": name},
            headers=bearer(store.kiosk_token),
        )
        assert response.status_code == 201
        assert response.mimetype == "application/json"
        assert response.json["customer_name"] == name
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2


@pytest.mark.parametrize(
    "service_id",
    ["1; DROP TABLE tickets", "1 OR 1=1", [1], {"id": 1}, True, 1.5, None, "", 2**64, "²"],
)
def test_wrong_types_and_injections_are_refused(client, store, db, service_id):
    response = client.post(
        "/api/v1/tickets", json={"service_id": service_id}, headers=bearer(store.kiosk_token)
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "service_id"
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"[1, 2]", "application/json", 400),
        (b"{not json", "application/json", 400),
        (b"service_id=1", "application/x-www-form-urlencoded", 400),
        (b'{"service_id": 1, "customer_name": "' + b"x" * 100_000 + b'"}', "application/json", 413),
    ],
)
def test_malformed_and_oversize_bodies_are_refused(client, store, body, content_type, status):
    response = client.post(
        "/api/v1/tickets",
        data=body,
        content_type=content_type,
        headers=bearer(store.kiosk_token),
    )
    assert response.status_code == status
    assert "error" in response.json


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/api/v1/tickets/999999/start"),
        ("POST", "/api/v1/tickets/999999999999999999999999/finish"),
        ("POST", "/api/v1/counters/999999/call-next"),
        ("GET", "/api/v1/counters/999999"),
        ("GET", "/api/v1/branches/999999/snapshot"),
        ("POST", "/api/v1/devices/999999/revoke"),
        ("GET", "/api/v1/tickets/no-such-token"),
        ("GET", "/admin/services/999999"),
        ("GET", "/admin/branches/999999/services"),
        ("GET", "/media/logo/999999"),
    ],
)
def test_unknown_ids_are_404(client, store, method, url):
    response = client.open(url, method=method, headers=bearer(store.admin_token))
    assert response.status_code == 404


def test_hostile_admin_form_values_are_refused_or_kept_as_text(admin_client, db, store):
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/services/new",
        data={
            "csrf_token": admin_client.csrf,
            "prefix": "X",
            "name": SCRIPT[:80],
            "name_tr": SQL,
            "target_wait_min": "10",
        },
    )
    assert response.status_code == 303
    page = admin_client.get(f"/admin/branches/{store.branch_id}/services").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/services/new",
        data={"csrf_token": admin_client.csrf, "prefix": "'; --", "name": "x\x00y"},
    )
    assert response.status_code == 422
    assert db.execute("SELECT count(*) FROM services").fetchone()[0] == 3


@pytest.mark.parametrize("query", ["page=0", "page=99999999999999999999", "page=x", "user_id=-1"])
def test_audit_paging_refuses_out_of_range(client, store, query):
    response = client.get(f"/api/v1/audit?{query}", headers=bearer(store.admin_token))
    assert response.status_code == 422
    assert response.json["error"]["field"] in ("page", "user_id")


def test_deep_audit_pages_are_empty_not_errors(admin_client):
    assert admin_client.get("/admin/audit?page=99999999999999999").status_code == 200
