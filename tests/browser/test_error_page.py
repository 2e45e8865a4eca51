"""The friendly error page, in each language."""

import pytest


@pytest.mark.parametrize(("lang", "heading"), [("en", "Sorry"), ("tr", "Üzgünüz"), ("ms", "Maaf")])
def test_unknown_page_is_a_friendly_404(live_server, page, lang, heading):
    response = page.goto(f"{live_server.url}/no-such-page?lang={lang}")
    assert response.status == 404
    assert page.locator("h1").inner_text() == heading
    assert page.locator("html").get_attribute("lang") == lang
