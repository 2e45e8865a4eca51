"""End to end: the feedback screen asks, the customer rates, the manager sees it."""

from __future__ import annotations

import csv
import io

import requests
from playwright.sync_api import expect

from server.dashboard.format import duration
from tests.conftest import PASSWORD, bearer


def api(live_server, path: str, token: str, body: dict | None = None) -> dict:
    response = requests.post(
        f"{live_server.url}/api/v1{path}", json=body or {}, headers=bearer(token), timeout=10
    )
    assert response.status_code < 300, response.text
    return response.json()


def serve(live_server, store, name: str | None = None, language: str = "en") -> dict:
    """A customer takes a ticket, counter 1 calls and starts serving them."""
    ticket = api(
        live_server,
        "/tickets",
        store.kiosk_token,
        {"service_id": store.returns, "customer_name": name, "language": language},
    )
    api(live_server, f"/counters/{store.counter1}/call-next", store.staff_token)
    api(live_server, f"/tickets/{ticket['id']}/start", store.staff_token)
    return ticket


def sign_in_manager(page, live_server) -> None:
    response = page.request.post(
        f"{live_server.url}/api/v1/auth/login",
        data={"username": "manager", "password": PASSWORD},
    )
    assert response.ok


def test_rating_on_the_feedback_screen_reaches_the_dashboard(live_server, store, new_page):
    screen = new_page()
    screen.goto(f"{live_server.url}/feedback?idle_ms=1500#token={store.feedback_token}")
    main = screen.locator("#feedback")
    shown = screen.locator(".lang-pack:not([hidden])")
    expect(main).to_have_attribute("data-step", "idle")
    expect(shown.locator(".step-idle .counter-name")).to_have_text("Counter 1")

    first = serve(live_server, store, "Ayşe Yılmaz")
    expect(shown.locator(".greeting")).to_have_text("Hello, Ayşe!")
    api(live_server, f"/tickets/{first['id']}/finish", store.staff_token)
    expect(main).to_have_attribute("data-step", "rating")
    expect(shown.get_by_text("How was your service today?")).to_be_visible()
    shown.locator(".face-2").click()
    shown.locator(".chip[data-reason=wait_time]").click()
    shown.locator("textarea").fill("<i>Too long</i> a wait")
    shown.locator(".rating-send").click()
    expect(main).to_have_attribute("data-step", "thanks")
    expect(main).to_have_attribute("data-step", "idle")

    # The next customer sees nothing of the last one.
    serve(live_server, store)
    expect(shown.locator(".greeting")).to_have_text("Hello!")
    expect(screen.locator("body")).not_to_contain_text("Ayşe")
    expect(shown.locator("textarea")).to_have_value("")

    manager = new_page()
    sign_in_manager(manager, live_server)
    manager.goto(f"{live_server.url}/manager/follow-up")
    item = manager.locator(".follow-up")
    expect(item).to_have_count(1)
    expect(item.locator(".comment")).to_have_text("<i>Too long</i> a wait")  # escaped, as typed
    expect(item.locator(".score")).to_have_text("2 / 5")
    expect(item.locator(".counter")).to_have_text("Counter 1")
    expect(item.locator(".chip")).to_have_text("Waiting time")
    item.locator("input[name=note]").fill("Apologised by phone")
    item.get_by_role("button", name="Mark as followed up").click()
    expect(manager.locator(".follow-up")).to_have_count(0)

    manager.goto(f"{live_server.url}/manager/history")
    expect(manager.locator('#totals [data-key="rating_count"]')).to_have_text("1")
    expect(manager.locator('#totals [data-key="rating_avg"]')).to_have_text("2.00")


