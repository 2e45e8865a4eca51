"""Links, limits and sign-in guessing.

Everything a ticket token opens (its phone page, the rating page, the QR image, the API and
`subscribe ticket:<token>`) shares one rate limit per address. Pairing links and QR codes use
SIRA_PUBLIC_URL, and SIRA_ALLOWED_HOSTS refuses other Host headers. Sign-in guesses are limited
per account and address, so an attacker cannot lock the owner out; from many addresses they are
slowed by a growing delay instead.
"""

from __future__ import annotations

import pytest

from server.admin.devices import pair_url
from server.audit import Actor, record
from server.public_url import public_base_url
from server.security import sign_in_delay
from server.storage import transaction
from tests.conftest import PASSWORD, bearer


@pytest.fixture
def token(client, store) -> str:
    answer = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.staff_token)
    )
    return answer.json["token"]


@pytest.mark.parametrize(
    "path", ["/t/{token}", "/t/{token}/rate", "/kiosk/qr/{token}.svg", "/api/v1/tickets/{token}"]
)
def test_everything_a_ticket_token_opens_is_rate_limited(app, token, path):
    app.config["SIRA_LIMIT_PUBLIC_TICKET"] = "3 per minute"
    guesser = app.test_client()
    for guess in ("aaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbb", token):
        assert guesser.get(path.format(token=guess)).status_code != 429
    assert guesser.get(path.format(token=token)).status_code == 429
    other_address = guesser.get(path.format(token=token), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other_address.status_code != 429


@pytest.mark.slow
def test_subscribing_to_ticket_rooms_is_rate_limited(db_path, store, listen):
    from tests.live import LiveServer

    server = LiveServer(db_path, env={"SIRA_LIMIT_PUBLIC_TICKET": "3 per minute"}).start()
    try:
        phone = listen(server.url)
        answers = [phone.subscribe(f"ticket:guess{n:018d}") for n in range(4)]
        assert [a["error"]["code"] for a in answers] == ["not_found"] * 3 + ["rate_limited"]
    finally:
        server.stop()


def test_pairing_links_and_ticket_links_use_the_public_url_not_the_host_header(app, store):
    app.config["SIRA_PUBLIC_URL"] = "https://sira.example.com"
    with app.test_request_context("/admin/devices/new", headers={"Host": "evil.example"}):
        assert pair_url("K7QM-3XPD") == "https://sira.example.com/pair?code=K7QM-3XPD"
        assert public_base_url() == "https://sira.example.com"


def test_allowed_hosts_refuse_another_host_header(store, db_path):
    from server.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SIRA_DB": db_path,
            "SECRET_KEY": "test",
            "SIRA_ALLOWED_HOSTS": "sira.example.com, localhost",
        }
    )
    client = app.test_client()
    assert client.get("/api/v1/services", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/api/v1/services", headers={"Host": "evil.example"}).status_code == 400


@pytest.fixture
def quick_delays(app):
    app.config.update(SIRA_LOGIN_DELAY_S=0.01, SIRA_LOGIN_DELAY_MAX_S=0.05)
    return app


def attempt(app, password: str, address: str):
    return app.test_client().post(
        "/api/v1/auth/login",
        json={"username": "staff", "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_attacker_cannot_lock_the_owner_out(quick_delays, store):
    app = quick_delays
    answers = [attempt(app, "guess", "198.51.100.7").status_code for _ in range(7)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]
    assert attempt(app, PASSWORD, "203.0.113.5").status_code == 200
    for n in range(4):  # the same guessing from four more addresses
        for _ in range(5):
            attempt(app, "guess", f"198.51.100.{20 + n}")
    assert attempt(app, PASSWORD, "203.0.113.5").status_code == 200


def test_the_delay_grows_with_an_accounts_recent_failures(app, db, store):
    delays = []
    with app.app_context():
        for _ in range(9):
            delays.append(sign_in_delay(db, "staff"))
            with transaction(db):
                record(db, Actor(address="192.0.2.1"), "auth.login_failed", ("user", None), "staff")
        assert sign_in_delay(db, "manager") == 0
    assert delays[:5] == [0] * 5
    assert delays[5:] == [0.5, 1.0, 2.0, 4.0]
