"""What the board benchmarks share: a store on a real server, and Chromium around it."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.workstation.conftest import SPEECH_SPY
from tests.conftest import bearer
from tests.live import UNLIMITED, LiveServer
from tests.store import PASSWORD, build_store


class Scene:
    """A live server over a fresh test store, an API session, and a Chromium browser."""

    def __init__(self, server: LiveServer, store, browser):
        self.server = server
        self.store = store
        self.browser = browser
        self.http = requests.Session()

    def post(self, path: str, token: str, **body) -> dict | None:
        response = self.http.post(
            f"{self.server.url}/api/v1{path}", json=body, headers=bearer(token)
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def board(self):
        """A paired board whose speech ends at once (a benchmark has no one listening)."""
        page = self.browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        page.add_init_script(SPEECH_SPY)
        page.goto(f"{self.server.url}/display#token={self.store.display_token}")
        page.wait_for_selector(".service")
        return page

    def staff(self, counter_id: int):
        page = self.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(f"{self.server.url}/login?next=/counter%3Fcounter%3D{counter_id}")
        page.fill("#username", "staff")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#action-pause:not([disabled])")
        return page


@contextmanager
def scene():
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "bench.db")
        store = build_store(db_path)
        server = LiveServer(db_path, env=UNLIMITED).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=[*CHROMIUM_ARGS, "--enable-precise-memory-info"],
                )
                try:
                    yield Scene(server, store, browser)
                finally:
                    browser.close()
        finally:
            server.stop()
