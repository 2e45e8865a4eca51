"""Joining from a phone over the API: every refusal names its rule and writes nothing."""

from __future__ import annotations

import json

import pytest

from server.app import create_app
from server.domain.estimates import ServiceTimes
from server.joining import set_remote_joining
from tests.api.calls import assert_error, issued, staff_post
from tests.core.state import database_state

OPEN = {"enabled": True, "closes_before_min": 30}
JOIN = "/api/v1/join/test"


@pytest.fixture
def remote(db, store):
    set_remote_joining(db, "branch", store.branch_id, OPEN)
    return store


def csrf(client) -> dict[str, str]:
    """The page's CSRF token: a phone with cookies sends it on every write."""
    return {"X-CSRFToken": client.get("/api/v1/auth/csrf").json["csrf_token"]}


def join(client, store, service_id=None, key=None, **body):
    """A join from the phone whose cookies `client` keeps."""
    headers = csrf(client)
    if key:
        headers["Idempotency-Key"] = key
    return client.post(
        JOIN, json={"service_id": service_id or store.payments, **body}, headers=headers
    )


@pytest.fixture
def unchanged_db(db):
    """`with unchanged_db(): …` checks that the requests inside wrote no row."""

    class Check:
        def __enter__(self):
            self.before = database_state(db)

        def __exit__(self, *exc):
            if exc[0] is None:
                assert database_state(db) == self.before

    return Check


def test_the_join_info_lists_open_services_with_queues(client, remote, db):
    set_remote_joining(db, "service", remote.returns, {"enabled": False})
    issued(client, remote)
    info = client.get(JOIN).json
    assert (info["name"], info["languages"], info["default_language"]) == (
        "Test Store",
        ["en", "tr", "ms"],
        "en",
    )
    payments, returns = info["services"]
    # Nobody is signed in at a counter yet: no estimate (docs/wait-estimates.md).
    assert (payments["waiting"], payments["eta_s"], payments["open"]) == (1, None, True)
    assert payments["eta_minutes"] is None  # the page says "waiting for a counter to open"
    staff_post(client, remote, f"/counters/{remote.counter2}/open")
    payments = client.get(JOIN).json["services"][0]
    assert payments["eta_s"] == round(ServiceTimes().per_call_s(remote.payments, remote.counter2))
    assert payments["eta_minutes"] == [round(payments["eta_s"] / 60)] * 2
    assert (returns["open"], returns["closed_because"]) == (False, "remote_joining_off")
    assert payments["names"] == {"tr": "Ödemeler"}


def test_an_unknown_branch_is_404(client, remote):
    assert_error(client.get("/api/v1/join/nowhere"), 404, "not_found", "branch")
    assert_error(client.post("/api/v1/join/nowhere", json={}), 404, "not_found", "branch")


def test_a_phone_joins_and_gets_a_signed_cookie(client, remote, db):
    response = join(client, remote, language="tr", customer_name="Ayşe")
    assert response.status_code == 201, response.json
    ticket = response.json
    assert (ticket["channel"], ticket["code"], ticket["language"]) == ("phone", "A001", "tr")
    assert ticket["token"] and ticket["status"] == "waiting"
    cookie = client.get_cookie("sira_phone")
    assert cookie.http_only and cookie.value
    stored = db.execute("SELECT channel, phone_id FROM tickets").fetchone()
    assert stored["channel"] == "phone" and stored["phone_id"] not in cookie.value


def test_one_active_ticket_per_phone(client, app, remote, unchanged_db):
    join(client, remote)
    with unchanged_db():
        response = join(client, remote, service_id=remote.returns)
    error = assert_error(response, 409, "one_ticket_per_phone", "phone")
    assert "already holds" in error["message"]
    # A second phone on the same address (one shop Wi-Fi) joins.
    assert join(app.test_client(), remote).status_code == 201


def test_a_forged_cookie_counts_as_a_new_phone(client, app, remote):
    join(client, remote)
    other = app.test_client()
    other.set_cookie("sira_phone", client.get_cookie("sira_phone").value + "x")
    assert join(other, remote).status_code == 201


