"""For each role, every endpoint and socket event it may not use is refused (table-driven)."""

from __future__ import annotations

import pytest
import socketio

from server import store as setup
from server.auth.accounts import add_device
from tests.conftest import bearer

USERS = {"staff", "manager", "admin"}
DEVICES = {"kiosk", "display", "feedback"}
EVERYONE = {"anonymous"} | USERS | DEVICES


@pytest.fixture
def world(db, engine, store):
    """The test store plus a second branch, tickets in several states and a spare device."""
    other = setup.add_branch(db, "Other", "other")
    other_service = setup.add_service(db, other, "O", "Other desk")
    setup.add_counter(db, other, "Other 1", [other_service])
    done = engine.issue_ticket(store.payments).ticket
    waiting = engine.issue_ticket(store.returns).ticket
    engine.call_next(store.counter1)
    engine.start(done["id"])
    engine.finish(done["id"])
    elsewhere = engine.issue_ticket(store.payments).ticket
    engine.call_next(store.counter2)
    engine.start(elsewhere["id"])
    engine.finish(elsewhere["id"])
    spare, _ = add_device(db, "display", "Spare board", store.branch_id)
    return {
        "b1": store.branch_id,
        "b2": other,
        "c1": store.counter1,
        "c2": store.counter2,
        "done": done["id"],
        "done_token": done["token"],
        "done_elsewhere_token": elsewhere["token"],
        "waiting": waiting["id"],
        "payments": store.payments,
        "returns": store.returns,
        "spare": spare,
    }


# (method, path, JSON body, who may use it). Everyone else must be refused with 401 or 403.
ENDPOINTS = [
    ("GET", "/api/v1/auth/me", None, EVERYONE - {"anonymous"}),
    ("GET", "/api/v1/counters", None, USERS),
    ("GET", "/api/v1/counters/{c1}", None, USERS),
    ("POST", "/api/v1/counters/{c2}/call-next", {}, USERS),
    ("POST", "/api/v1/tickets/{done}/start", {}, USERS),
    ("POST", "/api/v1/tickets/{done}/recall", {}, USERS),
    ("POST", "/api/v1/tickets/{waiting}/cancel", {}, USERS),
    ("POST", "/api/v1/tickets/{done}/transfer", {"service_id": 2}, USERS),
    ("POST", "/api/v1/tickets", {"service_id": 1}, USERS | {"kiosk"}),
    ("GET", "/api/v1/branches/{b1}/snapshot", None, USERS | DEVICES),
    ("GET", "/api/v1/branches/{b2}/snapshot", None, USERS),
    ("GET", "/api/v1/stats", None, {"manager", "admin"}),
    ("GET", "/api/v1/devices", None, {"admin"}),
    ("POST", "/api/v1/devices", {"kind": "display", "name": "New", "branch_id": 1}, {"admin"}),
    ("POST", "/api/v1/devices/{spare}", {"name": "Renamed"}, {"admin"}),
    ("POST", "/api/v1/devices/{spare}/pairing-code", {}, {"admin"}),
    ("GET", "/api/v1/audit", None, {"admin"}),
    ("POST", "/api/v1/tickets/{done_token}/rating", {"score": 4}, EVERYONE - {"kiosk", "display"}),
    (
        "POST",
        "/api/v1/tickets/{done_elsewhere_token}/rating",
        {"score": 4},
        EVERYONE - DEVICES,
    ),
    # Routes of the other parts (workstation, board, kiosk and printing).
    ("POST", "/api/v1/counters/{c2}/pause", {"reason": "lunch"}, USERS),
    ("POST", "/api/v1/counters/{c2}/resume", {}, USERS),
    ("POST", "/api/v1/counters/{c2}/undo", {}, USERS),
    ("GET", "/api/v1/counters/{c1}/today", None, USERS),
    ("GET", "/api/v1/board", None, USERS | {"display"}),
    ("GET", "/api/v1/kiosk", None, {"kiosk"}),
    ("GET", "/api/v1/printers", None, USERS),
    ("GET", "/api/v1/print-jobs/999999", None, USERS | {"kiosk"}),
    ("GET", "/admin/branches", None, {"admin"}),
    ("GET", "/admin/devices", None, {"admin"}),
    ("GET", "/admin/audit", None, {"admin"}),
    ("POST", "/admin/services/{payments}/move", {"step": "up"}, {"admin"}),
    ("POST", "/admin/devices/{spare}/pair", {}, {"admin"}),
]


