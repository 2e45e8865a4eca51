"""A board that subscribes while a counter calls still learns of the call.

The state a subscriber starts from is read off the event loop, so changes go on committing while
it is read. One committed during the read must reach the board, in the state or as an event.
The change is made from inside the read, through the app's real Socket.IO server with its test
client as the board: only there can the test choose the moment."""

from __future__ import annotations

from server.realtime import handlers, socketio
from tests.conftest import bearer


def test_a_call_committed_while_the_state_is_read_still_reaches_the_board(
    app, client, store, monkeypatch
):
    client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    read_state = handlers.room_state

    def call_during_the_read(principal, room):
        state = read_state(principal, room)
        called = client.post(
            f"/api/v1/counters/{store.counter1}/call-next", headers=bearer(store.staff_token)
        )
        assert called.status_code == 200, called.get_json()
        return state

    monkeypatch.setattr(handlers, "room_state", call_during_the_read)
    board = socketio.test_client(app, auth={"token": store.display_token})
    ack = board.emit("subscribe", {"room": f"branch:{store.branch_id}"}, callback=True)

    assert ack["ok"]
    in_state = [call["code"] for call in ack["state"]["recent_calls"]]
    as_events = [
        event["args"][0]["ticket"]["code"]
        for event in board.get_received()
        if event["name"] == "called"
    ]
    assert in_state + as_events == ["A001"]


def test_a_room_refused_is_not_joined_even_for_a_moment(app, client, store, monkeypatch):
    """The question who may follow a room is answered before joining it."""
    joined = []
    monkeypatch.setattr(handlers, "join_room", joined.append)
    kiosk = socketio.test_client(app, auth={"token": store.kiosk_token})

    ack = kiosk.emit("subscribe", {"room": f"counter:{store.counter1}"}, callback=True)

    assert ack["error"]["field"] == "room"
    assert joined == []
