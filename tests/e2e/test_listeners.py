"""Events nobody would hear are not built: the process knows who is in each of its rooms.

python-socketio encodes an event before looking for anyone in its room, and most rooms a change
speaks to are empty (a paper ticket has no phone). Through the real Socket.IO server of an app,
with its test client as a customer's phone. With a message queue the process cannot tell, and
every event goes out: tests/e2e/test_redis.py has a phone on one process told of a call on the
other."""

from __future__ import annotations

from server.realtime import socketio
from server.realtime.listeners import anyone_in, phones_listening
from server.realtime.rooms import counter_room, ticket_room
from tests.conftest import bearer


def test_the_process_knows_which_tickets_a_phone_follows(app, client, store):
    issued = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    token = issued.get_json()["token"]
    with app.app_context():
        assert phones_listening() == set()
        assert not anyone_in([counter_room(store.counter1), ticket_room(token)])

    phone = socketio.test_client(app)
    assert phone.emit("subscribe", {"room": ticket_room(token)}, callback=True)["ok"]
    with app.app_context():
        assert phones_listening() == {token}
        assert anyone_in([counter_room(store.counter1), ticket_room(token)])
        assert not anyone_in(counter_room(store.counter1))

    phone.disconnect()
    with app.app_context():
        assert phones_listening() == set()
