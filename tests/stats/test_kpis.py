"""Statistics against values worked out by hand from the story in conftest.py."""

from __future__ import annotations

from datetime import date

import pytest

from server.stats import StatsFilter, compute_stats, kpis
from server.stats.sketch import RELATIVE_ACCURACY
from tests.conftest import bearer


def sketched(seconds: float):
    """A percentile read off the rollups' sketches: within 1 % (RELATIVE_ACCURACY) of the exact
    one over whole seconds, before rounding to a tenth of a second."""
    return pytest.approx(seconds, abs=RELATIVE_ACCURACY * seconds + 0.05)


def stats(db, store, day_from="2026-03-02", day_to="2026-03-02", **filters) -> dict:
    return compute_stats(db, StatsFilter(store.branch_id, day_from, day_to, **filters))


def test_monday_totals(db, store, history):
    monday = stats(db, store)
    assert (monday["issued"], monday["served"], monday["no_show"], monday["cancelled"]) == (
        5,
        3,
        1,
        1,
    )
    # Waits 300, 600, 900 (T3: 600 + 300 after the transfer) and 180; T4 was never called.
    assert monday["wait_s"] == {
        "avg": 495.0,
        "p50": sketched(450.0),
        "p90": sketched(810.0),
        "max": 900.0,
    }
    # Service 240, 480 (T3: 180 before the transfer + 300 after) and 120; the no-show has none.
    assert monday["service_s"] == {
        "avg": 280.0,
        "p50": sketched(240.0),
        "p90": sketched(432.0),
    }
    # Targets A 600 s, B 900 s: T1 yes, T2 yes (exactly 600), T3 no (900 > 600), T5 yes.
    assert monday["within_target_pct"] == 75.0
    assert monday["rating"] == {
        "avg": 3.33,
        "count": 3,
        "distribution": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1},
        "positive_pct": 66.7,
    }


def test_day_boundary_is_the_branch_local_day(db, store, history):
    monday, tuesday = stats(db, store), stats(db, store, "2026-03-03", "2026-03-03")
    assert monday["arrivals_per_hour"][9] == 4 and monday["arrivals_per_hour"][23] == 1
    assert sum(monday["arrivals_per_hour"]) == 5
    assert monday["arrivals_heatmap"][0][9] == 4  # Monday 09:00 local
    assert tuesday["issued"] == 1
    assert tuesday["arrivals_per_hour"][0] == 1
    assert tuesday["arrivals_heatmap"][1][0] == 1  # Tuesday 00:00 local
    assert tuesday["wait_s"]["max"] == 240.0
    assert tuesday["service_s"]["avg"] == 300.0
    both = stats(db, store, "2026-03-02", "2026-03-03")
    assert [(d["day"], d["issued"], d["served"]) for d in both["daily"]] == [
        ("2026-03-02", 5, 3),
        ("2026-03-03", 1, 1),
    ]
    assert both["daily"][0]["wait_avg_s"] == 495.0
    assert both["daily"][1]["rating_avg"] == 2.0


def test_breakdowns_per_service_counter_and_staff(db, store, history):
    monday = stats(db, store)
    by_service = {row["name"]: row for row in monday["by_service"]}
    payments = by_service["Payments"]
    assert (payments["issued"], payments["served"], payments["no_show"]) == (4, 2, 1)
    assert payments["wait_s"] == {
        "avg": 600.0,
        "p50": sketched(600.0),
        "p90": sketched(840.0),
        "max": 900.0,
    }
    assert payments["service_s"] == {
        "avg": 360.0,
        "p50": sketched(360.0),
        "p90": sketched(456.0),
    }
    assert payments["within_target_pct"] == 66.7
    assert by_service["Returns"]["wait_s"]["avg"] == 180.0
    by_counter = {row["name"]: row["issued"] for row in monday["by_counter"]}
    assert by_counter == {"Counter 1": 2, "Counter 2": 2}  # T3 ended at counter 2
    by_staff = {row["id"]: row for row in monday["by_staff"]}
    assert by_staff[history.staff_id]["rating"]["avg"] == 4.5
    assert by_staff[history.admin_id]["rating"]["distribution"]["1"] == 1
    assert by_staff[history.admin_id]["service_s"]["avg"] == 480.0


def test_filters_narrow_every_figure(db, store, history):
    counter2 = stats(db, store, counter_id=store.counter2)
    assert counter2["issued"] == 2 and counter2["no_show"] == 1
    assert counter2["wait_s"]["avg"] == 750.0
    returns = stats(db, store, service_id=store.returns)
    assert returns["issued"] == 1
    staff = stats(db, store, "2026-03-02", "2026-03-03", user_id=history.staff_id)
    assert staff["issued"] == 3 and staff["rating"]["count"] == 3


def test_empty_range_has_zero_counts_and_no_averages(db, store, history):
    empty = stats(db, store, "2025-01-01", "2025-01-02")
    assert empty["issued"] == 0 and empty["wait_s"]["avg"] is None
    assert empty["rating"]["avg"] is None and empty["by_service"] == []
    assert [d["issued"] for d in empty["daily"]] == [0, 0]


def test_api_carries_the_same_numbers(client, db, store, history):
    response = client.get(
        "/api/v1/stats?from=2026-03-02&to=2026-03-02", headers=bearer(store.manager_token)
    )
    assert response.status_code == 200
    assert response.json == stats(db, store)
    for key in ("issued", "served", "no_show", "cancelled", "wait_s", "service_s", "rating"):
        assert key in response.json["by_service"][0]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=2026-03-05&to=2026-03-01", "from"),
        ("service_id=x", "service_id"),
    ],
)
def test_api_refuses_bad_ranges(client, store, query, field):
    response = client.get(f"/api/v1/stats?{query}", headers=bearer(store.manager_token))
    assert response.status_code == 422
    assert response.json["error"]["field"] == field


def test_api_is_for_managers(client, store):
    assert client.get("/api/v1/stats").status_code == 401
    assert client.get("/api/v1/stats", headers=bearer(store.staff_token)).status_code == 403
    assert client.get("/api/v1/stats", headers=bearer(store.admin_token)).status_code == 200


def test_default_range_is_the_last_week_in_branch_time(store):
    query = StatsFilter.from_args({}, store.branch_id, date(2026, 3, 9))
    assert (query.day_from, query.day_to) == ("2026-03-03", "2026-03-09")


def test_a_range_reads_day_rows_for_partial_months_and_month_rows_for_whole_ones():
    query = StatsFilter(1, "2025-12-15", "2026-03-31")
    assert kpis.periods(query) == [
        ("day", "2025-12-15", "2025-12-31"),
        ("month", "2026-01", "2026-03"),
    ]
    assert kpis.periods(StatsFilter(1, "2026-02-02", "2026-02-27")) == [
        ("day", "2026-02-02", "2026-02-27")
    ]
    assert kpis.periods(StatsFilter(1, "2024-01-31", "2024-03-01")) == [
        ("day", "2024-01-31", "2024-01-31"),
        ("month", "2024-02", "2024-02"),  # a leap February, whole
        ("day", "2024-03-01", "2024-03-01"),
    ]
