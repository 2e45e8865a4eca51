"""The workstation's API routes, and the sign-in form's session and CSRF."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, bearer


def issue(client, store, service_id):
    response = client.post(
        "/api/v1/tickets", json={"service_id": service_id}, headers=bearer(store.kiosk_token)
    )
    assert response.status_code == 201
    return response.json


def test_call_a_chosen_ticket(client, store):
    issue(client, store, store.payments)
    second = issue(client, store, store.payments)
    response = client.post(
        f"/api/v1/counters/{store.counter1}/call/{second['id']}", headers=bearer(store.staff_token)
    )
    assert response.status_code == 200
    assert response.json["code"] == "A002"
    again = client.post(
        f"/api/v1/counters/{store.counter2}/call/{second['id']}", headers=bearer(store.staff_token)
    )
    assert again.status_code == 409
    assert again.json["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/v1/counters/{counter}/call/9999", 404, "ticket_id"),
        ("/api/v1/counters/9999/call/{ticket}", 404, "counter_id"),
    ],
)
def test_call_a_chosen_ticket_that_does_not_exist(client, store, path, status, field):
    ticket = issue(client, store, store.payments)
    url = path.format(counter=store.counter1, ticket=ticket["id"])
    response = client.post(url, headers=bearer(store.staff_token))
    assert response.status_code == status
    assert response.json["error"]["field"] == field


def test_pause_and_resume(client, store):
    url = f"/api/v1/counters/{store.counter1}"
    paused = client.post(
        f"{url}/pause", json={"reason": "lunch"}, headers=bearer(store.staff_token)
    )
    assert paused.status_code == 200
    assert paused.json["pause_reason"] == "lunch"
    issue(client, store, store.payments)
    refused = client.post(f"{url}/call-next", headers=bearer(store.staff_token))
    assert refused.status_code == 409
    listed = client.get("/api/v1/counters", headers=bearer(store.manager_token)).json
    assert [c["pause_reason"] for c in listed] == ["lunch", None]
    resumed = client.post(f"{url}/resume", headers=bearer(store.staff_token))
    assert resumed.status_code == 200
    assert resumed.json["paused_at"] is None
    assert client.post(f"{url}/call-next", headers=bearer(store.staff_token)).status_code == 200


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": 3}, {"reason": "x" * 200}])
def test_pause_without_a_usable_reason_names_the_field(client, store, body):
    response = client.post(
        f"/api/v1/counters/{store.counter1}/pause", json=body, headers=bearer(store.staff_token)
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "reason"


@pytest.mark.parametrize(
    "path", ["/pause", "/resume", "/call/1", "/today"], ids=["pause", "resume", "call", "today"]
)
def test_desk_routes_need_staff(client, store, path):
    url = f"/api/v1/counters/{store.counter1}{path}"
    send = client.get if path == "/today" else client.post
    assert send(url).status_code == 401
    assert send(url, headers=bearer(store.kiosk_token)).status_code == 403


def test_today_is_the_signed_in_staff_members_own(client, store):
    issue(client, store, store.payments)
    staff = bearer(store.staff_token)
    ticket = client.post(f"/api/v1/counters/{store.counter1}/call-next", headers=staff).json
    client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff)
    client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=staff)
    mine = client.get(f"/api/v1/counters/{store.counter1}/today", headers=staff).json
    assert mine["served"] == 1
    theirs = client.get(
        f"/api/v1/counters/{store.counter1}/today", headers=bearer(store.manager_token)
    ).json
    assert theirs["served"] == 0


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_sign_in_form_signs_in_and_goes_where_it_was_asked(client, store):
    assert client.get("/counter").headers["Location"] == "/login?next=/counter"
    form = client.get("/login?next=/counter").text
    response = client.post(
        "/login?next=/counter",
        data={"username": "staff", "password": PASSWORD, "csrf_token": csrf_of(form)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/counter"
    page = client.get("/counter")
    assert page.status_code == 200
    assert "Counter 1" in page.text


def test_sign_in_refuses_a_wrong_password(client, store):
    form = client.get("/login").text
    response = client.post(
        "/login", data={"username": "staff", "password": "wrong", "csrf_token": csrf_of(form)}
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert client.get("/counter").status_code == 302


def test_sign_ins_by_form_are_audited_like_the_api_ones(client, store, db):
    for password in ("wrong", PASSWORD):
        form = client.get("/login").text
        data = {"username": "staff", "password": password, "csrf_token": csrf_of(form)}
        client.post("/login", data=data)
    rows = db.execute("SELECT action FROM audit_log WHERE action LIKE 'auth.%' ORDER BY id")
    actions = [row[0] for row in rows]
    assert actions == ["auth.login_failed", "auth.login"]


def test_sign_in_refuses_a_form_without_its_csrf_token(client, store):
    client.get("/login")
    response = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/counter").status_code == 302


def test_sign_in_form_without_any_cookie_is_refused_too(app, store):
    response = app.test_client().post("/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 401
    assert "This form had expired. Please sign in again." in response.text


@pytest.mark.parametrize(
    "target",
    [
        *("//evil.example/", "https://evil.example/", "/\\evil"),
        # Control characters, which browsers drop or servers split headers on.
        *("/counter\n/x", "/counter\r\nSet-Cookie: a=b", "/\x00", "/\t/evil", "/ /evil"),
    ],
)
def test_sign_in_never_sends_people_to_another_site(client, store, target):
    form = client.get("/login").text
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "staff", "password": PASSWORD, "csrf_token": csrf_of(form)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/counter"


def test_sign_out_needs_the_csrf_token(client, store):
    form = client.get("/login").text
    client.post(
        "/login", data={"username": "staff", "password": PASSWORD, "csrf_token": csrf_of(form)}
    )
    assert client.post("/logout").status_code == 403
    assert client.get("/counter").status_code == 200
    page = client.get("/counter").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/counter").status_code == 302
