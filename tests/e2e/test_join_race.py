"""Phones racing for the last remote places against two real `sira serve` processes on one
SQLite file: the cap holds exactly, and one phone tapping twice at once gets one ticket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.joining import set_remote_joining
from server.storage import connect
from tests.live import UNLIMITED, LiveServer

pytestmark = pytest.mark.slow

PHONES = 24
CAP = 5


def join(url: str, service_id: int, phone: tuple[dict, str] | None = None, key: str = ""):
    """A join; with `phone` (its cookies and its page's CSRF token), as that phone."""
    cookies, csrf = phone or (None, "")
    headers = {"Idempotency-Key": key, "X-CSRFToken": csrf}
    return requests.post(
        f"{url}/api/v1/join/test",
        json={"service_id": service_id},
        headers=headers,
        cookies=cookies,
        timeout=30,
    )


@pytest.fixture
def two_servers(db_path, store):
    db = connect(db_path)
    set_remote_joining(
        db, "branch", store.branch_id, {"enabled": True, "closes_before_min": 0, "max_waiting": CAP}
    )
    db.conn.close()
    servers = [LiveServer(db_path, env=UNLIMITED).start() for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def test_the_cap_on_remote_tickets_holds_under_a_rush(two_servers, store, db):
    urls = [server.url for server in two_servers]
    with ThreadPoolExecutor(PHONES) as pool:
        answers = list(pool.map(lambda n: join(urls[n % 2], store.payments), range(PHONES)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * CAP + [422] * (PHONES - CAP)
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 422} == {
        "remote_tickets_full"
    }
    codes = [a.json()["code"] for a in answers if a.status_code == 201]
    assert sorted(codes) == [f"A{n:03d}" for n in range(1, CAP + 1)]
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == CAP


def test_one_phone_tapping_twice_at_once_gets_one_ticket(two_servers, store, db):
    urls = [server.url for server in two_servers]
    phone = requests.Session()  # the phone's browser: its session and, soon, its cookie
    csrf = phone.get(f"{urls[0]}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
    first = phone.post(
        f"{urls[0]}/api/v1/join/test",
        json={"service_id": store.returns},
        headers={"X-CSRFToken": csrf},
        timeout=10,
    )
    assert first.status_code == 201, first.text
    cookies = phone.cookies.get_dict()
    assert requests.post(f"{urls[0]}/api/v1/tickets/{first.json()['token']}/leave", timeout=10).ok
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda n: join(urls[n % 2], store.payments, (cookies, csrf), f"tap-{n}"),
                range(8),
            )
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) == 1, [a.text for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code != 201} == {
        "one_ticket_per_phone"
    }
    active = db.execute(
        "SELECT count(*) FROM tickets WHERE status = 'waiting' AND channel = 'phone'"
    ).fetchone()[0]
    assert active == 1
