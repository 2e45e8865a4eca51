"""A revoked device (or a deactivated account) is refused and its live connections are cut."""

from __future__ import annotations

import threading

import requests
import socketio

from tests.conftest import bearer


def connected_client(url: str, token: str) -> tuple[socketio.Client, threading.Event]:
    """A real Socket.IO client that follows branch 1; the event fires when it is disconnected."""
    client = socketio.Client(reconnection=False)
    gone = threading.Event()
    client.on("disconnect", lambda *_: gone.set())
    client.connect(url, auth={"token": token}, transports=["websocket"])
    assert client.call("subscribe", {"room": "branch:1"}, timeout=10)["ok"]
    return client, gone


def device_id_of(url: str, token: str) -> int:
    return requests.get(f"{url}/api/v1/auth/me", headers=bearer(token), timeout=5).json()[
        "device_id"
    ]


def test_revoked_device_is_disconnected_and_refused(live_server, store):
    url = live_server.url
    device_id = device_id_of(url, store.display_token)
    board, gone = connected_client(url, store.display_token)
    kiosk, kiosk_gone = connected_client(url, store.kiosk_token)
    try:
        listed = requests.get(f"{url}/api/v1/devices", headers=bearer(store.admin_token), timeout=5)
        board_row = next(d for d in listed.json() if d["id"] == device_id)
        assert board_row["connected"] is True
        assert board_row["last_seen_at"]
        response = requests.post(
            f"{url}/api/v1/devices/{device_id}/revoke", headers=bearer(store.admin_token), timeout=5
        )
        assert response.status_code == 200
        assert response.json()["state"] == "revoked"
        assert response.json()["connected"] is False
        assert gone.wait(10), "the revoked board stayed connected"
        assert not kiosk_gone.is_set(), "another device was disconnected"
        me = requests.get(f"{url}/api/v1/auth/me", headers=bearer(store.display_token), timeout=5)
        assert me.status_code == 401
        again = socketio.Client(reconnection=False)
        try:
            again.connect(url, auth={"token": store.display_token}, transports=["websocket"])
            raise AssertionError("a revoked token connected again")
        except socketio.exceptions.ConnectionError:
            pass
    finally:
        for client in (board, kiosk):
            if client.connected:
                client.disconnect()


def test_deactivated_staff_member_is_disconnected(live_server, store):
    url = live_server.url
    staff, gone = connected_client(url, store.staff_token)
    try:
        me = requests.get(f"{url}/api/v1/auth/me", headers=bearer(store.staff_token), timeout=5)
        user_id = me.json()["user_id"]
        session = requests.Session()
        csrf = session.get(f"{url}/api/v1/auth/csrf", timeout=5).json()["csrf_token"]
        session.post(
            f"{url}/api/v1/auth/login",
            json={"username": "admin", "password": "correct horse battery"},
            headers={"X-CSRFToken": csrf},
            timeout=5,
        ).raise_for_status()
        csrf = session.get(f"{url}/api/v1/auth/csrf", timeout=5).json()["csrf_token"]
        response = session.post(
            f"{url}/admin/users/{user_id}/active",
            data={"csrf_token": csrf, "active": "0"},
            allow_redirects=False,
            timeout=5,
        )
        assert response.status_code == 303
        assert gone.wait(10), "the deactivated account stayed connected"
        me = requests.get(f"{url}/api/v1/auth/me", headers=bearer(store.staff_token), timeout=5)
        assert me.status_code == 401
    finally:
        if staff.connected:
            staff.disconnect()
