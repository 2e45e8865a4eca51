"""Reading the branch: services for the kiosk, counters for staff, the live snapshot."""

from __future__ import annotations

import pytest

from server.store import add_branch, add_service
from tests.api.calls import assert_error, called, issued, staff_post
from tests.conftest import PASSWORD, bearer


def test_anyone_may_list_the_services_with_their_queues(client, store):
    issued(client, store)
    services = client.get("/api/v1/services").json
    # Nobody works at a counter yet: no estimate ("waiting for a counter to open").
    assert [(s["eta_s"], s["open_counters"]) for s in services] == [(None, 0), (None, 0)]
    staff_post(client, store, f"/counters/{store.counter1}/open")
    services = client.get("/api/v1/services").json
    assert [(s["id"], s["prefix"], s["name"], s["waiting"]) for s in services] == [
        (store.payments, "A", "Payments", 1),
        (store.returns, "B", "Returns", 0),
    ]
    assert all(isinstance(s["eta_s"], int) for s in services)
    assert [s["open_counters"] for s in services] == [1, 1]
    assert services[0]["names"] == {"tr": "Ödemeler"}


def test_a_device_sees_its_own_branchs_services(client, store, db):
    other = add_branch(db, "Other", "other")
    add_service(db, other, "Z", "Elsewhere")
    services = client.get(
        f"/api/v1/services?branch_id={other}", headers=bearer(store.kiosk_token)
    ).json
    assert [s["prefix"] for s in services] == ["A", "B"]


def test_anyone_else_may_ask_for_another_branch(client, store, db):
    other = add_branch(db, "Other", "other")
    add_service(db, other, "Z", "Elsewhere")
    services = client.get(f"/api/v1/services?branch_id={other}").json
    assert [s["prefix"] for s in services] == ["Z"]


@pytest.mark.parametrize("branch_id", ["abc", "1.5", "²", "99999999999999999999999"])
def test_a_branch_id_that_is_not_a_number_is_refused(client, branch_id):
    response = client.get(f"/api/v1/services?branch_id={branch_id}")
    assert_error(response, 422, "invalid", "branch_id")


def test_an_unknown_branch_is_not_found(client):
    assert_error(client.get("/api/v1/services?branch_id=99"), 404, "not_found", "branch_id")


def test_staff_list_the_counters_and_what_they_serve(client, store):
    counters = client.get("/api/v1/counters", headers=bearer(store.staff_token)).json
    assert counters == [
        {
            "id": store.counter1,
            "name": "Counter 1",
            "names": {},
            "service_ids": [store.payments, store.returns],
            "active": True,
            "paused_at": None,
            "pause_reason": None,
            "pause_note": None,
            "open": False,
            "staffed_by": None,
            "staffed_at": None,
        },
        {
            "id": store.counter2,
            "name": "Counter 2",
            "names": {},
            "service_ids": [store.payments],
            "active": True,
            "paused_at": None,
            "pause_reason": None,
            "pause_note": None,
            "open": False,
            "staffed_by": None,
            "staffed_at": None,
        },
    ]


def test_a_counters_state_shows_its_ticket_and_its_queues(client, store):
    ticket = called(client, store)
    issued(client, store, store.returns)
    state = client.get(f"/api/v1/counters/{store.counter2}", headers=bearer(store.staff_token))
    assert state.json["current"]["id"] == ticket["id"]
    assert state.json["waiting"] == []  # counter 2 does not serve returns
    state = client.get(f"/api/v1/counters/{store.counter1}", headers=bearer(store.staff_token))
    assert (state.json["current"], [t["code"] for t in state.json["waiting"]]) == (None, ["B001"])


def test_an_unknown_counter_is_not_found(client, store):
    response = client.get("/api/v1/counters/99", headers=bearer(store.staff_token))
    assert_error(response, 404, "not_found", "counter_id")


@pytest.mark.parametrize("who", ["display_token", "kiosk_token", "feedback_token", "staff_token"])
def test_devices_and_staff_get_the_branch_snapshot(client, store, who):
    snapshot = client.get(
        f"/api/v1/branches/{store.branch_id}/snapshot", headers=bearer(getattr(store, who))
    ).json
    assert snapshot["seq"] == 0
    assert snapshot["branch"]["id"] == store.branch_id
    assert {"services", "now_serving", "counters", "recent_calls", "service_day"} <= set(snapshot)


def test_the_snapshot_follows_every_change_with_its_seq(client, store):
    ticket = called(client, store)
    snapshot = client.get(
        f"/api/v1/branches/{store.branch_id}/snapshot", headers=bearer(store.display_token)
    ).json
    assert snapshot["seq"] == 2  # issued, called
    assert [(s["code"], s["counter_id"]) for s in snapshot["now_serving"]] == [
        (ticket["code"], store.counter2)
    ]
    assert [call["code"] for call in snapshot["recent_calls"]] == ["A001"]


def test_the_snapshot_shows_no_customer_names(client, store):
    issued(client, store, customer_name="Ayşe")
    staff_post(client, store, f"/counters/{store.counter2}/call-next")
    response = client.get(
        f"/api/v1/branches/{store.branch_id}/snapshot", headers=bearer(store.display_token)
    )
    assert "Ayşe" not in response.get_data(as_text=True)


@pytest.mark.parametrize("device", ["display_token", "kiosk_token", "feedback_token"])
def test_a_device_may_not_read_another_branchs_snapshot(client, store, db, device):
    other = add_branch(db, "Other", "other")
    headers = bearer(getattr(store, device))
    response = client.get(f"/api/v1/branches/{other}/snapshot", headers=headers)
    assert_error(response, 403, "forbidden")


def test_the_snapshot_of_an_unknown_branch_is_not_found(client, store):
    response = client.get("/api/v1/branches/99/snapshot", headers=bearer(store.staff_token))
    assert_error(response, 404, "not_found", "branch_id")


def test_staff_sign_in_at_a_counter_and_out_of_it(client, store):
    opened = staff_post(client, store, f"/counters/{store.counter1}/open")
    assert opened.status_code == 200
    assert (opened.json["open"], opened.json["staffed_by"]["name"]) == (True, "staff")
    counters = client.get("/api/v1/counters", headers=bearer(store.staff_token)).json
    listed = {c["id"]: c for c in counters}
    assert listed[store.counter1]["open"] and not listed[store.counter2]["open"]
    closed = staff_post(client, store, f"/counters/{store.counter1}/close")
    assert (closed.json["open"], closed.json["staffed_by"]) == (False, None)


def test_signing_out_through_the_api_closes_the_counter(client, store):
    login = client.post("/api/v1/auth/login", json={"username": "staff", "password": PASSWORD})
    csrf = {"X-CSRFToken": login.json["csrf_token"]}
    client.post(f"/api/v1/counters/{store.counter2}/open", headers=csrf)
    assert client.get("/api/v1/counters").json[1]["open"]
    client.post("/api/v1/auth/logout", headers=csrf)
    counters = client.get("/api/v1/counters", headers=bearer(store.staff_token)).json
    assert not counters[1]["open"]


def test_only_staff_may_open_a_counter(client, store):
    response = client.post(
        f"/api/v1/counters/{store.counter1}/open", headers=bearer(store.kiosk_token)
    )
    assert_error(response, 403, "forbidden")
    assert_error(staff_post(client, store, "/counters/999/open"), 404, "not_found", "counter_id")
