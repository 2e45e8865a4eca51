"""Statistics split by channel: kiosk, phone and staff tickets, their waits, no-shows and
ratings counted apart (remote no-shows are what a store watches when it opens phones)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from server.demo import MovingClock
from server.engine import QueueEngine
from server.joining import set_remote_joining
from server.stats import StatsFilter, compute_stats
from tests.conftest import PASSWORD, bearer


def play_day(db, store) -> None:
    """06:00 UTC (09:00 in Istanbul): a phone, a kiosk and a staff ticket for payments.
    The phone's is called at 06:05 and missed; the kiosk's waits 6 min, is served 4 and rated
    5; the staff's waits 11 min and is served 4."""
    set_remote_joining(db, "branch", store.branch_id, {"enabled": True, "closes_before_min": 0})
    clock = MovingClock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    engine = QueueEngine(db, clock)
    phone = engine.join("test", store.payments, phone_id="p1").ticket
    kiosk = engine.issue_ticket(store.payments).ticket
    staff = engine.issue_ticket(store.payments, user_id=1).ticket
    clock.advance(300)
    assert engine.call_next(store.counter1).ticket["id"] == phone["id"]
    engine.no_show(phone["id"])
    clock.advance(60)
    engine.call_next(store.counter1)
    engine.start(kiosk["id"])
    clock.advance(240)
    engine.finish(kiosk["id"])
    engine.rate(kiosk["token"], 5)
    clock.advance(60)
    engine.call_next(store.counter1)
    engine.start(staff["id"])
    clock.advance(240)
    engine.finish(staff["id"])


def test_each_channel_has_its_own_row(db, store):
    play_day(db, store)
    stats = compute_stats(db, StatsFilter(store.branch_id, "2026-03-02", "2026-03-02"))
    rows = {row["channel"]: row for row in stats["by_channel"]}
    assert list(rows) == ["kiosk", "phone", "staff"]
    counts = {c: (r["issued"], r["served"], r["no_show"]) for c, r in rows.items()}
    assert counts == {"kiosk": (1, 1, 0), "phone": (1, 0, 1), "staff": (1, 1, 0)}
    assert rows["phone"]["wait_s"]["avg"] == 300.0
    assert rows["kiosk"]["wait_s"]["avg"] == 360.0
    assert rows["staff"]["wait_s"]["avg"] == 660.0
    assert rows["kiosk"]["service_s"]["avg"] == 240.0
    assert (rows["kiosk"]["rating"]["avg"], rows["phone"]["rating"]["count"]) == (5.0, 0)
    assert rows["staff"]["within_target_pct"] == 0.0  # 11 min against payments' 10
    assert sum(r["issued"] for r in rows.values()) == stats["issued"]


def test_a_day_without_tickets_lists_every_channel_empty(db, store):
    stats = compute_stats(db, StatsFilter(store.branch_id, "2026-03-02", "2026-03-02"))
    assert [(r["channel"], r["issued"], r["wait_s"]["avg"]) for r in stats["by_channel"]] == [
        ("kiosk", 0, None),
        ("phone", 0, None),
        ("staff", 0, None),
    ]


def test_the_stats_api_carries_the_split(client, db, store):
    play_day(db, store)
    response = client.get(
        "/api/v1/stats?from=2026-03-02&to=2026-03-02", headers=bearer(store.manager_token)
    )
    assert [row["no_show"] for row in response.json["by_channel"]] == [0, 1, 0]


def test_the_history_page_shows_the_split(client, db, store):
    play_day(db, store)
    response = client.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    assert response.status_code == 200
    html = client.get("/manager/history?from=2026-03-02&to=2026-03-02&lang=tr").get_data(
        as_text=True
    )
    table = html[html.index('id="table-channel"') :]
    table = table[: table.index("</table>")]
    assert re.findall(r'<tr data-name="([^"]+)">', table) == ["Kiosk", "Telefon", "Personel"]
    assert re.findall(r'data-key="no_show">(\d+)<', table) == ["0", "1", "0"]


def test_the_live_panel_counts_todays_phone_tickets_and_their_no_shows(client, db, store):
    play_day(db, store)  # a day in March: today is empty
    engine = QueueEngine(db)
    mine = engine.join("test", store.payments, phone_id="p2").ticket
    engine.issue_ticket(store.payments)
    engine.call_next(store.counter1)
    engine.no_show(mine["id"])
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "manager", "password": PASSWORD}
        ).status_code
        == 200
    )
    html = client.get("/manager/live/panel").get_data(as_text=True)
    assert re.search(r'id="from-phones-today">1<', html)
    assert re.search(r'id="phone-no-shows-today">1<', html)
    assert re.search(r'id="issued-today">2<', html)


def test_the_csv_exports_carry_the_channel(client, db, store):
    play_day(db, store)
    client.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    query = "from=2026-03-02&to=2026-03-02"
    tickets = client.get(f"/manager/export/tickets.csv?{query}").get_data(as_text=True)
    assert [row["channel"] for row in csv.DictReader(io.StringIO(tickets))] == [
        "phone",
        "kiosk",
        "staff",
    ]
    kpis = client.get(f"/manager/export/kpis.csv?{query}").get_data(as_text=True)
    channels = [row for row in csv.DictReader(io.StringIO(kpis)) if row["breakdown"] == "channel"]
    assert [(row["name"], row["no_show"]) for row in channels] == [
        ("kiosk", "0"),
        ("phone", "1"),
        ("staff", "0"),
    ]
