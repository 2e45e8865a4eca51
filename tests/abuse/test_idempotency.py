"""Idempotency keys: bound to the device that sent them and to what it asked, for a day.

The same key and body from the same kiosk replays its ticket (a retry after a lost answer). The
same key with another body is refused (422 naming Idempotency-Key); another kiosk's key never
hands out the first kiosk's ticket; after 24 hours a key starts afresh.
"""

from __future__ import annotations

from datetime import timedelta

from server.auth.accounts import add_device
from server.engine.clock import utc_now
from tests.conftest import bearer


def issue(client, token: str, body: dict, key: str = "retry-1"):
    return client.post(
        "/api/v1/tickets", json=body, headers={**bearer(token), "Idempotency-Key": key}
    )


def test_a_retry_with_the_same_body_gets_the_same_ticket(client, store):
    body = {"service_id": store.payments, "customer_name": "Ali"}
    first, again = (issue(client, store.kiosk_token, body) for _ in range(2))
    assert first.status_code == 201
    assert again.json["id"] == first.json["id"]


def test_a_reused_key_with_another_body_is_refused(client, db, store):
    first = issue(client, store.kiosk_token, {"service_id": store.payments, "customer_name": "A"})
    assert first.status_code == 201
    for other in (
        {"service_id": store.returns},
        {"service_id": store.payments, "customer_name": "Someone else"},
        {"service_id": store.payments, "customer_name": "A", "priority": "elderly"},
    ):
        refused = issue(client, store.kiosk_token, other)
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["field"] == "Idempotency-Key"
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1


def test_another_kiosks_key_does_not_replay_the_first_kiosks_ticket(client, db, store):
    _, other_kiosk = add_device(db, "kiosk", "Kiosk 2", store.branch_id)
    body = {"service_id": store.payments, "customer_name": "Zeynep"}
    first = issue(client, store.kiosk_token, body)
    second = issue(client, other_kiosk, body)
    assert second.status_code == 201
    assert second.json["id"] != first.json["id"]
    assert second.json["token"] != first.json["token"]
    staff = issue(client, store.staff_token, body)
    assert staff.json["id"] not in (first.json["id"], second.json["id"])


def test_a_key_expires_after_a_day(app, store):
    now = utc_now()
    app.config["SIRA_CLOCK"] = lambda: now
    client = app.test_client()
    body = {"service_id": store.payments}
    first = issue(client, store.kiosk_token, body)
    app.config["SIRA_CLOCK"] = lambda: now + timedelta(hours=25)
    later = issue(client, store.kiosk_token, {"service_id": store.returns})
    assert later.status_code == 201
    assert later.json["id"] != first.json["id"]
    assert (
        issue(client, store.kiosk_token, {"service_id": store.returns}).json["id"]
        == (later.json["id"])
    )
