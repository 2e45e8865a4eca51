"""`/` leads to the start page, and the error page's "back to the start" leads there too."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("locale", "kiosk", "back"),
    [
        ("en-GB", "Ticket kiosk", "Back to the start"),
        ("tr-TR", "Bilet kiosku", "Başa dön"),
        ("ms-MY", "Kiosk tiket", "Kembali ke permulaan"),
    ],
)
def test_an_error_page_leads_back_to_the_start_page_and_its_screens(
    live_server, new_page, locale, kiosk, back
):
    page = new_page(locale=locale)
    failures = []
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and "/no-such-page" not in response.url
            and not response.url.endswith("/favicon.ico")
            and failures.append(f"{response.status} {response.url}")
        ),
    )
    assert page.goto(f"{live_server.url}/no-such-page").status == 404
    page.get_by_role("link", name=back).click()
    expect(page).to_have_url(f"{live_server.url}/start")
    page.get_by_role("link", name=kiosk).click()
    expect(page).to_have_url(f"{live_server.url}/kiosk")
    assert failures == []
