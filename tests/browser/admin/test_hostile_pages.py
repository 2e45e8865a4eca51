"""Hostile text in names, comments, service names and the ticker is shown as text on the pages
other parts build: the display board, the counter workstation and the manager dashboard.

Each test runs once its page exists (it skips while the page answers 404).
"""

from __future__ import annotations

import pytest

from server import store as setup
from server.engine import QueueEngine
from tests.browser.admin.test_admin_browser import HOSTILE, assert_inert, sign_in, watch


@pytest.fixture
def hostile_store(db, store):
    """A service, counter, customer name, rating comment and ticker made of markup."""
    setup.update_service(
        db, store.payments, {"prefix": "A", "name": HOSTILE[:80], "target_wait_s": 600}
    )
    setup.update_counter(
        db,
        store.counter1,
        {"name": HOSTILE[:80], "service_ids": [store.payments, store.returns]},
    )
    setup.set_branding(
        db,
        store.branch_id,
        {"store_name": HOSTILE[:80], "ticket_footer": HOSTILE, "ticker_message": HOSTILE},
    )
    engine = QueueEngine(db)
    served = engine.issue_ticket(store.payments, customer_name=HOSTILE[:40]).ticket
    engine.call_next(store.counter1)
    engine.start(served["id"])
    engine.finish(served["id"])
    engine.rate(served["token"], 1, HOSTILE)
    engine.issue_ticket(store.payments, customer_name=HOSTILE[:40])
    engine.call_next(store.counter1)
    return store


def open_or_skip(page, url: str):
    response = page.goto(url)
    if response is None or response.status == 404:
        pytest.skip(f"{url} is not built on this branch yet")
    assert response.status == 200, response.status
    page.wait_for_timeout(1500)  # let the page's script fetch and draw its live state
    return response


def assert_shown_as_text(page) -> None:
    """The hostile data reached the page (so the check means something) and stayed text."""
    shown = page.evaluate(
        "document.body.innerText + [...document.querySelectorAll('input, textarea')]"
        ".map((field) => field.value).join(' ')"
    )
    assert "siraXss" in shown


def test_display_board_shows_hostile_text_as_text(live_server, page, hostile_store):
    page.context.add_cookies(
        [{"name": "sira_device", "value": hostile_store.display_token, "url": live_server.url}]
    )
    seen = watch(page)
    open_or_skip(page, f"{live_server.url}/display")
    assert_shown_as_text(page)
    assert_inert(page, seen)


def test_workstation_shows_hostile_text_as_text(live_server, page, hostile_store):
    seen = watch(page)
    sign_in(page, live_server.url, "staff")
    open_or_skip(page, f"{live_server.url}/counter")
    assert_shown_as_text(page)
    assert_inert(page, seen)


def test_dashboard_shows_hostile_text_as_text(live_server, page, hostile_store):
    seen = watch(page)
    sign_in(page, live_server.url, "manager")
    open_or_skip(page, f"{live_server.url}/manager")
    assert_shown_as_text(page)
    assert_inert(page, seen)
    for path in ("/manager/history", "/manager/follow-up"):
        response = page.goto(f"{live_server.url}{path}")
        if response.status == 200:
            page.wait_for_timeout(1000)
            assert_inert(page, seen)


def test_admin_pages_show_hostile_text_as_text(live_server, page, hostile_store):
    seen = watch(page)
    sign_in(page, live_server.url)
    for path in (
        f"/admin/branches/{hostile_store.branch_id}/services",
        f"/admin/branches/{hostile_store.branch_id}/counters",
        f"/admin/branches/{hostile_store.branch_id}/branding",
        "/admin/audit",
    ):
        open_or_skip(page, f"{live_server.url}{path}")
        assert_shown_as_text(page)
        assert_inert(page, seen)
