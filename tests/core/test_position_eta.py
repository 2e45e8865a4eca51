"""Position and estimated wait: people ahead, the recent median service time, open counters."""

from __future__ import annotations

from server.domain.timing import DEFAULT_SERVICE_S, RECENT_SERVICES
from server.store import set_counter_active


def issue_many(engine, service_id, count: int, **fields) -> list[int]:
    return [engine.issue_ticket(service_id, **fields).ticket["id"] for _ in range(count)]


def serve(engine, counter_id: int, clock, seconds: int) -> None:
    """Call the next ticket at the counter and serve it for `seconds`."""
    ticket_id = engine.call_next(counter_id).ticket["id"]
    engine.start(ticket_id)
    clock.advance(seconds)
    engine.finish(ticket_id)


def positions(engine, ticket_ids: list[int]) -> list[int | None]:
    return [engine.reads.ticket(ticket_id)["position"] for ticket_id in ticket_ids]


def test_positions_count_the_people_ahead_in_issue_order(engine, store):
    tickets = issue_many(engine, store.payments, 4)
    assert positions(engine, tickets) == [0, 1, 2, 3]


def test_each_service_has_its_own_positions(engine, store):
    payments = issue_many(engine, store.payments, 2)
    returns = issue_many(engine, store.returns, 2)
    assert positions(engine, payments + returns) == [0, 1, 0, 1]


def test_a_priority_need_moves_to_the_front_and_pushes_the_rest_back(engine, store):
    tickets = issue_many(engine, store.payments, 2)
    elderly = engine.issue_ticket(store.payments, priority="disability").ticket
    assert elderly["position"] == 0
    assert positions(engine, tickets) == [1, 2]


def test_positions_move_up_when_the_first_is_called(engine, store):
    tickets = issue_many(engine, store.payments, 3)
    engine.call_next(store.counter2)
    assert positions(engine, tickets) == [None, 0, 1]


def test_a_ticket_not_waiting_has_no_position_or_estimate(engine, store):
    engine.issue_ticket(store.payments)
    called = engine.call_next(store.counter2).ticket
    assert (called["position"], called["eta_s"]) == (None, None)


def test_the_first_in_line_has_no_wait(engine, store):
    assert engine.issue_ticket(store.payments).ticket["eta_s"] == 0


def test_without_history_the_default_service_time_is_shared_by_open_counters(engine, store):
    # Payments has two open counters: people ahead are served two at a time.
    tickets = [engine.reads.ticket(t) for t in issue_many(engine, store.payments, 4)]
    assert [t["eta_s"] for t in tickets] == [
        0,
        DEFAULT_SERVICE_S,
        DEFAULT_SERVICE_S,
        2 * DEFAULT_SERVICE_S,
    ]


def test_a_closed_counter_does_not_count_as_open(engine, store, db):
    set_counter_active(db, store.counter2, False)
    tickets = issue_many(engine, store.payments, 3)
    assert engine.reads.ticket(tickets[2])["eta_s"] == 2 * DEFAULT_SERVICE_S


def test_the_estimate_uses_the_median_of_recent_service_times(engine, store, clock):
    for seconds in (60, 120, 600):
        engine.issue_ticket(store.payments)
        serve(engine, store.counter2, clock, seconds)
    assert engine.reads.typical_service_s(store.payments) == 120
    waiting = issue_many(engine, store.payments, 3)
    assert engine.reads.ticket(waiting[2])["eta_s"] == 120  # two ahead, two counters


def test_only_the_services_own_history_counts(engine, store, clock):
    engine.issue_ticket(store.returns)
    serve(engine, store.counter1, clock, 1000)
    assert engine.reads.typical_service_s(store.payments) == DEFAULT_SERVICE_S
    assert engine.reads.typical_service_s(store.returns) == 1000


def test_no_shows_do_not_count_as_service_times(engine, store, clock):
    engine.issue_ticket(store.payments)
    ticket_id = engine.call_next(store.counter2).ticket["id"]
    clock.advance(1000)
    engine.no_show(ticket_id)
    assert engine.reads.typical_service_s(store.payments) == DEFAULT_SERVICE_S


def test_only_the_most_recent_services_count(engine, store, clock):
    for seconds in [600] * RECENT_SERVICES + [60] * RECENT_SERVICES:
        engine.issue_ticket(store.payments)
        serve(engine, store.counter2, clock, seconds)
    assert engine.reads.typical_service_s(store.payments) == 60


def test_services_list_their_queue_and_the_estimate_for_a_newcomer(engine, store, clock):
    issue_many(engine, store.returns, 2)
    clock.advance(90)
    returns = next(s for s in engine.reads.services(store.branch_id) if s["prefix"] == "B")
    assert (returns["waiting"], returns["longest_wait_s"]) == (2, 90)
    # Returns has one open counter: a newcomer waits for both people ahead.
    assert returns["eta_s"] == 2 * DEFAULT_SERVICE_S


def test_a_closed_service_is_not_listed(engine, store, db):
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.returns])
    assert [s["prefix"] for s in engine.reads.services(store.branch_id)] == ["A"]


def test_the_public_view_shows_no_names_or_staff(engine, store):
    ticket = engine.issue_ticket(store.payments, customer_name="Ayşe").ticket
    public = engine.reads.public_ticket(ticket["token"])
    assert set(public) == {
        "code",
        "token",
        "status",
        "service",
        "position",
        "eta_s",
        "counter",
        "language",
        "channel",
        "more_time_count",
        "on_my_way_at",
    }
    assert "Ayşe" not in str(public)