def test_the_screen_speaks_the_customers_language(live_server, store, page):
    page.goto(f"{live_server.url}/feedback?lang=en#token={store.feedback_token}")
    expect(page.locator("#feedback")).to_have_attribute("data-step", "idle")
    ticket = serve(live_server, store, "Şükrü", language="tr")
    shown = page.locator(".lang-pack:not([hidden])")
    expect(shown).to_have_attribute("lang", "tr")
    expect(shown.locator(".greeting")).to_have_text("Merhaba Şükrü!")
    api(live_server, f"/tickets/{ticket['id']}/finish", store.staff_token)
    expect(shown.locator(".rating-question")).to_have_text("Bugünkü hizmetimizi nasıl buldunuz?")
    shown.locator(".face-5").click()
    shown.locator(".rating-send").click()
    # The thanks step is in the page all along: it is its showing that says the rating is in.
    expect(page.locator("#feedback")).to_have_attribute("data-step", "thanks")
    expect(shown.locator(".step-thanks h1")).to_have_text("Teşekkür ederiz!")
    expect(shown.locator(".step-thanks h1")).to_be_visible()
    day = ticket["service_day"]  # not "today": the test may run across the store's midnight
    rating = requests.get(
        f"{live_server.url}/api/v1/stats?from={day}&to={day}",
        headers=bearer(store.manager_token),
        timeout=10,
    ).json()["rating"]
    assert rating["count"] == 1 and rating["distribution"]["5"] == 1


def test_live_view_updates_when_a_ticket_is_issued(live_server, store, page):
    sign_in_manager(page, live_server)
    page.goto(f"{live_server.url}/manager")
    expect(page.locator("#issued-today")).to_have_text("0")
    api(live_server, "/tickets", store.kiosk_token, {"service_id": store.payments})
    expect(page.locator("#issued-today")).to_have_text("1")
    expect(page.locator('#live-services tr[data-service-id="1"] .waiting')).to_have_text("1")
    api(live_server, f"/counters/{store.counter2}/call-next", store.staff_token)
    expect(page.locator('#live-counters tr[data-counter-id="2"]')).to_contain_text("Calling")


def test_csv_export_matches_the_page(live_server, store, page):
    for name in ("Can", None):
        ticket = serve(live_server, store, name)
        api(live_server, f"/tickets/{ticket['id']}/finish", store.staff_token)
    sign_in_manager(page, live_server)
    page.goto(f"{live_server.url}/manager/history")
    response = page.request.get(
        live_server.url + page.locator("#export-kpis").get_attribute("href")
    )
    rows = list(csv.DictReader(io.StringIO(response.text())))
    total = rows[0]
    totals = page.locator("#totals")
    for key in ("issued", "served", "no_show", "cancelled"):
        expect(totals.locator(f'[data-key="{key}"]')).to_have_text(total[key])
    for key in ("wait_avg_s", "wait_p90_s", "service_avg_s", "service_p50_s"):
        expect(totals.locator(f'[data-key="{key}"]')).to_have_text(duration(float(total[key])))
    returns = next(r for r in rows if r["breakdown"] == "service")
    row = page.locator('#table-service tr[data-name="Returns"]')
    expect(row.locator('[data-key="served"]')).to_have_text(returns["served"])
    tickets = page.request.get(
        live_server.url + page.locator("#export-tickets").get_attribute("href")
    ).text()
    assert len(list(csv.DictReader(io.StringIO(tickets)))) == int(total["issued"]) == 2


def test_phone_rating_page(live_server, store, page):
    ticket = serve(live_server, store)
    url = f"{live_server.url}/t/{ticket['token']}/rate"
    page.goto(url)
    expect(page.locator("#step-not-served")).to_be_visible()
    api(live_server, f"/tickets/{ticket['id']}/finish", store.staff_token)
    page.goto(url)
    page.locator(".face-5").click()
    page.locator(".chip[data-reason=friendliness]").click()
    page.locator(".rating-send").click()
    expect(page.locator("#step-thanks")).to_be_visible()
    page.goto(url)
    expect(page.locator("#step-thanks")).to_be_visible()
    expect(page.locator(".faces")).to_have_count(0)
