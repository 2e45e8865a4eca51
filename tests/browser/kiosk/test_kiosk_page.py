"""The kiosk touchscreen in a real Chromium, against a real server printing to the emulator."""

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from kiosk.emulator.server import PrinterEmulator
from tests.browser.conftest import record_http_errors
from tests.conftest import bearer
from tests.kiosk.fixtures import FAST_RETRIES, set_kiosk_printer
from tests.live import LiveServer

pytestmark = pytest.mark.slow


def staff_counter(server, store, counter_id):
    """Someone signs in at the counter: its services get estimates instead of "waiting for a
    counter to open"."""
    response = requests.post(
        f"{server.url}/api/v1/counters/{counter_id}/open",
        headers=bearer(store.staff_token),
        timeout=5,
    )
    assert response.status_code == 200, response.text


def open_kiosk(page, server, store):
    page.goto(f"{server.url}/kiosk#token={store.kiosk_token}")
    expect(page.locator("#screen-start")).to_be_visible()
    return page


def tap(page, locator):
    """A customer's tap: once the screen has settled (taps right after a change are dropped)."""
    expect(page.locator("#kiosk")).to_have_attribute("data-settled", "true")
    locator.click()


def take_ticket(page, service, priority: str | None = None):
    """Service → (priority, when asked) → name skipped → the ticket screen."""
    tap(page, service)
    if priority is not None:
        tap(page, page.locator(f"#priority-choices [data-priority='{priority}']"))
    tap(page, page.locator("#skip-name"))
    expect(page.locator("#screen-ticket")).to_be_visible()


def test_choose_turkish_tap_a_service_and_the_ticket_prints(
    printing_server, store, kiosk_on_emulator, emulator, page
):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and problems.append(message.text)
        ),
    )
    record_http_errors(page, problems)
    staff_counter(printing_server, store, store.counter1)
    open_kiosk(page, printing_server, store)
    assert "#token" not in page.url  # the token went into an HttpOnly cookie
    expect(page.locator("#store-name")).to_have_text("Test Store")
    languages = page.locator("#languages button")
    expect(languages).to_have_text(["English", "Türkçe", "Bahasa Melayu"])
    page.get_by_role("button", name="Türkçe").click()
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.locator("#choose-service")).to_have_text("Lütfen bir hizmet seçin")
    button = page.locator(".kiosk-service-button").first
    expect(button).to_contain_text("Ödemeler")
    expect(button).to_have_text("Ödemelerbeklemesiz")  # not "0 waiting · no wait"
    button.dblclick()  # a double tap opens the next question once
    expect(page.locator("#screen-priority")).to_be_visible()
    tap(page, page.get_by_role("button", name="Hayır"))
    tap(page, page.locator("#issue"))
    expect(page.locator("#ticket-code")).to_have_text("A001")
    expect(page.locator("#ticket-service")).to_have_text("Ödemeler")
    expect(page.locator("#ticket-ahead")).to_have_text("0")
    expect(page.locator("#ticket-wait")).to_have_text("Sıradaki sizsiniz")
    expect(page.locator("#print-status")).to_have_text("Lütfen biletinizi alın.")
    qr = page.locator("#ticket-qr")
    expect(qr).to_have_attribute("src", re.compile(r"^/kiosk/qr/.+\.svg$"))
    assert page.evaluate("document.getElementById('ticket-qr').naturalWidth") > 0
    (received,) = emulator.wait_for(1)
    assert received.ticket.code == "A001"
    assert "Ödemeler" in received.ticket.lines()
    assert "Önünüzdeki kişi: 0" in received.ticket.lines()
    assert "Tahmini bekleme: Sıradaki sizsiniz" in received.ticket.lines()
    tickets = requests.get(
        f"{printing_server.url}/api/v1/counters/{store.counter1}",
        headers=bearer(store.staff_token),
        timeout=5,
    ).json()["waiting"]
    assert [t["code"] for t in tickets] == ["A001"]
    assert tickets[0]["language"] == "tr"
    assert problems == []  # no script errors, nothing refused by the strict CSP
    # Only "Done" goes back to the start, in the default language; a tap elsewhere does not.
    expect(page.locator("#kiosk")).to_have_attribute("data-settled", "true")
    page.locator("#ticket-code").click()
    expect(page.locator("#screen-ticket")).to_be_visible()
    page.locator("#done").click()
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(button).to_contain_text("1 waiting")


