"""Admin changes reach open kiosks, boards and feedback screens at once, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.admin.test_admin_browser import sign_in

pytestmark = pytest.mark.slow


def test_services_counters_and_branding_change_live_on_open_screens(live_server, new_page, store):
    kiosk = new_page()
    kiosk.goto(f"{live_server.url}/kiosk#token={store.kiosk_token}")
    expect(kiosk.locator(".kiosk-service-button")).to_have_count(2)
    board = new_page()
    board.goto(f"{live_server.url}/display#token={store.display_token}")
    expect(board.locator(".service")).to_have_count(2)
    feedback = new_page()
    feedback.goto(f"{live_server.url}/feedback#token={store.feedback_token}")
    expect(feedback.locator(".counter-name:visible")).to_have_text("Counter 1")
    # A customer is midway through the questions for Returns when it closes.
    expect(kiosk.locator("#kiosk")).to_have_attribute("data-settled", "true")
    kiosk.locator(".kiosk-service-button", has_text="Returns").click()
    expect(kiosk.locator("#screen-priority")).to_be_visible()

    admin = new_page()
    sign_in(admin, live_server.url)
    admin.goto(f"{live_server.url}/admin/branches/{store.branch_id}/services")
    row = admin.locator("tr", has_text="Returns")
    row.get_by_role("button", name="Deactivate").click()
    expect(admin.locator("tr", has_text="Returns")).to_contain_text("Inactive")

    expect(kiosk.locator("#screen-start")).to_be_visible()  # back to the start, not refused
    expect(kiosk.locator(".kiosk-service-button")).to_have_count(1)
    expect(board.locator(".service")).to_have_count(1)

    admin.goto(f"{live_server.url}/admin/services/{store.payments}")
    admin.fill("input[name=name]", "Payments and bills")
    admin.click("button[type=submit]")
    expect(kiosk.locator(".kiosk-service-button")).to_contain_text("Payments and bills")
    expect(board.locator(".service-name")).to_have_text("Payments and bills")

    admin.goto(f"{live_server.url}/admin/counters/{store.counter1}")
    admin.fill("input[name=name]", "Desk 1")
    admin.click("button[type=submit]")
    expect(feedback.locator(".counter-name:visible")).to_have_text("Desk 1")

    admin.goto(f"{live_server.url}/admin/branches/{store.branch_id}/branding")
    admin.fill("[name=ticker_message]", "Closed on Sunday")
    admin.click("button[type=submit]")
    expect(board.locator("#ticker-text")).to_have_text("Closed on Sunday")
