"""What every endpoint shares: the error shape, bad bodies, unknown paths, wrong methods, auth."""

from __future__ import annotations

import re

import pytest

from tests.api.calls import assert_error, issued
from tests.conftest import bearer

# DESIGN.md's table, one row per endpoint (ids and tokens as placeholders).
DESIGN_ENDPOINTS = [
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/services"),
    ("GET", "/api/v1/counters"),
    ("POST", "/api/v1/tickets"),
    ("GET", "/api/v1/tickets/<token>"),
    ("POST", "/api/v1/counters/<int:counter_id>/call-next"),
    *(("POST", f"/api/v1/tickets/<int:ticket_id>/{move}") for move in (
        "recall", "start", "finish", "no-show", "park",
    )),
    ("POST", "/api/v1/tickets/<int:ticket_id>/transfer"),
    ("POST", "/api/v1/tickets/<token>/rating"),
    ("GET", "/api/v1/branches/<int:branch_id>/snapshot"),
    ("GET", "/api/v1/stats"),
]  # fmt: skip


def example_path(rule: str) -> str:
    return re.sub(r"<[^>]+>", "1", rule)


@pytest.mark.parametrize(("method", "rule"), DESIGN_ENDPOINTS)
def test_every_endpoint_of_the_design_exists(app, method, rule):
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(example_path(rule), method=method)
    assert endpoint.startswith("api.")


# Writes that read a JSON body, with a principal allowed to make them.
JSON_WRITES = [
    ("/api/v1/auth/login", None),
    ("/api/v1/device/session", None),
    ("/api/v1/tickets", "kiosk_token"),
    ("/api/v1/tickets/1/transfer", "staff_token"),
    ("/api/v1/tickets/some-token/rating", None),
]


@pytest.mark.parametrize(("path", "token"), JSON_WRITES)
@pytest.mark.parametrize("body", ['{"service_id": ', "[1, 2]", '"text"', "42", "null", "\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    client, store, unchanged, path, token, body
):
    headers = {"Content-Type": "application/json"}
    if token:
        headers |= bearer(getattr(store, token))
    with unchanged():
        response = client.post(path, data=body.encode("latin-1"), headers=headers)
    assert_error(response, 400, "bad_request", "body")


def test_a_form_body_is_not_json(client, store, unchanged):
    with unchanged():
        response = client.post(
            "/api/v1/tickets",
            data={"service_id": store.payments},
            headers=bearer(store.kiosk_token),
        )
    assert_error(response, 400, "bad_request", "body")


def test_an_unknown_api_path_is_a_json_404(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_a_json_405(client, store, unchanged):
    with unchanged():
        response = client.delete("/api/v1/tickets", headers=bearer(store.staff_token))
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_a_move_by_get_is_refused(client, store, unchanged):
    ticket = issued(client, store)
    with unchanged():
        response = client.get(f"/api/v1/tickets/{ticket['id']}/cancel")
    assert_error(response, 405, "method_not_allowed")


def test_an_unknown_move_is_a_json_404(client, store, unchanged):
    ticket = issued(client, store)
    with unchanged():
        response = client.post(
            f"/api/v1/tickets/{ticket['id']}/explode", headers=bearer(store.staff_token)
        )
    assert_error(response, 404, "not_found")


def test_a_body_over_the_size_limit_is_refused(client, store, unchanged):
    with unchanged():
        response = client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments, "customer_name": "x" * 70_000},
            headers=bearer(store.kiosk_token),
        )
    assert_error(response, 413, "request_entity_too_large")


# Who may do what: each endpoint with the principals it must refuse (403) besides anonymous.
GUARDED = [
    ("GET", "/api/v1/auth/me", []),
    ("GET", "/api/v1/counters", ["kiosk", "display", "feedback"]),
    ("GET", "/api/v1/counters/1", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/counters/1/call-next", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets", ["display", "feedback"]),
    ("POST", "/api/v1/tickets/1/recall", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets/1/start", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets/1/finish", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets/1/no-show", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets/1/park", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets/1/cancel", ["kiosk", "display", "feedback"]),
    ("POST", "/api/v1/tickets/1/transfer", ["kiosk", "display", "feedback"]),
    ("GET", "/api/v1/branches/1/snapshot", []),
    ("GET", "/api/v1/stats", ["staff", "kiosk", "display", "feedback"]),
]
TOKENS = {
    "kiosk": "kiosk_token",
    "display": "display_token",
    "feedback": "feedback_token",
    "staff": "staff_token",
    "manager": "manager_token",
}


@pytest.mark.parametrize(("method", "path", "_"), GUARDED)
@pytest.mark.parametrize(
    "headers",
    [{}, bearer("not-a-real-token"), {"Authorization": "Basic c3RhZmY6cGFzcw=="}],
    ids=["no token", "unknown token", "not a bearer"],
)
def test_a_guarded_endpoint_wants_a_known_principal(
    client, store, unchanged, method, path, _, headers
):
    with unchanged():
        response = client.open(path, method=method, headers=headers)
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("method", "path", "who"),
    [(method, path, who) for method, path, refused in GUARDED for who in refused],
)
def test_a_principal_of_the_wrong_kind_is_forbidden(client, store, unchanged, method, path, who):
    with unchanged():
        response = client.open(path, method=method, headers=bearer(getattr(store, TOKENS[who])))
    assert_error(response, 403, "forbidden")


def test_a_revoked_device_token_is_no_longer_accepted(client, store, db, unchanged):
    db.execute("UPDATE devices SET revoked_at = '2026-03-01T00:00:00+00:00' WHERE kind = 'kiosk'")
    with unchanged():
        response = client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments},
            headers=bearer(store.kiosk_token),
        )
    assert_error(response, 401, "not_authenticated")


def test_an_inactive_users_token_is_no_longer_accepted(client, store, db, unchanged):
    db.execute("UPDATE users SET active = 0 WHERE username = 'staff'")
    with unchanged():
        response = client.get("/api/v1/counters", headers=bearer(store.staff_token))
    assert_error(response, 401, "not_authenticated")


def test_every_response_carries_the_security_headers(client):
    response = client.get("/api/v1/services")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/counters/{big}"),
        ("POST", "/api/v1/counters/{big}/call-next"),
        ("POST", "/api/v1/tickets/{big}/start"),
        ("POST", "/api/v1/tickets/{big}/transfer"),
        ("GET", "/api/v1/branches/{big}/snapshot"),
    ],
)
def test_an_id_too_large_for_the_database_is_simply_not_found(client, store, method, path):
    response = client.open(path.format(big=2**64), method=method, headers=bearer(store.staff_token))
    assert_error(response, 404, "not_found")


def test_even_an_unexpected_failure_answers_in_the_error_shape(app, client, store, db):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    db.execute("DROP TABLE number_sequences")  # the next ticket number can no longer be kept
    response = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    assert_error(response, 500, "internal_server_error")
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
