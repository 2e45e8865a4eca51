"""Requests the API tests make again and again, and the check on every error reply."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import Store, bearer


def issued(client: FlaskClient, store: Store, service_id: int | None = None, **body) -> dict:
    """A ticket issued by the store's kiosk."""
    response = client.post(
        "/api/v1/tickets",
        json={"service_id": service_id or store.payments, **body},
        headers=bearer(store.kiosk_token),
    )
    assert response.status_code == 201, response.json
    return response.json


def staff_post(client: FlaskClient, store: Store, path: str, **body) -> TestResponse:
    """A staff member's write through the API with a bearer token."""
    return client.post(f"/api/v1{path}", json=body or None, headers=bearer(store.staff_token))


def called(client: FlaskClient, store: Store, counter_id: int | None = None) -> dict:
    """A payments ticket issued and called at counter 2 (or `counter_id`)."""
    issued(client, store)
    response = staff_post(client, store, f"/counters/{counter_id or store.counter2}/call-next")
    assert response.status_code == 200, response.json
    return response.json


def served(client: FlaskClient, store: Store, counter_id: int | None = None) -> dict:
    """A payments ticket called, started and finished at counter 2 (or `counter_id`)."""
    ticket = called(client, store, counter_id)
    for move in ("start", "finish"):
        response = staff_post(client, store, f"/tickets/{ticket['id']}/{move}")
        assert response.status_code == 200, response.json
    return response.json


def assert_error(response: TestResponse, status: int, code: str, field: str | None = None) -> dict:
    """The one error shape of the API: {"error": {"code", "message", "field"?}}."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    error = response.json["error"]
    assert set(error) <= {"code", "message", "field"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert error.get("field") == field
    return error