def test_counts_update_live_and_options_reach_the_ticket(
    printing_server, store, page, kiosk_on_emulator, emulator
):
    open_kiosk(page, printing_server, store)
    returns = page.locator(".kiosk-service-button").nth(1)
    expect(returns).to_contain_text("waiting for a counter to open")
    staff_counter(printing_server, store, store.counter1)  # live: the button follows
    expect(returns).to_contain_text("no wait")
    requests.post(
        f"{printing_server.url}/api/v1/tickets",
        json={"service_id": store.returns},
        headers=bearer(store.staff_token),
        timeout=5,
    )
    expect(returns).to_contain_text("1 waiting · about")
    page.get_by_role("button", name="Bahasa Melayu").click()
    tap(page, returns)
    expect(page.locator("#screen-priority [data-chosen-service]")).to_have_text(re.compile(".+"))
    tap(page, page.get_by_role("button", name="Warga emas"))
    # The name is typed on the on-screen keyboard; each word starts with a capital by itself.
    expect(page.locator("#kiosk")).to_have_attribute("data-settled", "true")
    for key in "siti":
        page.locator(f"#keyboard [data-skbtn='{key.upper() if key == 's' else key}']").click()
    expect(page.locator("#customer-name")).to_have_value("Siti")
    tap(page, page.get_by_role("button", name="Ambil tiket saya"))
    expect(page.locator("#ticket-code")).to_have_text("B002")
    expect(page.locator("#ticket-priority")).to_have_text("Keutamaan: Warga emas")
    (received,) = emulator.wait_for(1)
    assert "Keutamaan: Warga emas" in received.ticket.lines()  # the paper confirms it too
    expect(page.locator("#ticket-ahead")).to_have_text("0")  # a priority need goes first
    ticket = requests.get(
        f"{printing_server.url}/api/v1/counters/{store.counter1}",
        headers=bearer(store.staff_token),
        timeout=5,
    ).json()["waiting"][0]
    assert (ticket["code"], ticket["priority"], ticket["customer_name"]) == (
        "B002",
        "elderly",
        "Siti",
    )
    assert ticket["language"] == "ms"


def test_without_a_printer_the_customer_is_told_to_photograph_the_code(
    printing_server, store, db_path, page
):
    set_kiosk_printer(db_path, None)
    open_kiosk(page, printing_server, store)
    page.get_by_role("button", name="Türkçe").click()
    take_ticket(page, page.locator(".kiosk-service-button").first, priority="")
    expect(page.locator("#ticket-code")).to_have_text("A001")
    expect(page.locator("#print-status")).to_have_text(
        "Numaranızı saklamak için lütfen bu kodun fotoğrafını çekin veya kodu okutun."
    )


def print_job(server, store) -> dict:
    response = requests.get(
        f"{server.url}/api/v1/print-jobs/1", headers=bearer(store.staff_token), timeout=5
    )
    return response.json()


