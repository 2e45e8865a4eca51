"""The rollups the engine keeps move by move equal a recomputation from the tickets, and the
statistics read from them equal those worked out here from `ticket_events` and `ratings`:
exactly, except percentiles, which are within the sketch's relative accuracy (1 %)."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from server.engine import QueueEngine
from server.stats import StatsFilter, compute_stats, rollups
from server.stats.sketch import RELATIVE_ACCURACY, whole_seconds
from tests.stats.conftest import StepClock
from tests.stats.test_stored_durations import from_events, play_random_moves

# 21:00 in Istanbul on March 31st: the moves run past local midnight into April, so tickets
# left waiting expire and both day and month rows change.
EVENING = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)


def stored_rows(db) -> dict[tuple, dict]:
    rows = {}
    for row in db.execute("SELECT * FROM stats_rollups").fetchall():
        row = dict(row)
        for name in rollups.SKETCHES:
            row[name] = json.loads(row[name])
        rows[tuple(row[column] for column in rollups.KEY)] = row
    return rows


def exact_percentile(values: list[int], q: float) -> float | None:
    """Linear between closest ranks, over whole seconds: what the sketch approximates."""
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def expected(db, tickets: list[dict]) -> dict:
    """The range's KPIs worked out ticket by ticket from their events and ratings."""
    scores = dict(db.execute("SELECT ticket_id, score FROM ratings").fetchall())
    targets = dict(db.execute("SELECT id, target_wait_s FROM services").fetchall())
    waits, services, per_hour = [], [], Counter()
    found = Counter()
    for ticket in tickets:
        wait, service = from_events(db, ticket["id"])
        found["issued"] += 1
        found[ticket["status"]] += 1
        if wait is not None:
            waits.append(wait)
            found["within"] += wait <= targets[ticket["service_id"]] * 1000
        if ticket["status"] == "done":
            services.append(service)
        if ticket["id"] in scores:
            found[f"score_{scores[ticket['id']]}"] += 1
        local = datetime.fromisoformat(ticket["created_at"]).astimezone(ZoneInfo("Europe/Istanbul"))
        per_hour[local.hour] += 1
    return {
        "counts": (found["issued"], found["done"], found["no_show"], found["cancelled"]),
        "wait_avg": round(sum(waits) / 1000 / len(waits), 1) if waits else None,
        "wait_max": round(max(waits) / 1000, 1) if waits else None,
        "service_avg": round(sum(services) / 1000 / len(services), 1) if services else None,
        "within": round(100 * found["within"] / len(waits), 1) if waits else None,
        "scores": {str(n): found[f"score_{n}"] for n in range(1, 6)},
        "per_hour": [per_hour[hour] for hour in range(24)],
        "wait_p": [exact_percentile([whole_seconds(w) for w in waits], q) for q in (0.5, 0.9)],
        "service_p": [
            exact_percentile([whole_seconds(s) for s in services], q) for q in (0.5, 0.9)
        ],
    }


def assert_kpis_match(row: dict, want: dict) -> None:
    assert (row["issued"], row["served"], row["no_show"], row["cancelled"]) == want["counts"]
    assert row["wait_s"]["avg"] == want["wait_avg"]
    assert row["wait_s"]["max"] == want["wait_max"]
    assert row["service_s"]["avg"] == want["service_avg"]
    assert row["within_target_pct"] == want["within"]
    assert row["rating"]["distribution"] == want["scores"]
    for figure, exact in zip(
        (
            row["wait_s"]["p50"],
            row["wait_s"]["p90"],
            row["service_s"]["p50"],
            row["service_s"]["p90"],
        ),
        want["wait_p"] + want["service_p"],
        strict=True,
    ):
        if exact is None:
            assert figure is None
        else:
            assert figure == pytest.approx(exact, abs=RELATIVE_ACCURACY * exact + 0.05)


@pytest.mark.parametrize("seed", range(4))
def test_rollups_equal_a_recomputation_after_random_moves(db, store, seed):
    clock = StepClock()
    clock.now = EVENING
    play_random_moves(QueueEngine(db, clock), clock, store, seed)
    kinds = dict(db.execute("SELECT kind, count(*) FROM ticket_events GROUP BY kind").fetchall())
    assert all(kinds.get(kind) for kind in ("transferred", "parked", "no_show", "rated")), kinds
    days = [day for (day,) in db.execute("SELECT DISTINCT service_day FROM tickets ORDER BY 1")]
    assert days[0] == "2026-03-31" and days[-1] >= "2026-04-01"  # across the day and the month

    # The rows kept move by move are the rows the tickets make now, and each ticket's recorded
    # contribution is the one it has.
    assert stored_rows(db) == {
        key: row for key, row in rollups.recompute(db).items() if row["issued"]
    }
    for ticket in db.execute(rollups.TICKETS).fetchall():
        assert rollups.Contribution.recorded(ticket["stats_counted"]) == (
            rollups.Contribution.of(dict(ticket))
        )

    # The statistics read off them equal those from the events, for the whole range (a day
    # row of March 31st and month rows of… April, read as days) and per service.
    query = StatsFilter(store.branch_id, days[0], days[-1])
    stats = compute_stats(db, query)
    tickets = [dict(row) for row in db.execute("SELECT * FROM tickets").fetchall()]
    assert_kpis_match(stats, expected(db, tickets))
    assert stats["arrivals_per_hour"] == expected(db, tickets)["per_hour"]
    for row in stats["by_service"]:
        mine = [ticket for ticket in tickets if ticket["service_id"] == row["id"]]
        assert_kpis_match(row, expected(db, mine))
    per_day = defaultdict(int)
    for ticket in tickets:
        per_day[ticket["service_day"]] += 1
    assert {day["day"]: day["issued"] for day in stats["daily"] if day["issued"]} == per_day


def test_undoing_a_finish_or_a_no_show_takes_its_contribution_back(db, store):
    """The staff's undo puts a finished or missed ticket back in hand: the rows follow, both
    ways, and end equal to a recomputation."""
    clock = StepClock()
    clock.now = EVENING
    engine = QueueEngine(db, clock)
    play_random_moves(engine, clock, store, seed=7)
    for at_counter in db.execute(
        "SELECT id, status FROM tickets WHERE status IN ('called', 'serving')"
    ).fetchall():
        (engine.finish if at_counter["status"] == "serving" else engine.no_show)(at_counter["id"])
    before = stored_rows(db)
    undone = 0
    for counter_id in (store.counter1, store.counter2) * 5:
        clock.advance(seconds=30)
        engine.issue_ticket(store.payments)
        ticket = engine.call_next(counter_id)
        if ticket is None:
            continue
        ticket_id = ticket.ticket["id"]
        if undone % 2:
            engine.no_show(ticket_id)
        else:
            engine.start(ticket_id)
            clock.advance(seconds=95)
            engine.finish(ticket_id)
        engine.undo_last(counter_id)
        undone += 1
        (engine.no_show if undone % 2 == 0 else engine.finish)(ticket_id)
    assert undone >= 6
    rows = stored_rows(db)
    assert rows != before
    assert rows == {key: row for key, row in rollups.recompute(db).items() if row["issued"]}
