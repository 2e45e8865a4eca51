"""`/` leads to the start page, and the error page's "back to the start" leads there too."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import record_http_errors

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("locale", "pair", "back"),
    [
        ("en-GB", "Pair this device with a code", "Back to the start"),
        ("tr-TR", "Bu cihazı bir kodla eşleştirin", "Başa dön"),
        ("ms-MY", "Pasangkan peranti ini dengan kod", "Kembali ke permulaan"),
    ],
)
def test_an_error_page_leads_back_to_the_start_page_and_its_screens(
    live_server, new_page, locale, pair, back
):
    page = new_page(locale=locale)
    failures = []
    record_http_errors(page, failures, expected="/no-such-page")
    assert page.goto(f"{live_server.url}/no-such-page").status == 404
    page.get_by_role("link", name=back).click()
    expect(page).to_have_url(f"{live_server.url}/start")
    page.get_by_role("link", name=pair).click()
    expect(page).to_have_url(f"{live_server.url}/pair")
    page.wait_for_load_state("networkidle")
    assert failures == []
