"""Browser tests: Debian's Chromium driven by Playwright against a real `sira serve`."""

from __future__ import annotations

import os

import pytest

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("SIRA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def sign_in(page, url: str, username: str, next_path: str, lang: str | None = None) -> None:
    """Sign in through the staff login form, as a person would, and land on `next_path`."""
    page.goto(f"{url}/login?next={next_path}" + (f"&lang={lang}" if lang else ""))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


def record_http_errors(page, into: list[str], expected: str | None = None) -> None:
    """Note each 4xx/5xx answer the page gets in `into`, but the browser's own favicon probe
    (and answers whose URL contains `expected`)."""

    def note(response) -> None:
        if (
            response.status >= 400
            and not (expected and expected in response.url)
            and not response.url.endswith("/favicon.ico")
        ):
            into.append(f"{response.status} {response.url}")

    page.on("response", note)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: apt-get install chromium (./dev test does it as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """Open pages in fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def open_page(locale: str = "en-GB"):
        context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
