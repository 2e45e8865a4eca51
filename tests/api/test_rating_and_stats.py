"""The customer's rating after service, and the manager's statistics."""

from __future__ import annotations

import pytest

from tests.api.calls import assert_error, called, issued, served
from tests.conftest import bearer


def rate(client, token: str, body: dict, headers: dict | None = None):
    return client.post(f"/api/v1/tickets/{token}/rating", json=body, headers=headers or {})


def test_a_served_customer_rates_once(client, store, db):
    ticket = served(client, store)
    response = rate(client, ticket["token"], {"score": 4, "comment": "Hızlı ve nazik"})
    assert response.status_code == 201
    assert (response.json["ticket_id"], response.json["score"]) == (ticket["id"], 4)
    row = db.execute("SELECT score, comment, channel FROM ratings").fetchone()
    assert tuple(row) == (4, "Hızlı ve nazik", "phone")


def test_a_rating_from_the_feedback_screen_says_so(client, store, db):
    ticket = served(client, store, store.counter1)  # the feedback screen stands at counter 1
    rate(client, ticket["token"], {"score": 5}, bearer(store.feedback_token))
    assert db.execute("SELECT channel FROM ratings").fetchone()[0] == "feedback"


def test_a_second_rating_is_409(client, store, unchanged):
    ticket = served(client, store)
    rate(client, ticket["token"], {"score": 4})
    with unchanged():
        response = rate(client, ticket["token"], {"score": 1})
    assert_error(response, 409, "conflict", "token")


@pytest.mark.parametrize("status", ["waiting", "called"])
def test_a_ticket_not_yet_served_cannot_be_rated(client, store, unchanged, status):
    ticket = issued(client, store) if status == "waiting" else called(client, store)
    with unchanged():
        response = rate(client, ticket["token"], {"score": 5})
    assert_error(response, 422, "invalid", "token")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "score"),
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "5"}, "score"),
        ({"score": 4.5}, "score"),
        ({"score": 5, "comment": "c" * 1001}, "comment"),
        ({"score": 5, "comment": 12}, "comment"),
    ],
)
def test_a_bad_rating_is_422_naming_the_field(client, store, unchanged, body, field):
    ticket = served(client, store)
    with unchanged():
        response = rate(client, ticket["token"], body)
    assert_error(response, 422, "invalid", field)


def test_rating_an_unknown_ticket_is_404(client, store, unchanged):
    with unchanged():
        response = rate(client, "not-a-token", {"score": 5})
    assert_error(response, 404, "not_found", "token")


STATS_KEYS = {
    "issued",
    "served",
    "no_show",
    "cancelled",
    "wait_s",
    "service_s",
    "within_target_pct",
    "rating",
}


@pytest.mark.parametrize("who", ["manager_token", "admin_token"])
def test_managers_and_admins_read_the_statistics(client, store, who):
    ticket = served(client, store)
    rate(client, ticket["token"], {"score": 5})
    day = issued(client, store)["service_day"]
    stats = client.get(
        f"/api/v1/stats?from={day}&to={day}", headers=bearer(getattr(store, who))
    ).json
    assert set(stats) >= STATS_KEYS
    assert (stats["issued"], stats["served"]) == (2, 1)
    assert set(stats["wait_s"]) >= {"avg", "p50", "p90", "max"}
    assert set(stats["service_s"]) >= {"avg", "p50", "p90"}
    assert (stats["rating"]["count"], stats["rating"]["avg"]) == (1, 5)
    assert stats["rating"]["distribution"]["5"] == 1


def test_statistics_of_a_range_with_no_tickets_are_empty_not_an_error(client, store):
    stats = client.get(
        "/api/v1/stats?from=2020-01-01&to=2020-01-31", headers=bearer(store.manager_token)
    ).json
    assert (stats["issued"], stats["wait_s"]["avg"], stats["rating"]["avg"]) == (0, None, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-03-02&to=2026-03-01", "from"),
        ("service_id=payments", "service_id"),
        ("counter_id=1.5", "counter_id"),
        ("user_id=-1", "user_id"),
    ],
)
def test_a_bad_statistics_filter_is_422_naming_it(client, store, query, field):
    response = client.get(f"/api/v1/stats?{query}", headers=bearer(store.manager_token))
    assert_error(response, 422, "invalid", field)


def test_staff_may_not_read_the_statistics(client, store):
    assert_error(client.get("/api/v1/stats", headers=bearer(store.staff_token)), 403, "forbidden")
