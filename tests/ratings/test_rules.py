"""Rating rules: once per ticket, only after service, within bounds, phone only for a while."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.errors import Conflict, NotAllowed, ValidationError
from server.engine import QueueEngine
from tests.conftest import bearer


class Clock:
    """Starts at the real now, so the app (on the real clock) sees a fresh visit."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def served(db, store, clock) -> dict:
    """A ticket served at counter 1."""
    engine = QueueEngine(db, clock)
    ticket = engine.issue_ticket(store.returns).ticket
    engine.call_next(store.counter1)
    engine.start(ticket["id"])
    return engine.finish(ticket["id"]).ticket


def test_a_rating_is_stored_with_reasons_and_channel(db, served, clock):
    QueueEngine(db, clock).rate(
        served["token"], 4, "  Quick and kind ", "feedback", ["speed", "friendliness", "speed"]
    )
    row = dict(db.execute("SELECT * FROM ratings").fetchone())
    assert (row["score"], row["comment"], row["channel"]) == (4, "Quick and kind", "feedback")
    assert json.loads(row["reasons"]) == ["speed", "friendliness"]
    kinds = [r[0] for r in db.execute("SELECT kind FROM ticket_events ORDER BY id")]
    assert kinds[-1] == "rated"


def test_only_once_whichever_channel_comes_first(db, served, clock):
    engine = QueueEngine(db, clock)
    engine.rate(served["token"], 5, channel="feedback")
    with pytest.raises(Conflict):
        engine.rate(served["token"], 1, channel="phone")
    assert db.execute("SELECT count(*) FROM ratings").fetchone()[0] == 1


def test_not_before_service(db, store, clock):
    engine = QueueEngine(db, clock)
    waiting = engine.issue_ticket(store.payments).ticket
    with pytest.raises(ValidationError) as refused:
        engine.rate(waiting["token"], 5)
    assert refused.value.field == "token"
    engine.call_next(store.counter2)
    with pytest.raises(ValidationError):
        engine.rate(waiting["token"], 5)
    engine.no_show(waiting["id"])
    with pytest.raises(ValidationError):
        engine.rate(waiting["token"], 5)


@pytest.mark.parametrize(
    ("score", "comment", "reasons", "field"),
    [
        (0, None, None, "score"),
        (6, None, None, "score"),
        ("5", None, None, "score"),
        (True, None, None, "score"),
        (3, "x" * 1001, None, "comment"),
        (3, 42, None, "comment"),
        (3, None, ["bogus"], "reasons"),
        (3, None, "speed", "reasons"),
    ],
)
def test_bounds(db, served, clock, score, comment, reasons, field):
    with pytest.raises(ValidationError) as refused:
        QueueEngine(db, clock).rate(served["token"], score, comment, "phone", reasons)
    assert refused.value.field == field
    assert db.execute("SELECT count(*) FROM ratings").fetchone()[0] == 0


def test_phone_rating_closes_after_the_window_but_the_screen_still_may(db, served, clock):
    engine = QueueEngine(db, clock)
    clock.now += timedelta(hours=24, seconds=1)
    with pytest.raises(ValidationError):
        engine.rate(served["token"], 4, channel="phone")
    engine.rate(served["token"], 4, channel="feedback")


def test_phone_rating_within_a_configured_window(db, served, clock):
    clock.now += timedelta(hours=2)
    with pytest.raises(ValidationError):
        QueueEngine(db, clock).rate(served["token"], 4, phone_window=timedelta(hours=1))
    QueueEngine(db, clock).rate(served["token"], 4, phone_window=timedelta(hours=3))


def test_a_feedback_screen_rates_only_its_own_counter(db, store, clock):
    engine = QueueEngine(db, clock)
    ticket = engine.issue_ticket(store.payments).ticket
    engine.call_next(store.counter2)
    engine.start(ticket["id"])
    engine.finish(ticket["id"])
    with pytest.raises(NotAllowed):
        engine.rate(ticket["token"], 5, channel="feedback", counter_id=store.counter1)


# -- over HTTP ------------------------------------------------------------------------------


def test_api_rating_by_phone_then_conflict(client, served):
    url = f"/api/v1/tickets/{served['token']}/rating"
    first = client.post(url, json={"score": 2, "comment": "<script>x</script>"})
    assert first.status_code == 201
    assert first.json["channel"] == "phone" and first.json["score"] == 2
    second = client.post(url, json={"score": 5})
    assert second.status_code == 409


def test_api_rating_from_the_feedback_screen(client, store, served):
    response = client.post(
        f"/api/v1/tickets/{served['token']}/rating",
        json={"score": 5, "reasons": ["resolution"]},
        headers=bearer(store.feedback_token),
    )
    assert response.status_code == 201
    assert response.json["channel"] == "feedback" and response.json["reasons"] == ["resolution"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"score": 9}, 422, "score"),
        ({"score": 3, "comment": "y" * 2000}, 422, "comment"),
        ({"score": 3, "reasons": ["nope"]}, 422, "reasons"),
    ],
)
def test_api_refusals_name_the_field(client, served, body, status, field):
    response = client.post(f"/api/v1/tickets/{served['token']}/rating", json=body)
    assert response.status_code == status
    assert response.json["error"]["field"] == field


def test_api_unknown_token_is_404(client, store):
    assert client.post("/api/v1/tickets/nope/rating", json={"score": 3}).status_code == 404


def test_api_window_comes_from_settings(db_path, store, served):
    from server.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SIRA_DB": db_path,
            "SECRET_KEY": "t",
            "SIRA_ASYNC_MODE": "threading",
            "SIRA_RATING_WINDOW_H": 1,
            "SIRA_CLOCK": lambda: (
                datetime.fromisoformat(served["finished_at"]) + timedelta(hours=2)
            ),
        }
    )
    response = app.test_client().post(
        f"/api/v1/tickets/{served['token']}/rating", json={"score": 3}
    )
    assert response.status_code == 422
    assert "no longer" in response.json["error"]["message"]
