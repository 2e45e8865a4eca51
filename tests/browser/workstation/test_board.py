"""The board on its own: recovery after a server restart, the service filter, the ticker."""

from __future__ import annotations

import pytest
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
    expect(board.locator(".service-waiting")).to_be_hidden()  # "no wait" says it all
    expect(board.locator(".service-eta")).to_have_text("beklemesiz")


def test_an_unpaired_board_says_so(live_server, new_page):
    page = new_page()
    page.goto(f"{live_server.url}/display")
    expect(page.locator("#unpaired")).to_contain_text("not paired")


def test_the_board_keeps_a_bounded_list_of_calls(api, store, open_board):
    board = open_board()
    for _ in range(12):
        ticket = api.issue(store.payments)
        api.call_next(store.counter2)
        api.post(f"/tickets/{ticket['id']}/start", store.staff_token)
        api.post(f"/tickets/{ticket['id']}/finish", store.staff_token)
    expect(board.locator("#latest-code")).to_have_text("A012")
    expect(board.locator("#previous-calls li")).to_have_count(8)
    assert board.evaluate("SiraBoard.calls().length") == 9


@pytest.mark.parametrize("move", ["park", "no-show", "transfer"])
def test_a_call_the_counter_gave_up_leaves_the_board_at_once(api, store, open_board, move):
    """After a park, a transfer or a no-show nobody is sent to that counter any more, live or
    after a reload."""
    first = api.issue(store.payments)
    second = api.issue(store.payments)
    board = open_board()
    api.call_next(store.counter1)
    api.call_next(store.counter2)
    expect(board.locator("#latest-code")).to_have_text("A002")
    expect(board.locator("#previous-calls li")).to_have_text(["A001Counter 1"])
    body = {"service_id": store.returns} if move == "transfer" else {}
    response = api.post(f"/tickets/{second['id']}/{move}", store.staff_token, **body)
    assert response.status_code == 200, response.text
    expect(board.locator("#latest-code")).to_have_text("A001")
    expect(board.locator("#latest-counter")).to_have_text("Counter 1")
    expect(board.locator("#previous-calls li")).to_have_count(0)
    api.post(f"/tickets/{first['id']}/{move}", store.staff_token, **body)
    expect(board.locator("#latest-code")).to_have_text("—")
    board.reload()
    expect(board.locator("#store-name")).to_have_text("Test Store")
    expect(board.locator("#latest-code")).to_have_text("—")
    expect(board.locator("#previous-calls li")).to_have_count(0)


def test_a_failed_first_load_is_retried_with_a_reconnecting_mark(
    api, store, open_board, new_page, live_server
):
    """A proxy answering 502 while the server restarts: the board says so and keeps trying."""
    api.issue(store.payments)
    api.call_next(store.counter1)
    failures = []

    def proxy_down(route):
        if len(failures) < 2:
            failures.append(route.request.url)
            route.fulfill(status=502, body="Bad Gateway")
        else:
            route.continue_()

    page = new_page()
    page.route("**/api/v1/board", proxy_down)
    page.goto(f"{live_server.url}/display#token={store.display_token}")
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#latest-code")).to_have_text("A001", timeout=15_000)
    expect(page.locator("#offline")).to_be_hidden()
    assert len(failures) == 2


def test_a_board_takes_turns_through_the_languages_and_services_set_for_it(
    live_server, db_path, api, store, open_board
):
    """An admin gave this board Turkish and Malay and only Returns: its labels, service names
    and counter names alternate between the two, and Payments is not shown."""
    db = connect(db_path)
    db.execute(
        "UPDATE devices SET languages = ?, service_ids = ? WHERE kind = 'display'",
        ['["tr", "ms"]', f"[{store.returns}]"],
    )
    db.execute(
        "UPDATE counters SET names = ? WHERE id = ?",
        ['{"tr": "Gişe 1", "ms": "Kaunter 1"}', store.counter1],
    )
    db.conn.commit()
    db.conn.close()
    api.issue(store.payments)
    api.issue(store.returns)
    board = open_board("?turn_ms=1500")
    expect(board.locator(".service")).to_have_count(1)
    api.call_next(store.counter2)  # A001: not this board's service
    api.call_next(store.counter1)  # B001
    expect(board.locator("#latest-code")).to_have_text("B001")
    label = board.locator(".latest-label")
    for words, counter, language in [
        ("Şimdi çağrılan", "Gişe 1", "tr"),
        ("Sedang dipanggil", "Kaunter 1", "ms"),
        ("Şimdi çağrılan", "Gişe 1", "tr"),
    ]:
        expect(label).to_have_text(words)
        expect(board.locator("#latest-counter")).to_have_text(counter)
        expect(board.locator("html")).to_have_attribute("lang", language)
    board.goto(board.url.split("?")[0] + "?lang=en&turn_ms=500")  # ?lang= pins one language
    expect(label).to_have_text("Now calling")
    board.wait_for_timeout(1200)
    expect(label).to_have_text("Now calling")
    expect(board.locator("#latest-counter")).to_have_text("Counter 1")


def board_with_its_reload_held(live_server, store, new_page):
    """A board whose reload after subscribing is held back: the test answers it when it likes."""
    loads = []

    def first_only(route):
        loads.append(route)
        if len(loads) == 1:
            route.continue_()

    page = new_page()
    page.route("**/api/v1/board", first_only)
    page.goto(f"{live_server.url}/display#token={store.display_token}")
    expect(page.locator("#store-name")).to_have_text("Test Store")
    for _ in range(200):  # the reload after the subscription's acknowledgement
        if len(loads) > 1:
            break
        page.wait_for_timeout(50)
    return page, loads[1]


def test_a_reload_read_before_a_queue_event_does_not_undo_it(live_server, api, store, new_page):
    """The board reloads its state after it subscribes; the queue may move while that answer
    is on its way. The older answer must not put the older queue back on the screen."""
    page, reload = board_with_its_reload_held(live_server, store, new_page)
    stale = reload.fetch()  # read now: nobody waiting yet

    api.issue(store.payments)
    waiting = page.locator(".service-waiting").first
    expect(waiting).to_have_text("1 waiting")
    reload.fulfill(response=stale)
    page.wait_for_timeout(500)
    expect(waiting).to_have_text("1 waiting")


def test_a_call_committed_after_a_reload_was_read_stays_on_the_board(
    live_server, api, store, new_page
):
    """A call is stamped with its time before its commit: a reload read in between has a later
    `now` and still lacks the call. The call heard live must stay."""
    page, reload = board_with_its_reload_held(live_server, store, new_page)
    stale = reload.fetch()
    state = stale.json()

    api.issue(store.payments)
    api.call_next(store.counter1)
    expect(page.locator("#latest-code")).to_have_text("A001")
    state["now"] = "2999-01-01T00:00:00+00:00"  # read after the call's time, before its commit
    reload.fulfill(response=stale, json=state)
    page.wait_for_timeout(500)
    expect(page.locator("#latest-code")).to_have_text("A001")
    expect(page.locator("#latest-counter")).to_have_text("Counter 1")