def test_a_repeat_with_the_same_key_returns_the_same_ticket(client, remote, db):
    first = join(client, remote, key="tap-1")
    again = join(client, remote, key="tap-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json["id"] == first.json["id"]
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1


def test_closed_remote_joining_is_422_in_the_customers_language(client, store, unchanged_db):
    with unchanged_db():
        response = join(client, store, language="tr")
    error = assert_error(response, 422, "remote_joining_off", "service_id")
    assert "kiosk" in error["message"] and "telefon" in error["message"].lower()
    assert client.get_cookie("sira_phone") is None


def test_outside_the_hours_is_422(client, remote, db, unchanged_db):
    db.execute(
        "UPDATE branches SET opening_hours = ? WHERE id = ?",
        [json.dumps({"sun": {"opens": "09:00", "closes": "09:30"}}), remote.branch_id],
    )
    set_remote_joining(db, "branch", remote.branch_id, {**OPEN, "closes_before_min": 40})
    with unchanged_db():
        response = join(client, remote)
    assert_error(response, 422, "remote_joining_closed", "service_id")


def test_the_caps_are_422(client, app, remote, db, unchanged_db):
    set_remote_joining(db, "branch", remote.branch_id, {**OPEN, "max_waiting": 1})
    join(client, remote)
    with unchanged_db():
        response = join(app.test_client(), remote)
    assert_error(response, 422, "remote_tickets_full", "service_id")
    set_remote_joining(db, "branch", remote.branch_id, {**OPEN, "max_queue": 1})
    with unchanged_db():
        response = join(app.test_client(), remote)
    assert_error(response, 422, "queue_too_long", "service_id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service_id": "x"}, "service_id"),
        ({"service_id": 999}, "service_id"),
        ({"language": "de"}, "language"),
        ({"customer_name": "x" * 41}, "customer_name"),
        ({"customer_name": "a\nb"}, "customer_name"),
        ({"priority": "vip"}, "priority"),
    ],
)
def test_bad_fields_are_named(client, remote, body, field, unchanged_db):
    with unchanged_db():
        response = join(client, remote, **body)
    assert_error(response, 422, "invalid", field)


def test_a_body_that_is_not_an_object_is_400(client, remote, unchanged_db):
    with unchanged_db():
        response = client.post(JOIN, data="[1]", content_type="application/json")
    assert_error(response, 400, "bad_request", "body")


def test_the_rate_limit_lets_a_family_join_then_stops_a_flood(db_path, remote, db, unchanged_db):
    app = create_app(
        {"TESTING": True, "SIRA_DB": db_path, "SECRET_KEY": "t", "SIRA_LIMIT_JOIN": "4 per minute"}
    )
    for _ in range(4):  # four phones behind one address, within a second
        assert join(app.test_client(), remote).status_code == 201
    with unchanged_db():
        response = join(app.test_client(), remote)
    assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"]


# -- the holder's moves ---------------------------------------------------------------------


def move(client, token: str, name: str):
    return client.post(f"/api/v1/tickets/{token}/{name}", headers=csrf(client))


def test_more_time_moves_back_and_is_refused_the_third_time(client, app, remote, unchanged_db):
    mine = join(client, remote).json
    for _ in range(6):
        issued(client, remote)
    first = move(client, mine["token"], "more-time")
    assert (first.status_code, first.json["position"], first.json["more_time_count"]) == (
        200,
        3,
        1,
    )
    assert move(client, mine["token"], "more-time").json["position"] == 6
    with unchanged_db():
        response = move(client, mine["token"], "more-time")
    assert_error(response, 409, "more_time_used_up", "token")


def test_leave_cancels_and_frees_the_phone(client, remote, unchanged_db):
    mine = join(client, remote).json
    response = move(client, mine["token"], "leave")
    assert (response.status_code, response.json["status"]) == (200, "cancelled")
    assert "customer_name" not in response.json
    with unchanged_db():
        again = move(client, mine["token"], "leave")
    assert_error(again, 409, "not_waiting", "token")
    assert join(client, remote).status_code == 201


def test_a_called_ticket_can_no_longer_move(client, remote, unchanged_db):
    mine = join(client, remote, language="ms").json
    staff_post(client, remote, f"/counters/{remote.counter2}/call-next")
    with unchanged_db():
        response = move(client, mine["token"], "more-time")
    error = assert_error(response, 409, "not_waiting", "token")
    assert "tiket" in error["message"].lower()  # in the ticket's language, Malay


def test_moves_on_an_unknown_token_are_404(client, remote):
    for name in ("more-time", "leave"):
        assert_error(move(client, "nope", name), 404, "not_found", "token")


def test_a_too_long_idempotency_key_is_named(client, remote, unchanged_db):
    with unchanged_db():
        response = join(client, remote, key="k" * 151)
    assert_error(response, 422, "invalid", "Idempotency-Key")


def test_on_my_way_is_shown_to_the_counter_once(client, remote, unchanged_db):
    mine = join(client, remote).json
    first = move(client, mine["token"], "on-my-way")
    assert first.status_code == 200 and first.json["on_my_way_at"]
    with unchanged_db():
        again = move(client, mine["token"], "on-my-way")
    assert again.json["on_my_way_at"] == first.json["on_my_way_at"]
    staff_post(client, remote, f"/counters/{remote.counter2}/call-next")
    with unchanged_db():
        late = move(client, mine["token"], "on-my-way")
    assert_error(late, 409, "not_waiting", "token")
