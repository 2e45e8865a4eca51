"""POST /api/v1/tickets: kiosks and staff issue tickets; bad fields are named, none written."""

from __future__ import annotations

import pytest

from server.store import add_branch, add_service
from tests.api.calls import assert_error, issued, staff_post
from tests.conftest import bearer

TICKET_FIELDS = {
    "id",
    "code",
    "token",
    "status",
    "service_id",
    "priority",
    "position",
    "eta_s",
    "counter",
    "created_at",
    "called_at",
    "started_at",
    "finished_at",
}


def issue(client, token: str, body: dict, **headers):
    return client.post("/api/v1/tickets", json=body, headers=bearer(token) | headers)


def test_a_kiosk_issues_a_ticket(client, store):
    staff_post(client, store, f"/counters/{store.counter2}/open")
    response = issue(
        client,
        store.kiosk_token,
        {
            "service_id": store.payments,
            "language": "tr",
            "priority": "elderly",
            "customer_name": "Ayşe",
        },
    )
    assert response.status_code == 201
    ticket = response.json
    assert set(ticket) >= TICKET_FIELDS
    assert (ticket["code"], ticket["status"], ticket["position"], ticket["eta_s"]) == (
        "A001",
        "waiting",
        0,
        0,
    )
    assert (ticket["language"], ticket["priority"], ticket["customer_name"]) == (
        "tr",
        "elderly",
        "Ayşe",
    )


def test_staff_issue_tickets_too(client, store):
    response = issue(client, store.staff_token, {"service_id": store.returns})
    assert (response.status_code, response.json["code"]) == (201, "B001")


def test_the_kiosk_is_recorded_as_the_issuer(client, store, db):
    ticket = issued(client, store)
    event = db.execute("SELECT data FROM ticket_events WHERE ticket_id = ?", [ticket["id"]])
    assert '"device_id": 1' in event.fetchone()[0]


def test_an_idempotency_key_repeat_returns_the_same_ticket(client, store, unchanged):
    body = {"service_id": store.payments}
    first = issue(client, store.kiosk_token, body, **{"Idempotency-Key": "tap-7"})
    with unchanged():
        repeat = issue(client, store.kiosk_token, body, **{"Idempotency-Key": "tap-7"})
    assert repeat.status_code == 201
    assert repeat.json["id"] == first.json["id"]
    assert repeat.json["token"] == first.json["token"]


def test_without_the_key_a_repeat_is_a_new_ticket(client, store):
    codes = [issued(client, store)["code"] for _ in range(2)]
    assert codes == ["A001", "A002"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "service_id"),
        ({"service_id": None}, "service_id"),
        ({"service_id": "payments"}, "service_id"),
        ({"service_id": 1.5}, "service_id"),
        ({"service_id": 999}, "service_id"),
        ({"service_id": 2**70}, "service_id"),
        ({"service_id": 1, "priority": "vip"}, "priority"),
        ({"service_id": 1, "language": "de"}, "language"),
        ({"service_id": 1, "customer_name": "x" * 41}, "customer_name"),
        ({"service_id": 1, "customer_name": "one\ntwo"}, "customer_name"),
        ({"service_id": 1, "customer_name": {"first": "Ayşe"}}, "customer_name"),
    ],
)
def test_an_invalid_field_is_refused_by_name(client, store, unchanged, body, field):
    with unchanged():
        response = issue(client, store.kiosk_token, body)
    assert_error(response, 422, "invalid", field)


def test_an_overlong_idempotency_key_is_refused_by_name(client, store, unchanged):
    with unchanged():
        response = issue(
            client,
            store.kiosk_token,
            {"service_id": store.payments},
            **{"Idempotency-Key": "k" * 201},
        )
    assert_error(response, 422, "invalid", "Idempotency-Key")


def test_a_kiosk_may_not_issue_for_another_branchs_service(client, store, db, unchanged):
    other = add_branch(db, "Other", "other")
    service = add_service(db, other, "Z", "Elsewhere")
    with unchanged():
        response = issue(client, store.kiosk_token, {"service_id": service})
    error = assert_error(response, 422, "invalid", "service_id")
    assert "another branch" in error["message"]


def test_a_closed_service_issues_no_tickets(client, store, db, unchanged):
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.returns])
    with unchanged():
        response = issue(client, store.kiosk_token, {"service_id": store.returns})
    assert_error(response, 422, "invalid", "service_id")


def test_a_display_may_not_issue_tickets(client, store, unchanged):
    with unchanged():
        response = issue(client, store.display_token, {"service_id": store.payments})
    assert_error(response, 403, "forbidden")


def test_anyone_with_the_token_follows_the_ticket(client, store):
    staff_post(client, store, f"/counters/{store.counter2}/open")
    ticket = issued(client, store)
    issued(client, store)
    second = issued(client, store)
    public = client.get(f"/api/v1/tickets/{second['token']}").json
    assert public == {
        "code": "A003",
        "token": second["token"],
        "status": "waiting",
        "service": {"id": store.payments, "prefix": "A", "name": "Payments"},
        "position": 2,
        "eta_s": public["eta_s"],
        "eta_range_s": public["eta_range_s"],
        "eta_minutes": public["eta_minutes"],
        "counter": None,
        "language": "en",
        "channel": "kiosk",
        "more_time_count": 0,
        "on_my_way_at": None,
    }
    assert public["eta_s"] > 0 and public["eta_range_s"][0] < public["eta_s"]
    assert client.get(f"/api/v1/tickets/{ticket['token']}").json["position"] == 0


def test_the_public_ticket_names_the_counter_once_called(client, store):
    ticket = issued(client, store)
    client.post(f"/api/v1/counters/{store.counter2}/call-next", headers=bearer(store.staff_token))
    public = client.get(f"/api/v1/tickets/{ticket['token']}").json
    assert (public["status"], public["counter"]) == (
        "called",
        {"id": store.counter2, "name": "Counter 2", "names": {}},
    )


def test_the_public_ticket_shows_no_customer_name(client, store):
    ticket = issued(client, store, customer_name="Ayşe")
    response = client.get(f"/api/v1/tickets/{ticket['token']}")
    assert "Ayşe" not in response.get_data(as_text=True)


def test_an_unknown_ticket_token_is_not_found(client):
    assert_error(client.get("/api/v1/tickets/not-a-token"), 404, "not_found", "token")


def test_a_ticket_id_is_not_its_token(client, store):
    ticket = issued(client, store)
    assert_error(client.get(f"/api/v1/tickets/{ticket['id']}"), 404, "not_found", "token")
