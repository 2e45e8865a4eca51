"""A phone at 390×844 joins from the poster's link, follows its place as a counter calls,
asks for more time when asked "Are you on your way?", and is called."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from server.joining import set_remote_joining
from tests.browser.workstation.conftest import Api

# Records what the page asks of the phone: vibrations, and the chime's play().
PHONE_SPY = """
window.vibrated = [];
window.chimes = 0;
navigator.vibrate = function (pattern) { window.vibrated.push(pattern); return true; };
HTMLMediaElement.prototype.play = function () { window.chimes += 1; return Promise.resolve(); };
"""


@pytest.fixture
def api(live_server, store, db) -> Api:
    set_remote_joining(db, "branch", store.branch_id, {"enabled": True, "closes_before_min": 30})
    return Api(live_server.url, store)


@pytest.fixture
def phone(chromium):
    """A Turkish phone: its own browser context at 390×844 with touch."""
    context = chromium.new_context(
        locale="tr-TR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(PHONE_SPY)
    yield page
    context.close()


def serve_next(api: Api, counter_id: int) -> str:
    """The counter calls the next ticket and serves it at once; returns its code."""
    ticket = api.call_next(counter_id)
    for move in ("start", "finish"):
        response = api.post(f"/tickets/{ticket['id']}/{move}", api.store.staff_token)
        assert response.status_code == 200, response.text
    return ticket["code"]


def test_a_phone_joins_moves_back_and_is_called(live_server, api, store, phone):
    api.issue(store.payments)  # A001
    api.issue(store.payments)  # A002
    phone.goto(f"{live_server.url}/join/test")

    # The phone's own language, the store's services with their queues.
    expect(phone.locator("h1")).to_have_text("Test Store")
    expect(phone.locator("#join-submit")).to_have_text("Sıraya gir")
    payments = phone.locator(f".join-service[data-service-id='{store.payments}']")
    expect(payments.locator(".join-service-name")).to_have_text("Ödemeler")
    expect(payments.locator(".join-service-queue")).to_contain_text("2 kişi bekliyor")
    box = phone.locator("#join-submit").bounding_box()
    assert box["width"] <= 390

    phone.locator("#join-submit").tap()
    expect(phone.locator("#join-error")).to_have_text("Lütfen bir hizmet seçin.")
    payments.tap()
    phone.fill("input[name=customer_name]", "Ayşe")
    phone.locator("#join-submit").tap()

    # The ticket's own page is the ticket.
    phone.wait_for_url(re.compile(r".*/t/[\w-]+$"))
    expect(phone.locator("#code")).to_have_text("A003")
    expect(phone.locator("#ahead")).to_have_text("Önünüzde 2 kişi var")
    token = phone.url.rsplit("/", 1)[1]
    assert api.ticket(token)["channel"] == "phone"

    # Two places from the front: the page asks, with a vibration and the chime.
    expect(phone.locator("#on-your-way")).to_be_visible()
    expect(phone.locator("#more-time")).to_be_hidden()  # offered once: in the question
    expect(phone.locator("#leave")).to_be_visible()
    assert phone.evaluate("window.vibrated.length") >= 1
    assert phone.evaluate("window.chimes") >= 1

    for _ in range(4):
        api.issue(store.payments)  # A004 … A007 come in behind
    assert serve_next(api, store.counter2) == "A001"
    expect(phone.locator("#ahead")).to_have_text("Önünüzde 1 kişi var")

    phone.locator("#on-your-way [data-move='more-time']").tap()
    expect(phone.locator("#ahead")).to_have_text("Önünüzde 4 kişi var")
    expect(phone.locator("#on-your-way")).to_be_hidden()
    expect(phone.locator("#more-time")).to_be_visible()  # once more allowed
    expect(phone.locator("#action-message")).to_have_text(
        "Acele etmeyin: sizi birkaç sıra geriye aldık."
    )
    assert api.ticket(token)["more_time_count"] == 1

    for code in ("A002", "A004", "A005", "A006"):
        assert serve_next(api, store.counter2) == code
    expect(phone.locator("#ahead")).to_have_text("Sıradaki sizsiniz.")
    assert api.call_next(store.counter2)["code"] == "A003"
    expect(phone.locator("#message")).to_have_text("Lütfen şimdi şuraya gidin: Counter 2")
    expect(phone.locator("#actions")).to_be_hidden()


def test_a_second_join_from_the_same_phone_is_refused_and_links_the_ticket(
    live_server, api, store, phone
):
    phone.goto(f"{live_server.url}/join/test?lang=en")
    phone.locator(f".join-service[data-service-id='{store.returns}']").tap()
    phone.locator("#join-submit").tap()
    phone.wait_for_url(re.compile(r".*/t/[\w-]+$"))
    first = phone.url
    phone.locator("#on-my-way").tap()  # first in line: asked at once
    expect(phone.locator("#action-message")).to_have_text("Thank you, see you soon.")
    assert api.ticket(first.rsplit("/", 1)[1])["on_my_way_at"]

    phone.goto(f"{live_server.url}/join/test")
    phone.locator(f".join-service[data-service-id='{store.payments}']").tap()
    phone.locator("#join-submit").tap()
    expect(phone.locator("#join-error")).to_have_text(
        "This phone already holds a ticket here. Leave that queue first to join another."
    )
    expect(phone.locator("#join-held-link")).to_have_attribute("href", re.compile(r"/t/"))
    phone.locator("#join-held-link").tap()
    phone.wait_for_url(first)

    phone.on("dialog", lambda dialog: dialog.accept())
    phone.locator("#leave").tap()
    expect(phone.locator("#status")).to_have_text("Cancelled")
    expect(phone.locator("#action-message")).to_have_text(
        "You have left the queue. Thank you for letting us know."
    )


def test_the_workstation_marks_phone_tickets_and_their_more_time(
    live_server, api, store, open_staff
):
    joined = requests.post(
        f"{live_server.url}/api/v1/join/test", json={"service_id": store.payments}
    )
    assert joined.status_code == 201, joined.text
    api.issue(store.payments)
    staff = open_staff(store.counter2)
    phone_row = staff.locator(".queue-list li[data-code='A001']")
    expect(phone_row.locator(".badge.phone")).to_have_text("Phone")
    expect(staff.locator(".queue-list li[data-code='A002'] .badge.phone")).to_have_count(0)

    token = joined.json()["token"]
    assert requests.post(f"{live_server.url}/api/v1/tickets/{token}/more-time").ok
    expect(phone_row.locator(".badge.more-time")).to_have_text("More time 1×")
    expect(staff.locator(".queue-list li[data-code]").first).to_have_attribute("data-code", "A002")
    assert requests.post(f"{live_server.url}/api/v1/tickets/{token}/on-my-way").ok
    expect(phone_row.locator(".badge.on-my-way")).to_have_text("On the way")
    staff.click("#action-call-next")
    staff.click("#action-no-show")
    staff.click("#action-call-next")
    expect(staff.locator("#current-code")).to_have_text("A001")
    expect(staff.locator("#current-channel .badge.phone")).to_be_visible()
    expect(staff.locator("#current-history")).to_contain_text("Asked for more time")


def test_the_wait_waits_for_a_counter_to_open(live_server, api, store, phone):
    api.issue(store.payments)
    phone.goto(f"{live_server.url}/join/test")
    queue = phone.locator(f".join-service[data-service-id='{store.payments}'] .join-service-queue")
    expect(queue).to_have_text("1 kişi bekliyor · bir gişenin açılması bekleniyor")
    response = api.post(f"/counters/{store.counter2}/open", store.staff_token)
    assert response.status_code == 200, response.text
    phone.reload()
    expect(queue).to_have_text(re.compile(r"^1 kişi bekliyor · yaklaşık \d+ dk$"))


def test_a_closed_service_says_why_in_the_phones_language(live_server, api, store, db, phone):
    set_remote_joining(db, "service", store.returns, {"enabled": False})
    phone.goto(f"{live_server.url}/join/test")
    returns = phone.locator(f".join-service[data-service-id='{store.returns}']")
    expect(returns.locator("input")).to_be_disabled()
    expect(returns.locator(".join-service-closed")).to_have_text(
        "Bu hizmet için telefondan sıraya girilemez. Lütfen kiosktan bilet alın."
    )


def test_the_phone_page_shows_offline_and_catches_up_when_back(live_server, api, store, phone):
    ticket = api.issue(store.payments)  # an English kiosk ticket
    phone.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(phone.locator("#ahead")).to_have_text("You are next.")
    phone.context.set_offline(True)  # the phone sleeps, or loses its network
    expect(phone.locator("#offline")).to_be_visible(timeout=30_000)
    serve_next(api, store.counter2)  # served while the phone could not hear
    phone.context.set_offline(False)
    expect(phone.locator("#offline")).to_be_hidden(timeout=30_000)
    expect(phone.locator("#status")).to_have_text("Served")
