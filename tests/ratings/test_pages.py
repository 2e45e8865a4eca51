"""The rating pages over HTTP: what the phone page says in each state, in each language."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from server.app import create_app
from server.domain.ratings import REASONS
from server.engine import QueueEngine
from tests.ratings.test_rules import Clock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def finished(db, store) -> dict:
    engine = QueueEngine(db, Clock())
    ticket = engine.issue_ticket(store.payments).ticket
    engine.call_next(store.counter2)
    engine.start(ticket["id"])
    return engine.finish(ticket["id"]).ticket


def test_phone_page_offers_the_faces_after_service(client, finished):
    page = client.get(f"/t/{finished['token']}/rate?lang=tr").get_data(as_text=True)
    assert "Bugünkü hizmetimizi nasıl buldunuz?" in page
    assert 'data-state="open"' in page
    assert page.count('class="face face-') == 5


def test_phone_page_before_service_after_rating_and_after_the_window(
    client, db, store, db_path, finished
):
    waiting = QueueEngine(db, Clock()).issue_ticket(store.payments).ticket
    assert 'data-state="not_served"' in client.get(f"/t/{waiting['token']}/rate").get_data(True)
    two_days_on = Clock().now + timedelta(days=2)
    later = create_app(
        {"SIRA_DB": db_path, "SECRET_KEY": "t", "SIRA_CLOCK": lambda: two_days_on}
    ).test_client()
    assert 'data-state="closed"' in later.get(f"/t/{finished['token']}/rate").get_data(True)
    QueueEngine(db, Clock()).rate(finished["token"], 4)
    assert 'data-state="rated"' in client.get(f"/t/{finished['token']}/rate").get_data(True)


def test_phone_page_unknown_ticket_is_404(client, store):
    assert client.get("/t/nope/rate").status_code == 404


def test_feedback_screen_is_in_malay(client, store):
    page = client.get("/feedback?lang=ms").get_data(as_text=True)
    assert "Selamat datang!" in page and "Bagaimana perkhidmatan kami hari ini?" in page


@pytest.mark.parametrize(
    "catalog",
    sorted(
        str(path.relative_to(ROOT))
        for part in ("display/feedback", "server/dashboard")
        for path in (ROOT / part).glob("translations/*/LC_MESSAGES/messages.po")
    ),
)
def test_every_message_is_translated(catalog):
    with (ROOT / catalog).open("rb") as po:
        messages = [m for m in read_po(po) if m.id]
    assert messages and all(m.string for m in messages)


def test_every_reason_code_has_a_chip(client, store):
    page = client.get("/feedback").get_data(as_text=True)
    chips = re.findall(r'data-reason="([a-z_]+)"', page)
    assert chips == list(REASONS) * 3  # once in each language's copy of the steps


def test_phone_rating_page_speaks_the_ticket_language(client, db, store):
    engine = QueueEngine(db, Clock())
    ticket = engine.issue_ticket(store.payments, language="tr").ticket
    engine.call_next(store.counter2)
    engine.start(ticket["id"])
    engine.finish(ticket["id"])
    page = client.get(f"/t/{ticket['token']}/rate").get_data(as_text=True)
    assert '<html lang="tr">' in page
    assert "Ödemeler" in page and "Bugünkü hizmetimizi nasıl buldunuz?" in page
    assert "Çok iyi" in page  # the faces' words too
    asked = client.get(f"/t/{ticket['token']}/rate?lang=ms").get_data(as_text=True)
    assert '<html lang="ms">' in asked and "Sangat baik" in asked


def test_mistyped_rating_link_gets_the_friendly_page(client, store):
    response = client.get("/t/mistyped/rate?lang=ms")
    assert response.status_code == 404
    assert "Kami tidak dapat mencari tiket ini" in response.get_data(as_text=True)
