from tests.conftest import bearer


def test_issue_and_call(client, store):
    r = client.post(
        "/api/v1/tickets", json={"service_id": store.payments}, headers=bearer(store.kiosk_token)
    )
    assert r.status_code == 201, r.json
    assert r.json["code"] == "A001"
    r = client.post(
        f"/api/v1/counters/{store.counter1}/call-next", headers=bearer(store.staff_token)
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "called"


def test_live_server_answers(live_server, store):
    import requests

    r = requests.post(
        f"{live_server.url}/api/v1/tickets",
        json={"service_id": store.payments},
        headers=bearer(store.kiosk_token),
        timeout=5,
    )
    assert r.status_code == 201, r.text
