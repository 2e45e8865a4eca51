"""Fixtures for administration and security tests: signed-in clients and a shared live server."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, build_store
from tests.live import LiveServer

# Every administration page (one service, counter, user and device each); "/admin/" redirects.
ADMIN_PAGES = [
    "/admin/branches",
    "/admin/branches/new",
    "/admin/branches/1",
    "/admin/branches/1/services",
    "/admin/branches/1/services/new",
    "/admin/services/1",
    "/admin/branches/1/counters",
    "/admin/branches/1/counters/new",
    "/admin/counters/1",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/devices",
    "/admin/devices/new",
    "/admin/devices/1",
    "/admin/branches/1/branding",
    "/admin/branches/1/joining",
    "/admin/branches/1/poster",
    "/admin/audit",
]


def sign_in(client, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API (as the browser does); returns the CSRF token for writes."""
    csrf = client.get("/api/v1/auth/csrf").json["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200, response.json
    return response.json["csrf_token"]


def form_errors(html: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', html)


@pytest.fixture
def app(app, tmp_path):
    """The shared app fixture, with uploaded media kept in the test's own folder."""
    app.config["SIRA_MEDIA_DIR"] = str(tmp_path / "media")
    return app


@pytest.fixture
def admin_client(app):
    """A test client signed in as the admin; `.csrf` holds the token for forms."""
    client = app.test_client()
    client.csrf = sign_in(client, "admin")
    return client


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One live server and store for a whole module of read-mostly checks."""
    path = str(tmp_path_factory.mktemp("shared") / "sira.db")
    store = build_store(path)
    server = LiveServer(path).start()
    server.store = store
    yield server
    server.stop()
