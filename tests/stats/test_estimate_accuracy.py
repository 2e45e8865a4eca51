"""The dashboard's measure of the estimates: the wait told at issue against the wait had."""

from __future__ import annotations

import statistics

import pytest

from server.engine import QueueEngine
from server.stats.estimates import estimate_accuracy
from server.stats.kpis import StatsFilter
from tests.conftest import PASSWORD
from tests.stats.conftest import StepClock

STAFF = 1


@pytest.fixture
def told(db, store):
    """Counter 2 opens at 09:00; three payments tickets are told a wait, two are called."""
    clock = StepClock()
    engine = QueueEngine(db, clock)
    clock.at("08:50")
    engine.issue_ticket(store.payments)  # nobody at a counter yet: told nothing, not counted
    clock.at("09:00")
    engine.open_counter(store.counter2, STAFF)
    first = engine.issue_ticket(store.payments).ticket
    second = engine.issue_ticket(store.payments).ticket
    engine.issue_ticket(store.payments)  # never called: not counted
    clock.at("09:01")
    engine.call_next(store.counter2, STAFF)  # the 08:50 ticket goes first
    engine.no_show(engine.reads.ticket_row(first["id"] - 1)["id"])
    clock.at("09:03")
    engine.call_next(store.counter2, STAFF)  # first: waited 3 min
    engine.start(first["id"])
    clock.at("09:20")
    engine.finish(first["id"])
    engine.call_next(store.counter2, STAFF)  # second: waited 20 min
    return first, second


def test_each_day_and_service_shows_how_true_the_told_waits_were(db, store, told):
    first, second = told
    [row] = estimate_accuracy(db, StatsFilter(store.branch_id, "2026-03-02", "2026-03-02"))
    errors = [first["eta_s"] - 180, second["eta_s"] - 1200]
    assert 0 < first["eta_s"] < second["eta_s"] < 900  # one ticket, then two, ahead
    assert row == {
        "day": "2026-03-02",
        "service_id": store.payments,
        "service": "Payments",
        "tickets": 2,
        "within_pct": 50.0,  # about 5 min for 3 is right; under 15 min for 20 is not
        "median_error_s": pytest.approx(statistics.median(abs(e) for e in errors)),
        "bias_s": pytest.approx(statistics.fmean(errors)),
    }


def test_the_estimate_told_at_issue_stays_on_the_ticket(db, told):
    first, second = told
    kept = dict(db.execute("SELECT id, eta_at_issue_s FROM tickets").fetchall())
    assert (kept[first["id"]], kept[second["id"]]) == (first["eta_s"], second["eta_s"])


def test_the_history_page_shows_the_accuracy_table(client, store, told):
    client.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    page = client.get("/manager/history?from=2026-03-02&to=2026-03-02").get_data(as_text=True)
    assert "How true were the estimated waits?" in page
    section = page[page.index('id="estimate-accuracy"') :]
    assert '<td class="within">50%</td>' in section
    assert '<td class="bias">−' in section  # customers waited longer than told
