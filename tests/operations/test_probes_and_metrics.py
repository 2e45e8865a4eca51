"""/healthz, /readyz, /metrics, the access log and the start page that / leads to."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.conftest import bearer
from tests.e2e.conftest import ApiClient
from tests.live import LiveServer, free_port

OUTSIDE = {"REMOTE_ADDR": "93.184.216.34"}  # a public address


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_without_a_print_worker_is_not_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["print_worker"] == "error: not started"


def test_readyz_names_an_unreachable_redis(app, client):
    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}/0"
    checks = client.get("/readyz").json["checks"]
    assert checks["rate_limit_storage"].startswith("error:")


def test_root_leads_to_the_start_page_in_the_visitors_language(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/start"
    page = client.get("/start", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    for link in ("/kiosk", "/display", "/feedback", "/pair", "/login?next=/counter", "/manager"):
        assert f'href="{link}"' in page
    assert "Bilet kiosku" in page and "Yönetici paneli" in page


def metric(text: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert found, f"{name}{labels} not in metrics:\n{text}"
    return float(found[1])


def test_metrics_count_tickets_calls_waits_and_requests(client, store):
    for _ in range(2):
        issued = client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments},
            headers=bearer(store.kiosk_token),
        )
        assert issued.status_code == 201, issued.json
    called = client.post(
        f"/api/v1/counters/{store.counter2}/call-next", headers=bearer(store.staff_token)
    )
    assert called.status_code == 200, called.json
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    service = '{branch="test",service="Payments"}'
    assert metric(text, "sira_tickets_issued_total", service) == 2
    assert metric(text, "sira_tickets_called_total", service) == 1
    assert metric(text, "sira_ticket_wait_seconds_count", service) == 1
    assert (
        metric(
            text, "sira_ticket_wait_seconds_bucket", '{branch="test",le="+Inf",service="Payments"}'
        )
        == 1
    )
    assert (
        metric(
            text,
            "sira_request_seconds_count",
            '{method="POST",route="/api/v1/tickets",status="201"}',
        )
        == 2
    )


def test_metrics_from_outside_the_local_network_need_an_admin_token(client, store):
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403
    staff = client.get("/metrics", environ_base=OUTSIDE, headers=bearer(store.staff_token))
    assert staff.status_code == 403
    admin = client.get("/metrics", environ_base=OUTSIDE, headers=bearer(store.admin_token))
    assert admin.status_code == 200
    assert b"sira_tickets_issued" in admin.data


@pytest.mark.slow
def test_a_served_store_is_ready_and_logs_each_request_with_a_time(db_path, store):
    server = LiveServer(db_path).start()
    try:
        ready = requests.get(f"{server.url}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        assert ready.json() == {
            "status": "ready",
            "checks": {"database": "ok", "print_worker": "ok"},
        }
        ApiClient(server.url, store.kiosk_token).post("/tickets", {"service_id": store.payments})
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert re.search(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO server\.app\.access: 127\.0\.0\.1"
        r' "POST /api/v1/tickets" 201 [\d.]+ms$',
        log,
        re.M,
    ), log[-2000:]


@pytest.mark.slow
def test_log_lines_can_be_json_for_a_collector(db_path, store):
    server = LiveServer(db_path, env={"SIRA_LOG_FORMAT": "json"}).start()
    try:
        requests.get(f"{server.url}/healthz", timeout=5)
    finally:
        server.stop()
    lines = [
        json.loads(line) for line in server.log_path.read_text().splitlines() if line[:1] == "{"
    ]
    access = [line for line in lines if line["logger"] == "server.app.access"]
    assert any('"GET /healthz" 200' in line["message"] for line in access), lines
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", x["time"]) for x in lines
    )
