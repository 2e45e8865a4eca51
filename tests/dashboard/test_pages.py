"""Dashboard pages over HTTP: who may see them, what they show, the follow-up form, CSV."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from server.dashboard.format import duration
from tests.conftest import PASSWORD

RANGE = "from=2026-03-02&to=2026-03-03"


def sign_in(client, username: str = "manager") -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json["csrf_token"]


def read_csv(response) -> list[dict]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize(
    "path",
    [
        "/manager",
        "/manager/history",
        "/manager/follow-up",
        "/manager/export/kpis.csv",
        "/manager/tickets",
        "/manager/branches",
    ],
)
def test_strangers_are_sent_to_sign_in(client, store, path):
    response = client.get(f"{path}?from=2026-03-01&to=2026-03-02")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [f"{path}?from=2026-03-01&to=2026-03-02"]


def test_staff_may_not_see_the_dashboard(client, store):
    sign_in(client, "staff")
    for path in ("/manager", "/manager/tickets", "/manager/branches"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 403, path


def test_admin_may(client, store):
    sign_in(client, "admin")
    assert client.get("/manager").status_code == 200


def test_history_shows_the_figures_of_the_api(client, store, history):
    sign_in(client)
    page = client.get(f"/manager/history?{RANGE}").get_data(as_text=True)
    api = client.get(f"/api/v1/stats?{RANGE}").json
    assert f'data-key="issued">{api["issued"]}<' in page
    assert f'data-key="wait_p90_s">{duration(api["wait_s"]["p90"])}<' in page
    assert "Payments" in page and "Counter 2" in page
    assert 'id="chart-daily"' in page and 'id="heatmap"' in page


def test_kpi_csv_matches_the_api(client, store, history):
    sign_in(client)
    rows = read_csv(client.get(f"/manager/export/kpis.csv?{RANGE}"))
    api = client.get(f"/api/v1/stats?{RANGE}").json
    total = rows[0]
    assert total["breakdown"] == "total"
    assert int(total["issued"]) == api["issued"] == 6
    assert float(total["wait_p90_s"]) == api["wait_s"]["p90"]
    assert float(total["rating_avg"]) == api["rating"]["avg"]
    payments = next(r for r in rows if r["breakdown"] == "service" and r["name"] == "Payments")
    assert float(payments["within_target_pct"]) == 66.7


def test_ticket_csv_has_times_and_ratings_and_defuses_formulas(client, store, history):
    sign_in(client)
    rows = read_csv(client.get(f"/manager/export/tickets.csv?{RANGE}"))
    assert [r["code"] for r in rows] == ["A001", "A002", "B001", "A003", "B002", "B001"]
    transferred = rows[2]
    assert float(transferred["wait_s"]) == 900.0 and float(transferred["service_s"]) == 480.0
    assert transferred["rating"] == "1" and transferred["rating_comment"] == "<b>Too slow</b>"
    assert rows[1]["service_s"] == "" and rows[1]["status"] == "no_show"
    assert "customer_name" not in rows[0]
    assert rows[5]["rating_comment"] == "'=1+1 rude"  # a spreadsheet shows it, never runs it


def test_follow_up_lists_low_ratings_escaped_and_marks_them(client, store, history):
    token = sign_in(client)
    page = client.get(f"/manager/follow-up?{RANGE}").get_data(as_text=True)
    assert "&lt;b&gt;Too slow&lt;/b&gt;" in page and "<b>Too slow" not in page
    assert page.count('class="follow-up"') == 2  # the 1 and the 2; not the 4 or the 5
    refused = client.post(f"/manager/follow-up/{history.ids['T3']}", data={"note": "Called"})
    assert refused.status_code == 403  # no CSRF token
    done = client.post(
        f"/manager/follow-up/{history.ids['T3']}?{RANGE}",
        data={"note": "Called the customer, refund sent", "csrf_token": token},
    )
    assert done.status_code == 302
    still_open = client.get(f"/manager/follow-up?{RANGE}").get_data(as_text=True)
    assert still_open.count('class="follow-up"') == 1
    everything = client.get(f"/manager/follow-up?{RANGE}&show=all").get_data(as_text=True)
    assert "Called the customer, refund sent" in everything


def test_follow_up_needs_a_note(client, store, history):
    token = sign_in(client)
    response = client.post(
        f"/manager/follow-up/{history.ids['T3']}",
        data={"note": "  ", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "note"


def test_live_shows_queues_counters_and_printers(client, store, db, engine):
    engine.issue_ticket(store.payments)
    db.execute(
        "UPDATE counters SET paused_at = '2026-03-02T06:00:00+00:00', pause_reason = 'lunch'"
        " WHERE id = ?",
        [store.counter2],
    )
    db.execute(
        "UPDATE devices SET printer_uri = 'tcp://127.0.0.1:9100', printer_status = 'paper_out'"
        " WHERE kind = 'kiosk'"
    )
    db.conn.commit()
    sign_in(client)
    page = client.get("/manager/live/panel").get_data(as_text=True)
    assert 'id="issued-today">1<' in page
    assert "Paused" in page and "Lunch" in page
    assert "printer-paper_out" in page and "Out of paper" in page
    turkish = client.get("/manager/live/panel?lang=tr").get_data(as_text=True)
    assert "Öğle yemeği" in turkish and "A · Ödemeler" in turkish and "Lunch" not in turkish


def test_pages_speak_turkish_and_malay(client, store):
    sign_in(client)
    assert "Canlı" in client.get("/manager?lang=tr").get_data(as_text=True)
    assert "Düşük puanların takibi" in client.get("/manager/follow-up").get_data(as_text=True)
    assert "Sejarah" in client.get("/manager/history?lang=ms").get_data(as_text=True)
