"""The board's catch-up state and the phone page, over HTTP; their events over a real socket."""

from __future__ import annotations

import queue

import requests
import socketio

from tests.conftest import bearer


def issue(client, store, service_id, **fields):
    response = client.post(
        "/api/v1/tickets",
        json={"service_id": service_id, **fields},
        headers=bearer(store.kiosk_token),
    )
    return response.json


def test_board_state_has_calls_with_their_sentences_and_no_names(client, store):
    issue(client, store, store.payments, customer_name="Zeynep")
    client.post(f"/api/v1/counters/{store.counter2}/call-next", headers=bearer(store.staff_token))

    state = client.get("/api/v1/board", headers=bearer(store.display_token)).json

    assert state["branch"]["name"] == "Test Store"
    assert state["ticker"] == ""
    [call] = state["recent_calls"]
    assert (call["code"], call["counter_name"], call["recall"]) == ("A001", "Counter 2", False)
    assert [a["text"] for a in call["announcements"]] == [
        "A001, counter 2",
        "A001 numaralı bilet, 2 numaralı gişeye",
        "Nombor A001, sila ke kaunter 2",
    ]
    assert "Zeynep" not in client.get("/api/v1/board", headers=bearer(store.display_token)).text


def test_board_state_is_for_displays_and_staff_only(client, store):
    assert client.get("/api/v1/board").status_code == 401
    assert client.get("/api/v1/board", headers=bearer(store.kiosk_token)).status_code == 403
    assert client.get("/api/v1/board", headers=bearer(store.staff_token)).status_code == 200


def test_board_page_is_a_shell_any_display_can_open(client, store):
    page = client.get("/display?lang=tr")
    assert page.status_code == 200
    assert "Şimdi çağrılan" in page.text


def test_phone_page_shows_the_ticket_in_the_customers_language(client, store):
    ticket = issue(client, store, store.payments, language="tr")
    page = client.get(f"/t/{ticket['token']}?lang=tr")
    assert page.status_code == 200
    assert "A001" in page.text
    assert "Ödemeler" in page.text
    assert f"/t/{ticket['token']}/rate" in page.text


def test_phone_page_speaks_the_language_chosen_at_the_kiosk_unless_asked(client, store):
    ticket = issue(client, store, store.returns, language="ms")
    page = client.get(f"/t/{ticket['token']}", headers={"Accept-Language": "en"})
    assert '<html lang="ms">' in page.text
    assert "Nombor anda" in page.text
    english = client.get(f"/t/{ticket['token']}?lang=en")
    assert '<html lang="en">' in english.text
    assert "Your number" in english.text


def test_unknown_ticket_link_is_a_friendly_404(client, store):
    page = client.get("/t/no-such-token?lang=ms")
    assert page.status_code == 404
    assert "Kami tidak dapat mencari tiket ini" in page.text


def listen(
    url: str, token: str, room: str, events: list[str]
) -> tuple[socketio.Client, queue.Queue]:
    received: queue.Queue = queue.Queue()
    client = socketio.Client()
    for name in events:
        client.on(name, lambda data, name=name: received.put((name, data)))
    client.connect(url, auth={"token": token}, transports=["websocket"])
    ack = client.call("subscribe", {"room": room}, timeout=5)
    assert ack["ok"], ack
    return client, received


def next_event(received: queue.Queue, name: str) -> dict:
    while True:
        event, data = received.get(timeout=5)
        if event == name:
            return data


def test_called_event_carries_the_announcements_and_pause_is_published(live_server, store):
    board, received = listen(
        live_server.url, store.display_token, f"branch:{store.branch_id}", ["called", "counter"]
    )
    try:
        staff = bearer(store.staff_token)
        requests.post(
            f"{live_server.url}/api/v1/tickets",
            json={"service_id": store.returns},
            headers=bearer(store.kiosk_token),
        )
        requests.post(
            f"{live_server.url}/api/v1/counters/{store.counter1}/call-next", headers=staff
        )
        called = next_event(received, "called")
        assert called["ticket"]["code"] == "B001"
        assert called["at"]
        assert called["announcements"][0] == {
            "language": "en",
            "voice": "en-GB",
            "text": "B001, counter 1",
        }
        # Nobody had signed in at counter 1: the call opened it.
        opened = next_event(received, "counter")
        assert (opened["kind"], opened["counter"]["open"]) == ("opened", True)
        assert opened["counter"]["staffed_by"]["name"] == "staff"
        requests.post(
            f"{live_server.url}/api/v1/counters/{store.counter2}/pause",
            json={"reason": "break"},
            headers=staff,
        )
        paused = next_event(received, "counter")
        assert paused["kind"] == "paused"
        assert paused["counter"]["pause_reason"] == "break"
        assert paused["seq"] == called["seq"] + 1
    finally:
        board.disconnect()