def credentials(store) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "staff": bearer(store.staff_token),
        "manager": bearer(store.manager_token),
        "admin": bearer(store.admin_token),
        "kiosk": bearer(store.kiosk_token),
        "display": bearer(store.display_token),
        "feedback": bearer(store.feedback_token),
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"),
    ENDPOINTS,
    ids=[f"{method} {path}" for method, path, _, _ in ENDPOINTS],
)
def test_each_role_is_refused_what_it_may_not_use(
    client, store, world, method, path, body, allowed
):
    url = path.format(**world)
    for role, headers in credentials(store).items():
        if path.startswith("/admin/") and body is not None:
            response = client.open(url, method=method, data=body, headers=headers)
        else:
            response = client.open(url, method=method, json=body, headers=headers)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.status_code)
        elif role == "anonymous" and path.startswith("/admin/"):
            assert response.status_code == 302, role
        else:
            assert response.status_code in (401, 403), (role, response.status_code)
            if path.startswith("/api/"):
                assert response.json["error"]["code"] in ("not_authenticated", "forbidden")


def test_revoke_endpoint_is_admin_only(client, store, world):
    url = f"/api/v1/devices/{world['spare']}/revoke"
    for role, headers in credentials(store).items():
        if role == "admin":
            continue
        assert client.post(url, headers=headers).status_code in (401, 403), role
    assert client.post(url, headers=bearer(store.admin_token)).json["state"] == "revoked"


def test_kiosk_issues_only_for_its_own_branch(client, store, world, db):
    foreign = setup.rows(db, "service", world["b2"])[0]["id"]
    response = client.post(
        "/api/v1/tickets", json={"service_id": foreign}, headers=bearer(store.kiosk_token)
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "service_id"
    assert (
        db.execute("SELECT count(*) FROM tickets WHERE service_id = ?", [foreign]).fetchone()[0]
        == 0
    )


# -- Socket.IO: who may join which room ------------------------------------------------------

ROOMS = {
    "branch:{b1}": USERS | DEVICES,
    "branch:{b2}": USERS,
    "counter:{c1}": USERS | {"feedback"},
    "counter:{c2}": USERS,
}


@pytest.fixture(scope="module")
def socket_world(shared_server):
    from server.storage import connect

    db = connect(shared_server.db_path)
    other = setup.add_branch(db, "Other", "other")
    db.conn.close()
    store = shared_server.store
    return {"b1": store.branch_id, "b2": other, "c1": store.counter1, "c2": store.counter2}


def test_each_role_may_join_only_its_rooms(shared_server, socket_world):
    store = shared_server.store
    tokens = {
        "anonymous": None,
        "staff": store.staff_token,
        "manager": store.manager_token,
        "admin": store.admin_token,
        "kiosk": store.kiosk_token,
        "display": store.display_token,
        "feedback": store.feedback_token,
    }
    for role, token in tokens.items():
        client = socketio.Client(reconnection=False)
        client.connect(
            shared_server.url, auth={"token": token} if token else None, transports=["websocket"]
        )
        try:
            for room, allowed in ROOMS.items():
                name = room.format(**socket_world)
                ack = client.call("subscribe", {"room": name}, timeout=10)
                assert ack["ok"] is (role in allowed), (role, name, ack)
                if not ack["ok"]:
                    assert ack["error"]["code"] in ("forbidden", "invalid"), ack
            for hostile in (None, 42, {"room": ["branch:1"]}, {"room": "branch:1 OR 1=1"}):
                ack = client.call("subscribe", hostile, timeout=10)
                assert ack["ok"] is False, (role, hostile)
        finally:
            client.disconnect()


def test_unknown_or_revoked_token_cannot_connect(shared_server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(shared_server.url, auth={"token": "not-a-token"}, transports=["websocket"])
