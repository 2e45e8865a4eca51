"""The manager's pages in Chromium at 1440×900: two branches (picker and comparison), the
history page in Malay without sideways overflow, and a figure opening its tickets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from server.engine import QueueEngine
from server.storage import connect
from server.store import add_branch, add_counter, add_service
from tests.browser.conftest import sign_in

DAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
RANGE = "from=2026-03-01&to=2026-03-08"


@pytest.fixture
def two_branches(db_path, store) -> dict:
    """Tickets on 2 March in both branches: three in the first (two served), one in the second."""
    db = connect(db_path)
    second = add_branch(db, "Harbour Branch", "harbour", timezone="Asia/Kuala_Lumpur")
    accounts = add_service(db, second, "K", "Accounts", {"ms": "Akaun"}, 300)
    desk = add_counter(db, second, "Desk 9", [accounts])
    engine = QueueEngine(db, lambda: DAY)
    for service_id, counter_id, serve in [
        (store.payments, store.counter1, True),
        (store.payments, store.counter1, True),
        (store.returns, store.counter1, False),
        (accounts, desk, False),
    ]:
        ticket = engine.issue_ticket(service_id).ticket
        if serve:
            engine.call_next(counter_id)
            engine.start(ticket["id"])
            engine.finish(ticket["id"])
    db.conn.close()
    return {"id": second, "desk": desk}


@pytest.fixture
def manager(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "manager", "/manager")
    yield page
    context.close()


def test_branch_picker_and_comparison(manager, live_server, two_branches):
    manager.reload()  # the second branch was added after the page opened
    expect(manager.locator("#signed-in-as")).to_be_visible()
    expect(manager.locator("#live-counters")).to_contain_text("Counter 1")
    manager.select_option("#branch-picker", str(two_branches["id"]))
    manager.click("#branch-switch")
    expect(manager.locator("#live-counters")).to_contain_text("Desk 9")
    expect(manager.locator("#live-counters")).not_to_contain_text("Counter 1")
    manager.click("text=History")  # the choice stays from page to page
    expect(manager.locator("#branch-picker")).to_have_value(str(two_branches["id"]))

    manager.click("#nav-branches")
    manager.fill("input[name=from]", "2026-03-01")
    manager.fill("input[name=to]", "2026-03-08")
    manager.click("form.dash-filters button[type=submit]")
    table = manager.locator("#branch-comparison")
    first = table.locator("tr[data-branch-id='1']")
    second = table.locator(f"tr[data-branch-id='{two_branches['id']}']")
    expect(first.locator("[data-key=issued]")).to_have_text("3")
    expect(first.locator("[data-key=served]")).to_have_text("2")
    expect(second.locator("[data-key=issued]")).to_have_text("1")
    expect(second.locator("[data-key=served]")).to_have_text("0")
    second.locator("a").click()
    expect(manager.locator("#totals [data-key=issued]")).to_have_text("1")


def test_history_in_malay_fits_and_opens_the_tickets_behind_a_figure(
    manager, live_server, two_branches
):
    manager.goto(f"{live_server.url}/manager/history?{RANGE}&branch_id=1&lang=ms")
    expect(manager.locator("html")).to_have_attribute("lang", "ms")
    assert manager.evaluate("document.documentElement.scrollWidth") <= 1440
    for region in manager.locator(".table-scroll").all():
        assert region.get_attribute("tabindex") == "0"
        assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), region.get_attribute(
            "aria-label"
        )
    # the 15 figures sit in four groups of even rows
    tops = manager.locator(".kpi-group").evaluate_all(
        "gs => gs.map(g => g.getBoundingClientRect().top)"
    )
    assert len(tops) == 4 and len(set(tops)) == 1
    # the language switch keeps the range
    manager.click(".dash-languages a[lang=tr]")
    expect(manager.locator("form.dash-filters input[name=from]")).to_have_value("2026-03-01")
    manager.locator("#totals a.kpi-row").filter(has=manager.locator("[data-key=served]")).click()
    expect(manager.locator("#drill-tickets tbody tr")).to_have_count(2)
    expect(manager.locator("#drill-tickets")).to_contain_text("A001")
