"""The sign-in page and the phone page's friendly 404, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_sign_in_with_a_wrong_password_says_so(live_server, page):
    page.goto(f"{live_server.url}/login?lang=tr")
    page.fill("#username", "staff")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Kullanıcı adı veya parola yanlış.")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/counter")
    expect(page.locator("#picker-list button")).to_have_count(2)


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("en", "We cannot find this ticket"),
        ("tr", "Bu bileti bulamıyoruz"),
        ("ms", "Kami tidak dapat mencari tiket ini"),
    ],
)
def test_unknown_ticket_link_is_a_friendly_404(live_server, page, lang, heading):
    response = page.goto(f"{live_server.url}/t/not-a-ticket?lang={lang}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(heading)


def test_phone_page_in_turkish_follows_the_queue(live_server, api, store, page):
    api.issue(store.payments)
    mine = api.issue(store.payments, language="tr")
    page.goto(f"{live_server.url}/t/{mine['token']}?lang=tr")
    expect(page.locator("#ahead")).to_have_text("Önünüzde 1 kişi var")
    api.call_next(store.counter1)
    expect(page.locator("#ahead")).to_have_text("Sıradaki sizsiniz.")
    api.call_next(store.counter2)
    expect(page.locator("#message")).to_have_text("Lütfen şimdi şuraya gidin: Counter 2")


def test_a_signed_out_workstation_goes_back_to_sign_in(api, store, open_staff):
    api.issue(store.payments)
    staff = open_staff(store.counter1)
    staff.context.clear_cookies()
    staff.click("#action-call-next")
    staff.wait_for_url("**/login?next=%2Fcounter%3Fcounter%3D*")
    expect(staff.locator("h1")).to_have_text("Staff sign-in")
