"""The board on its own: recovery after a server restart, the service filter, the ticker."""

from __future__ import annotations

from playwright.sync_api import expect

from server.storage import connect
from tests.browser.workstation.conftest import spoken
from tests.live import LiveServer


def test_board_recovers_and_shows_calls_made_across_a_restart(
    live_server, db_path, api, store, open_board
):
    api.issue(store.payments)
    api.issue(store.returns)
    board = open_board()
    expect(board.locator("#offline")).to_be_hidden()

    live_server.stop()
    expect(board.locator("#offline")).to_be_visible()
    restarted = LiveServer(db_path, port=live_server.port).start()
    try:
        api.call_next(store.counter2)  # made before the board has reconnected
        expect(board.locator("#latest-code")).to_have_text("A001", timeout=20_000)
        expect(board.locator("#offline")).to_be_hidden()
        api.call_next(store.counter1)  # and live again afterwards
        expect(board.locator("#latest-code")).to_have_text("B001")
        expect(board.locator("#previous-calls li")).to_have_text(["A001Counter 2"])
        said = [s["text"] for s in spoken(board, 6)]
        assert said[0] == "A001, counter 2"
        assert said[3] == "B001, counter 1"
    finally:
        restarted.stop()


def test_board_filters_services_and_shows_the_ticker(live_server, db_path, api, store, open_board):
    db = connect(db_path)
    db.execute("UPDATE branches SET ticker_message = 'Open until 20:00 today'")
    db.conn.commit()
    db.conn.close()
    api.issue(store.payments)
    api.issue(store.returns)
    board = open_board(f"?services={store.returns}&lang=tr")
    expect(board.locator("#ticker-text")).to_have_text("Open until 20:00 today")
    expect(board.locator(".service")).to_have_count(1)
    expect(board.locator(".service-name")).to_have_text("İadeler")
    expect(board.locator(".service-waiting")).to_have_text("1 kişi bekliyor")

    api.call_next(store.counter2)  # A001: not this board's service
    api.call_next(store.counter1)  # B001
    expect(board.locator("#latest-code")).to_have_text("B001")
    expect(board.locator("#previous-calls li")).to_have_count(0)
    expect(board.locator(".service-waiting")).to_have_text("0 kişi bekliyor")


def test_an_unpaired_board_says_so(live_server, new_page):
    page = new_page()
    page.goto(f"{live_server.url}/display")
    expect(page.locator("#unpaired")).to_contain_text("not paired")


def test_the_board_keeps_a_bounded_list_of_calls(api, store, open_board):
    board = open_board()
    for _ in range(10):
        ticket = api.issue(store.payments)
        api.call_next(store.counter2)
        api.post(f"/tickets/{ticket['id']}/no-show", store.staff_token)
    expect(board.locator("#latest-code")).to_have_text("A010")
    expect(board.locator("#previous-calls li")).to_have_count(6)
    assert board.evaluate("SiraBoard.calls().length") == 7
