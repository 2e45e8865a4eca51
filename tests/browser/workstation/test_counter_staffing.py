"""A counter is open while someone is signed in at it, and the customer's phone knows it."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import PASSWORD, bearer


@pytest.fixture(autouse=True)
def patient_expect():
    """Socket.IO round trips on a busy shared machine can take more than the default 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def test_signing_out_of_the_last_counter_of_a_service_tells_the_phone(live_server, store, new_page):
    # Counter 1 is the only counter serving Returns. The staff member signs in at it.
    desk = new_page()
    desk.goto(f"{live_server.url}/login")
    desk.fill("input[name=username]", "staff")
    desk.fill("input[name=password]", PASSWORD)
    desk.locator("form button[type=submit]").click()
    desk.goto(f"{live_server.url}/counter?counter={store.counter1}")
    expect(desk.locator("#counter-name")).to_have_text("Counter 1")
    expect(desk.locator("#closed-banner")).to_be_hidden()

    ticket = requests.post(
        f"{live_server.url}/api/v1/tickets",
        json={"service_id": store.returns},
        headers=bearer(store.kiosk_token),
        timeout=10,
    ).json()
    phone = new_page()
    phone.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(phone.locator("#eta")).to_have_text("Estimated wait: less than a minute")

    desk.locator("form[action$='/logout'] button").click()
    expect(desk.locator("input[name=username]")).to_be_visible()
    expect(phone.locator("#eta")).to_have_text("Waiting for a counter to open")

    # Signing in again opens the counter, and the phone has an estimate again.
    desk.fill("input[name=username]", "staff")
    desk.fill("input[name=password]", PASSWORD)
    desk.locator("form button[type=submit]").click()
    desk.goto(f"{live_server.url}/counter?counter={store.counter1}")
    expect(phone.locator("#eta")).to_have_text("Estimated wait: less than a minute")


def test_a_counter_nobody_is_at_shows_as_closed_to_the_manager(live_server, store, new_page):
    requests.post(
        f"{live_server.url}/api/v1/counters/{store.counter2}/open",
        headers=bearer(store.staff_token),
        timeout=10,
    )
    manager = new_page()
    response = manager.request.post(
        f"{live_server.url}/api/v1/auth/login",
        data={"username": "manager", "password": PASSWORD},
    )
    assert response.ok
    manager.goto(f"{live_server.url}/manager")
    rows = manager.locator("#live-counters tbody tr")
    expect(rows.nth(0).locator(".state")).to_have_text("Closed")
    expect(rows.nth(1).locator(".state")).to_have_text("Open")
    expect(rows.nth(1).locator("td").nth(3)).to_have_text("staff")


def test_the_board_shows_per_service_estimates_and_open_counters(api, store, open_board):
    api.issue(store.returns)
    board = open_board(f"?services={store.returns}")
    service = board.locator(".service")
    expect(service.locator(".service-eta")).to_have_text("waiting for a counter to open")
    expect(service.locator(".service-open")).to_have_text("open counters: 0")
    response = api.post(f"/counters/{store.counter1}/open", store.staff_token)
    assert response.status_code == 200, response.text
    expect(service.locator(".service-open")).to_have_text("open counters: 1")
    expect(service.locator(".service-eta")).to_have_text(re.compile(r"^about \d+ min$"))
