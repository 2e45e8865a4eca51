"""The session cookie's signer is made once per key (server/security.SessionCookies), and a new
key (a rotated SECRET_KEY) is taken at once: cookies signed with the old one stop working."""

from __future__ import annotations

from tests.store import PASSWORD
from tests.workstation.test_desk_api import csrf_of


def test_the_signer_is_made_once_per_key_and_anew_for_a_new_one(app, client):
    form = client.get("/login").text
    client.post(
        "/login", data={"username": "staff", "password": PASSWORD, "csrf_token": csrf_of(form)}
    )
    assert client.get("/counter").status_code == 200
    cookies = app.session_interface
    first = cookies.get_signing_serializer(app)
    assert client.get("/counter").status_code == 200
    assert cookies.get_signing_serializer(app) is first
    app.secret_key = "rotated"
    assert cookies.get_signing_serializer(app) is not first
    assert client.get("/counter").status_code == 302, "the old key's cookie no longer signs in"
