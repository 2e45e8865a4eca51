"""Fixtures for the workstation, board and phone pages: signed-in staff, a paired board."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import bearer

# Replaces the board's speech with a recorder that ends each sentence at once, so tests can
# read what would have been said, in order (window.spoken).
SPEECH_SPY = """
window.spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = function (utterance) {
    window.spoken.push({ text: utterance.text, lang: utterance.lang });
    setTimeout(function () { if (utterance.onend) utterance.onend(new Event("end")); }, 5);
  };
}
"""


class Api:
    """The API as kiosk and staff tools use it, to set up a scene around the pages."""

    def __init__(self, url: str, store):
        self.url = url
        self.store = store

    def post(self, path: str, token: str, **body) -> requests.Response:
        return requests.post(f"{self.url}/api/v1{path}", json=body, headers=bearer(token))

    def issue(self, service_id: int, **fields) -> dict:
        response = self.post("/tickets", self.store.kiosk_token, service_id=service_id, **fields)
        assert response.status_code == 201, response.text
        return response.json()

    def call_next(self, counter_id: int) -> dict:
        response = self.post(f"/counters/{counter_id}/call-next", self.store.staff_token)
        assert response.status_code == 200, response.text
        return response.json()

    def ticket(self, token: str) -> dict:
        return requests.get(f"{self.url}/api/v1/tickets/{token}").json()


@pytest.fixture
def api(live_server, store) -> Api:
    return Api(live_server.url, store)


@pytest.fixture
def open_staff(new_page, live_server):
    """Sign in through the form and open the workstation at a counter (which opens it)."""

    def open_at(counter_id: int, username: str = "staff", lang: str = "en"):
        page = new_page()
        sign_in(page, live_server.url, username, "/counter", lang=lang)
        page.goto(f"{live_server.url}/counter?counter={counter_id}")
        page.wait_for_selector("#action-pause:not([disabled])")
        # Choosing the counter signs in at it: let that move and the redraw it causes finish,
        # so a test's next step is not overtaken by them.
        page.wait_for_selector("#closed-banner", state="hidden")
        page.wait_for_load_state("networkidle")
        return page

    return open_at


@pytest.fixture
def open_board(new_page, live_server, store):
    """A paired display board (#token= then its cookie), its speech recorded."""

    def open_with(query: str = ""):
        page = new_page()
        page.add_init_script(SPEECH_SPY)
        page.goto(f"{live_server.url}/display{query}#token={store.display_token}")
        expect(page.locator("#store-name")).to_have_text("Test Store")
        return page

    return open_with


def spoken(page, count: int, timeout: float = 10) -> list[dict]:
    """The sentences the board has spoken, once there are `count` of them.

    Polled with evaluate: the pages' CSP forbids the eval that wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while True:
        said = page.evaluate("window.spoken")
        if len(said) >= count or time.monotonic() > deadline:
            return said
        time.sleep(0.05)
