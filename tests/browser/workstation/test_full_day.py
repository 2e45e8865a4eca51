"""The workstation through a working day at 1366×768 with seven services: the ticket in hand
and the buttons always in view, undo of a finish, the priority need and "Transferred" shown,
times on the branch's clock whatever the PC's time zone, and a cue when a queue gets someone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.storage import connect
from server.store import add_counter, add_service
from tests.browser.conftest import sign_in

EXTRA = [("C", "Cards"), ("D", "Deposits"), ("E", "Exchange"), ("F", "Forms"), ("G", "Gifts")]


@pytest.fixture
def seven_services(db_path, store) -> dict:
    """Five more services, and Counter 3 serving all seven."""
    db = connect(db_path)
    ids = {"A": store.payments, "B": store.returns}
    for prefix, name in EXTRA:
        ids[prefix] = add_service(db, store.branch_id, prefix, name, {}, 600)
    ids["counter"] = add_counter(db, store.branch_id, "Counter 3", list(ids.values()))
    db.conn.close()
    return ids


@pytest.fixture
def desk(chromium, live_server, seven_services):
    """Counter 3's workstation at 1366×768 on a PC set to New York time (the store: Istanbul)."""
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768}, locale="en-GB", timezone_id="America/New_York"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "staff", "/counter")
    page.goto(f"{live_server.url}/counter?counter={seven_services['counter']}")
    page.wait_for_selector("#action-pause:not([disabled])")
    yield page
    context.close()


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768


def istanbul_clock(timestamp: str) -> str:
    """The time as an English page writes it on the store's (Istanbul) clock: "01:54 PM"."""
    local = datetime.fromisoformat(timestamp).astimezone(ZoneInfo("Europe/Istanbul"))
    return local.strftime("%I:%M %p")


def test_a_day_at_the_desk(desk, api, store, seven_services):
    for _ in range(3):
        for prefix in "ABCDEF":
            api.issue(seven_services[prefix])
    expect(desk.locator(".queue-list li")).to_have_count(18 + 1)  # G's "nobody is waiting"

    # Nothing in hand: said once, not under every button.
    expect(desk.locator("#no-current")).to_be_visible()
    for action in ("recall", "start", "finish", "no-show", "park", "transfer"):
        expect(desk.locator(f"#why-{action}")).to_have_text("")
        expect(desk.locator(f"#action-{action}")).to_be_disabled()

    # The page itself does not scroll: only the queues do; hand and buttons stay in view.
    assert desk.evaluate("document.documentElement.scrollHeight") <= 768
    desk.locator(".queue-list li[data-code='F003']").scroll_into_view_if_needed()
    for selector in ("#in-hand-title", "#action-call-next", "#action-finish", "#action-pause"):
        assert in_view(desk, selector), selector

    # A wheelchair user: the need is named, not just "Priority".
    needy = api.issue(seven_services["C"], priority="disability")
    desk.keyboard.press("n")
    expect(desk.locator("#current-code")).to_have_text(needy["code"])
    expect(desk.locator("#current-priority")).to_have_text(
        "Priority: disability (you may need to go to the customer)"
    )
    desk.click(".history summary")
    called = desk.locator("#current-history li").nth(1)
    expect(called).to_contain_text("Called")
    at = desk.evaluate(f"fetch('/api/v1/counters/{seven_services['counter']}').then(r => r.json())")
    expect(called).to_contain_text(istanbul_clock(at["current"]["called_at"]))

    # Finish by mistake, then undo with Z: the ticket is back in hand, the history says so.
    desk.keyboard.press("s")
    expect(desk.locator("#action-finish")).to_be_enabled()
    desk.keyboard.press("f")
    expect(desk.locator("#undo-bar")).to_be_visible()
    expect(desk.locator("#undo-text")).to_contain_text(f"{needy['code']} finished.")
    expect(desk.locator("#action-undo")).to_be_enabled()  # keys wait for the last move
    desk.keyboard.press("z")
    expect(desk.locator("#current")).to_be_visible()
    expect(desk.locator("#current-code")).to_have_text(needy["code"])
    expect(desk.locator("#current-status")).to_have_text("Being served")
    expect(desk.locator("#undo-bar")).to_be_hidden()
    expect(desk.locator("#current-history li").last).to_contain_text("Finish undone")
    desk.keyboard.press("f")
    expect(desk.locator("#no-current")).to_be_visible()

    # A ticket transferred in shows "Transferred" in hand.
    moved = api.call_next(store.counter2)
    api.post(f"/tickets/{moved['id']}/transfer", store.staff_token, service_id=seven_services["G"])
    expect(desk.locator(f".queue[data-service-id='{seven_services['G']}']")).to_have_class(
        "queue just-joined"
    )
    expect(desk.locator("#joined")).to_contain_text("Gifts: someone is waiting")
    desk.keyboard.press("n")
    expect(desk.locator("#current-code")).to_have_text(moved["code"])
    expect(desk.locator("#current-transferred")).to_be_visible()


def test_queues_fold_away_and_stay_folded(desk, api, seven_services):
    api.issue(seven_services["E"])
    queue = desk.locator(f".queue[data-service-id='{seven_services['E']}']")
    expect(queue.locator("li[data-code='E001']")).to_be_visible()
    queue.locator("summary").click()
    expect(queue.locator("li[data-code='E001']")).to_be_hidden()
    desk.reload()
    desk.wait_for_selector("#action-pause:not([disabled])")
    expect(queue.locator("li[data-code='E001']")).to_be_hidden()
    expect(queue.locator("summary")).to_contain_text("1 waiting")


def test_a_joined_queue_stops_flashing_in_place(desk, api, seven_services):
    """The highlight ends on the page's own clock, leaving the queues as they are: a redraw
    could take the row a staff member is about to tap from under their finger."""
    api.issue(seven_services["G"])
    gifts = desk.locator(f".queue[data-service-id='{seven_services['G']}']")
    expect(gifts).to_have_class("queue just-joined")
    gifts.locator("li").first.evaluate("item => { item.dataset.drawn = 'once'; }")
    expect(gifts).to_have_class("queue", timeout=8_000)
    expect(gifts.locator("li").first).to_have_attribute("data-drawn", "once")
