"""An administrator's day across the staff pages at 1440×900: the strip on top links the
workstation, the dashboard and the administration; the audit log reads in Turkish words and the
branch's time; signing out works from any of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in


@pytest.fixture
def admin(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="tr-TR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "admin", "/admin/branches", lang="tr")
    yield page
    context.close()


def test_the_staff_strip_and_the_audit_log(admin, live_server):
    bar = admin.locator(".staff-bar")
    expect(bar).to_be_visible()
    assert bar.bounding_box()["y"] == 0  # shown first, though it comes last in the page
    expect(admin.locator("#signed-in-as")).to_have_text("admin")
    bar.get_by_role("link", name="Yönetici paneli").click()
    expect(admin).to_have_url(f"{live_server.url}/manager")
    expect(admin.locator("h1")).to_have_text("Canlı")
    bar.get_by_role("link", name="Yönetim").click()
    admin.goto(f"{live_server.url}/admin/audit")
    first = admin.locator("table.audit tbody tr").first
    expect(first.locator("td[data-action='auth.login']")).to_have_text("Giriş yaptı")
    expect(admin.locator("table.audit")).not_to_contain_text("auth.login")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 1440
    admin.locator("#sign-out").click()
    expect(admin).to_have_url(f"{live_server.url}/login")
    admin.goto(f"{live_server.url}/admin/audit")
    expect(admin).to_have_url(f"{live_server.url}/login?next=/admin/audit")
