"""Refusals in the reader's language: the API keeps its stable code and field, pages and the
API translate the message (and the words inside it, such as a ticket's status)."""

from __future__ import annotations

from tests.admin.conftest import sign_in
from tests.api.calls import assert_error, issued, staff_post
from tests.conftest import bearer


def test_a_closed_service_is_refused_in_malay_with_the_same_code_and_field(client, db, store):
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.payments])
    response = client.post(
        "/api/v1/tickets",
        json={"service_id": store.payments},
        headers={**bearer(store.kiosk_token), "Accept-Language": "ms"},
    )
    error = assert_error(response, 422, "invalid", "service_id")
    assert error["message"] == "Perkhidmatan Payments ditutup."
    english = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    assert english.json["error"]["message"] == "Service Payments is closed."


def test_the_api_answers_in_the_language_the_page_sends(client, db, store):
    """A kiosk opened with ?lang=en keeps English in its session; the customer picked Malay."""
    client.get("/kiosk?lang=en")
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.payments])
    response = client.post(
        "/api/v1/tickets",
        json={"service_id": store.payments, "language": "ms"},
        headers={**bearer(store.kiosk_token), "Accept-Language": "ms"},
    )
    assert response.json["error"]["message"] == "Perkhidmatan Payments ditutup."


def test_the_words_inside_a_message_are_translated_too(app, client, store):
    ticket = issued(client, store)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/finish?lang=tr", headers=bearer(store.staff_token)
    )
    error = assert_error(response, 409, "invalid_transition")
    assert error["message"] == (
        'A001 biletine "bitirme" yapılamaz: bilet "bekliyor" durumunda; bu yalnızca '
        '"hizmette" durumundaki bir bilete yapılabilir.'
    )
    english = staff_post(app.test_client(), store, f"/tickets/{ticket['id']}/finish")
    assert english.json["error"]["message"].startswith("Cannot finish ticket A001: it is waiting")


def test_an_unknown_ticket_link_in_turkish(client, store):
    response = client.get("/api/v1/tickets/nope", headers={"Accept-Language": "tr"})
    error = assert_error(response, 404, "not_found", "token")
    assert error["message"] == "Bu bağlantıya ait bir bilet yok."


def test_refusal_pages_speak_the_page_language(app, store):
    staff = app.test_client()
    sign_in(staff, "staff")
    page = staff.get("/manager?lang=tr", headers={"Accept": "text/html"})
    assert page.status_code == 403
    assert "Gösterge paneli müdürler içindir." in page.text
    missing = app.test_client().get("/no/such/page?lang=ms")
    assert missing.status_code == 404
    assert "Kami tidak dapat mencari halaman ini." in missing.text
    assert "The requested URL" not in missing.text


def test_error_pages_lead_somewhere_that_answers(app, store):
    staff = app.test_client()
    sign_in(staff, "manager")
    page = staff.get("/no/such/page")
    home = page.text.split('id="error-home" href="')[1].split('"')[0]
    assert home == "/manager"
    assert staff.get(home).status_code == 200
    anonymous = app.test_client().get("/no/such/page").text
    home = anonymous.split('id="error-home" href="')[1].split('"')[0]
    assert app.test_client().get(home, follow_redirects=True).status_code == 200


def test_a_crash_is_a_friendly_page_in_the_readers_language(app, store):
    @app.get("/crash-for-test")
    def crash():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = app.test_client().get("/crash-for-test?lang=tr")
    assert page.status_code == 500
    assert "Bizim tarafımızda bir sorun oluştu." in page.text
    assert "Internal Server Error" not in page.text and "boom" not in page.text
