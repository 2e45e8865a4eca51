"""The join QR code where customers see it: on the kiosk screen, on the admin's page and on
the printed poster; each read back from the screen by a real QR decoder."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.admin.test_admin_browser import sign_in


def decoded(screenshot: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(screenshot)))]


def test_the_kiosk_shows_the_join_code_only_while_phones_may_join(live_server, store, new_page, db):
    kiosk = new_page()
    kiosk.goto(f"{live_server.url}/kiosk#token={store.kiosk_token}")
    expect(kiosk.locator("#screen-start")).to_be_visible()
    expect(kiosk.locator("#kiosk-join")).to_be_hidden()

    db.execute("UPDATE branches SET remote_joining = 1 WHERE id = ?", [store.branch_id])
    kiosk.reload()
    expect(kiosk.locator("#kiosk-join")).to_be_visible()
    kiosk.get_by_role("button", name="Türkçe").click()
    expect(kiosk.locator("#kiosk-join p")).to_have_text(
        "Bir dahaki sefere kioska uğramayın: telefonunuzdan sıraya girmek için bu kodu okutun."
    )
    qr = kiosk.locator("#kiosk-join-qr")
    expect(qr).to_have_js_property("complete", True)
    assert decoded(qr.screenshot()) == [f"{live_server.url}/join/test"]


def test_the_admin_opens_joining_and_prints_the_poster(live_server, store, page):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/branches")
    page.get_by_role("link", name="Joining from phones").click()
    page.check("#field-enabled")
    page.fill("#field-closes_before_min", "15")
    page.fill("#field-max_queue", "20000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-max_queue")).to_have_text("Write a whole number from 0 to 10000.")
    page.fill("#field-max_queue", "25")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-max_queue")).to_have_value("25")
    expect(page.locator("#field-enabled")).to_be_checked()

    page.get_by_role("link", name="Join poster (A4)").click()
    expect(page.locator(".poster-store")).to_be_visible()
    expect(page.locator("#poster h1")).to_have_text(
        "Skip the queue at the kiosk: join from your phone"
    )
    expect(page.locator(".poster-other h2").first).to_have_text(
        "Kiosk sırasını atlayın: telefonunuzdan sıraya girin"
    )
    qr = page.locator("#poster-qr")
    expect(qr).to_have_js_property("complete", True)
    assert decoded(qr.screenshot()) == [f"{live_server.url}/join/test"]
    page.emulate_media(media="print")
    expect(page.locator(".poster-tools")).to_be_hidden()