def test_a_failed_print_asks_for_a_photo_and_that_ticket_never_prints_later(
    printing_server, store, kiosk_on_emulator, emulator, page, tmp_path
):
    """Issue 14 point 6: the kiosk says "not printed" only when the server has given the job
    up, and a job given up never prints, even when the printer comes back."""
    port = emulator.port
    emulator.stop()
    open_kiosk(page, printing_server, store)
    take_ticket(page, page.locator(".kiosk-service-button").first, priority="")
    expect(page.locator("#ticket-code")).to_have_text("A001")
    while not print_job(printing_server, store)["last_error"]:
        time.sleep(0.05)
    # an attempt failed but the job will be retried: the kiosk does not say "not printed" yet
    expect(page.locator("#print-status")).to_have_text("Your ticket is printing…")
    expect(page.locator("#print-status")).to_have_text(
        "The ticket could not be printed: please photograph or scan this code.", timeout=15000
    )
    job = print_job(printing_server, store)
    assert job["status"] == "failed" and job["attempts"] >= 2
    back = PrinterEmulator(port=port, out=tmp_path / "back").start()
    try:
        time.sleep(2.0)  # more than the retry backoff: a retry, if any, would have come
        assert back.tickets == []
    finally:
        back.stop()
    # The printer's status came as a `device` event: the next customer is warned up front.
    tap(page, page.locator("#done"))
    expect(page.locator("#printer-notice")).to_have_text(
        "The ticket printer is not working right now: your number will be shown on screen."
    )


def test_server_gone_the_kiosk_says_so_and_issues_nothing_stale(
    printing_server, store, kiosk_on_emulator, page
):
    open_kiosk(page, printing_server, store)
    printing_server.stop()
    # A server that dies while the kiosk's socket is still connecting can leave the handshake
    # hanging: live.js gives it up after 10 s (socket.io alone waited 20 s, and the kiosk
    # looked online all the while).
    expect(page.locator("#offline")).to_be_visible(timeout=15_000)
    expect(page.locator("#offline")).to_contain_text("Please wait, we will be right back")
    expect(page.locator(".kiosk-service-button").first).to_be_disabled()
    printing_server.start()
    expect(page.locator("#offline")).to_be_hidden(timeout=15_000)
    expect(page.locator(".kiosk-service-button").first).to_be_enabled()


def test_an_unpaired_browser_is_told_to_ask_staff(live_server, page):
    page.goto(f"{live_server.url}/kiosk?lang=tr")
    expect(page.locator("#message-text")).to_have_text(
        "Bu kiosk henüz eşleştirilmedi. Lütfen bir görevliye danışın."
    )
    expect(page.locator("#retry")).to_be_hidden()


@pytest.mark.parametrize("gap_ms", [120, 250, 400])
def test_a_double_tap_leaves_the_number_on_screen(printing_server, store, page, gap_ms):
    """The second tap of a double tap lands on the ticket screen: it must not throw it away."""
    open_kiosk(page, printing_server, store)
    tap(page, page.locator(".kiosk-service-button").first)
    tap(page, page.locator("#priority-choices [data-priority='']"))
    page.locator("#keyboard [data-skbtn='Q']").click()  # the second tap of "No" lands on a key
    expect(page.locator("#customer-name")).to_have_value("")
    expect(page.locator("#kiosk")).to_have_attribute("data-settled", "true")
    box = page.locator("#skip-name").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(gap_ms)
    page.mouse.click(x, y)
    page.locator("#done").click(force=True)  # even a deliberate tap on Done is too early
    page.wait_for_timeout(1500 - gap_ms)
    expect(page.locator("#ticket-code")).to_have_text("A001")
    expect(page.locator("#screen-ticket")).to_be_visible()


def test_a_printer_switched_off_is_announced_before_anyone_taps(
    db_path, store, kiosk_on_emulator, emulator, page
):
    """The server asks idle printers how they are: the warning is up before the first tap."""
    server = LiveServer(db_path, env={**FAST_RETRIES, "SIRA_PRINTER_PROBE_S": "0.5"}).start()
    try:
        open_kiosk(page, server, store)
        expect(page.locator("#printer-notice")).to_be_hidden()
        emulator.stop()  # switched off: no ticket has been asked for
        expect(page.locator("#printer-notice")).to_be_visible(timeout=15_000)
        expect(page.locator("#printer-notice")).to_have_text(
            "The ticket printer is not working right now: your number will be shown on screen."
        )
        assert emulator.tickets == []  # asking prints nothing
    finally:
        server.stop()
