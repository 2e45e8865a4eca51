"""The administration pages and /pair in Chromium: forms, messages, pairing, revoking, safety."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD

HOSTILE = '<img src=x onerror="window.siraXss=1"><script>window.siraXss=1</script>'


def sign_in(page, base: str, username: str = "admin") -> None:
    """Sign in through the API from the page's own context (it shares the cookies)."""
    response = page.request.post(
        f"{base}/api/v1/auth/login", data={"username": username, "password": PASSWORD}
    )
    assert response.ok, response.text()


def watch(page) -> dict:
    """Collect dialogs (alert from injected script) and CSP violations reported in the console."""
    seen = {"dialogs": [], "csp": []}
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and seen["csp"].append(message.text)
        ),
    )
    return seen


def assert_inert(page, seen: dict) -> None:
    """Hostile text was shown as text: no element was made from it and nothing ran."""
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("window.siraXss") is None
    assert not seen["dialogs"]


def test_admin_adds_a_service_with_hostile_name_shown_as_text(live_server, page, store):
    seen = watch(page)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/branches/{store.branch_id}/services/new")
    page.fill("#field-prefix", "x")
    page.fill("#field-name", HOSTILE[:80])
    page.fill("#field-name_tr", "İade'; DROP TABLE services;--")
    page.fill("#field-target_wait_min", "12")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/services$"))
    row = page.locator("tr", has_text="X").last
    assert HOSTILE[:80] in row.inner_text()
    assert_inert(page, seen)
    page.goto(f"{live_server.url}/admin/branches")
    assert page.locator("table").count() == 1
    assert not seen["csp"], seen["csp"]


def test_form_messages_sit_beside_their_fields(live_server, page, store):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/branches/new")
    page.fill("#field-name", "")
    page.fill("#field-slug", "Not a slug!")
    page.fill("#field-timezone", "Nowhere/Special")
    page.fill("input[name=mon_opens]", "18:00")
    page.fill("input[name=mon_closes]", "09:00")
    page.click("button[type=submit]")
    for field, words in [
        ("name", "must not be empty"),
        ("slug", "small letters"),
        ("timezone", "Unknown timezone"),
        ("mon_closes", "close after it opens"),
    ]:
        message = page.locator(f"#error-{field}")
        assert words in message.inner_text()
        described = page.locator(f"[aria-describedby=error-{field}]")
        assert described.get_attribute("aria-invalid") == "true"
    assert page.locator("#field-slug").input_value() == "Not a slug!"


def test_device_is_paired_by_code_and_then_revoked(live_server, new_page, store):
    admin = new_page()
    sign_in(admin, live_server.url)
    admin.goto(f"{live_server.url}/admin/devices/new")
    admin.select_option("#field-kind", "display")
    admin.fill("#field-name", "Hall board")
    admin.click("button[type=submit]")
    code = admin.locator("#pairing-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert admin.evaluate("document.querySelector('.pairing-qr').naturalWidth") > 100

    board = new_page()
    board.goto(f"{live_server.url}/pair")
    board.fill("#field-code", code.lower())
    board.click("button[type=submit]")
    board.wait_for_url(re.compile(r"/display$"))
    cookies = {c["name"]: c for c in board.context.cookies()}
    assert cookies["sira_device"]["httpOnly"] is True
    assert "sira_device" not in board.evaluate("document.cookie")
    me = board.request.get(f"{live_server.url}/api/v1/auth/me").json()
    assert me["role"] == "display"

    admin.goto(f"{live_server.url}/admin/devices")
    row = admin.locator("tr", has_text="Hall board")
    assert "Paired" in row.inner_text()
    admin.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="Revoke").click()
    admin.wait_for_load_state()
    assert "Revoked" in admin.locator("tr", has_text="Hall board").inner_text()
    assert board.request.get(f"{live_server.url}/api/v1/auth/me").status == 401


def test_wrong_pairing_code_is_explained(live_server, page):
    page.goto(f"{live_server.url}/pair?code=ABCD-EFGH")
    assert page.locator("#field-code").input_value() == "ABCD-EFGH"
    page.click("button[type=submit]")
    assert "wrong or has expired" in page.locator("#error-code").inner_text()


def test_admin_pages_speak_turkish_and_malay(live_server, page):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/branches?lang=tr")
    assert page.locator("h1").inner_text() == "Şubeler"
    page.goto(f"{live_server.url}/admin/devices?lang=ms")
    assert page.locator("h1").inner_text() == "Peranti"


def test_staff_cannot_open_admin_pages(live_server, page):
    sign_in(page, live_server.url, "staff")
    response = page.goto(f"{live_server.url}/admin/branches")
    assert response.status == 403
