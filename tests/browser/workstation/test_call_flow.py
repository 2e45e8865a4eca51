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


def test_transfer_shows_up_on_the_target_counters_list(api, store, open_staff):
    api.issue(store.returns)
    first = open_staff(store.counter1)
    second = open_staff(store.counter2)
    expect(second.locator(".queue-list li[data-code]")).to_have_count(0)

    first.keyboard.press("n")
    expect(first.locator("#current-code")).to_have_text("B001")
    expect(first.locator("#action-transfer")).to_be_enabled()
    first.keyboard.press("t")
    first.select_option("#transfer-service", str(store.payments))
    first.fill("#transfer-note", "Wants to pay the difference")
    first.click("#transfer-confirm")

    moved = second.locator(".queue-list li[data-code='B001']")
    expect(moved).to_be_visible()
    expect(moved.locator(".badge.transferred")).to_be_visible()
    expect(first.locator("#no-current")).to_be_visible()
    second.click("#action-call-next")
    expect(second.locator("#current-code")).to_have_text("B001")
    expect(second.locator("#current-notes")).to_have_text(
        "Note from staff: Wants to pay the difference"
    )


def test_two_staff_at_one_counter_see_the_same_ticket(api, store, open_staff):
    api.issue(store.payments)
    one = open_staff(store.counter1)
    other = open_staff(store.counter1)
    one.click("#action-call-next")
    expect(other.locator("#current-code")).to_have_text("A001")
    other.click("#action-start")
    expect(one.locator("#current-status")).to_have_text("Being served")
    expect(one.locator("#action-recall")).to_be_disabled()
    expect(one.locator("#why-recall")).to_have_text("A001 is already being served.")


def test_recall_flashes_the_board_and_counts(api, store, open_staff, open_board):
    api.issue(store.payments)
    board = open_board()
    staff = open_staff(store.counter1)
    staff.click("#action-call-next")
    expect(board.locator("#latest")).to_have_class("latest fresh")
    staff.click("#action-recall")
    expect(board.locator("#latest")).to_have_class("latest flash")
    expect(staff.locator("#action-recall .label")).to_have_text("Recall (1)")
    expect(staff.locator("#current-times")).to_contain_text("Recalled 1×")
    assert [s["text"] for s in spoken(board, 6)][3] == "A001, counter 1"


def test_a_double_click_calls_one_ticket(api, store, open_staff):
    api.issue(store.payments)
    second = api.issue(store.payments)
    staff = open_staff(store.counter1)
    staff.dblclick("#action-call-next")
    expect(staff.locator("#current-code")).to_have_text("A001")
    staff.wait_for_timeout(500)
    assert api.ticket(second["token"])["status"] == "waiting"
    expect(staff.locator("#why-call-next")).to_have_text("Finish, park or transfer A001 first.")


def test_pause_stops_calls_until_resumed(api, store, open_staff):
    api.issue(store.payments)
    staff = open_staff(store.counter2)
    staff.keyboard.press("b")
    staff.check("input[value='lunch']")
    staff.click("#pause-confirm")
    expect(staff.locator("#paused-banner")).to_contain_text("Lunch")
    expect(staff.locator("#action-call-next")).to_be_disabled()
    expect(staff.locator("#why-call-next")).to_have_text("The counter is paused.")
    expect(staff.locator(".call-this")).to_be_disabled()
    expect(staff.locator("#action-pause .label")).to_have_text("Resume")
    refused = api.post(f"/counters/{store.counter2}/call-next", store.staff_token)
    assert refused.status_code == 409

    staff.click("#action-pause")
    expect(staff.locator("#paused-banner")).to_be_hidden()
    staff.click("#action-call-next")
    expect(staff.locator("#current-code")).to_have_text("A001")


def test_call_a_chosen_ticket_out_of_turn_then_serve_it_by_keyboard(
    live_server, api, store, open_staff, new_page
):
    api.issue(store.payments)
    chosen = api.issue(store.payments)
    phone = new_page()
    phone.goto(f"{live_server.url}/t/{chosen['token']}")
    expect(phone.locator("#ahead")).to_have_text("1 person ahead of you")
    staff = open_staff(store.counter1)
    staff.click(".queue-list li[data-code='A002'] .call-this")
    expect(staff.locator("#current-code")).to_have_text("A002")
    staff.click(".history summary")
    expect(staff.locator("#current-history li").last).to_contain_text("out of turn")
    expect(phone.locator("#message")).to_have_text("Please go to Counter 1 now")

    expect(staff.locator("#action-start")).to_be_enabled()
    staff.keyboard.press("s")
    expect(phone.locator("#status")).to_have_text("Being served")
    expect(staff.locator("#action-finish")).to_be_enabled()  # keys wait for the last move
    staff.keyboard.press("f")
    expect(phone.locator("#rate")).to_be_visible()
    assert phone.locator("#rate").get_attribute("href") == f"/t/{chosen['token']}/rate"
    expect(staff.locator("#today")).to_contain_text("1 served today")


def test_the_counter_is_remembered_on_the_device(live_server, store, open_staff):
    staff = open_staff(store.counter2)
    staff.goto(f"{live_server.url}/counter")
    expect(staff.locator("#counter-name")).to_have_text("Counter 2")
    staff.click("#change-counter")
    staff.click(f"#picker-list button[data-counter-id='{store.counter1}']")
    staff.reload()
    expect(staff.locator("#counter-name")).to_have_text("Counter 1")
