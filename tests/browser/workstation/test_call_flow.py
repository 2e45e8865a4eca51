"""Staff call, the board and the phone follow: three pages open at once on one live server."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.workstation.conftest import spoken


def test_call_next_reaches_the_board_and_the_phone(
    live_server, api, store, open_staff, open_board, new_page
):
    ticket = api.issue(store.payments, customer_name="Zeynep")
    board = open_board()
    phone = new_page()
    phone.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(phone.locator("#ahead")).to_have_text("You are next.")
    staff = open_staff(store.counter1)
    expect(staff.locator(".queue-list li[data-code='A001']")).to_be_visible()

    staff.click("#action-call-next")

    expect(board.locator("#latest-code")).to_have_text("A001")
    expect(board.locator("#latest-counter")).to_have_text("Counter 1")
    expect(phone.locator("#message")).to_have_text("Please go to Counter 1 now")
    expect(staff.locator("#current-code")).to_have_text("A001")
    expect(staff.locator("#current-name")).to_have_text("Zeynep")
    assert "Zeynep" not in board.content()
    assert spoken(board, 3) == [
        {"text": "A001, counter 1", "lang": "en-GB"},
        {"text": "A001 numaralı bilet, 1 numaralı gişeye", "lang": "tr-TR"},
        {"text": "Nombor A001, sila ke kaunter 1", "lang": "ms-MY"},
    ]
