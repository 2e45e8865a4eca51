"""Position and estimated wait as the engine gives them: people ahead, staffed counters, history.

The model itself is tested on hand-worked queues in test_estimates.py."""

from __future__ import annotations

from server.domain.estimates import ServiceTimes, log_normal_fit


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


def staff(engine, *counter_ids: int) -> None:
    """Someone signs in at each counter (user 1, 2, … in turn)."""
    for user_id, counter_id in enumerate(counter_ids, start=1):
        engine.open_counter(counter_id, user_id)


def test_the_first_in_line_at_an_idle_open_counter_has_no_wait(engine, store):
    staff(engine, store.counter2)
    assert engine.issue_ticket(store.payments).ticket["eta_s"] == 0


def test_with_no_counter_open_there_is_no_estimate(engine, store):
    ticket = engine.issue_ticket(store.payments).ticket
    assert (ticket["eta_s"], ticket["eta_range_s"]) == (None, None)
    services = {s["id"]: s for s in engine.reads.services(store.branch_id)}
    assert services[store.payments]["eta_s"] is None
    assert services[store.payments]["open_counters"] == 0


def test_without_history_the_default_service_time_is_shared_by_open_counters(engine, store):
    # Payments has two open counters: people ahead are served two at a time.
    staff(engine, store.counter1, store.counter2)
    tickets = [engine.reads.ticket(t) for t in issue_many(engine, store.payments, 4)]
    per_call = ServiceTimes().per_call_s(store.payments, store.counter1)
    assert [t["eta_s"] for t in tickets] == [0, 0, round(per_call), round(per_call)]


def test_a_counter_nobody_is_at_does_not_count_as_open(engine, store):
    staff(engine, store.counter1)
    tickets = issue_many(engine, store.payments, 3)
    per_call = ServiceTimes().per_call_s(store.payments, store.counter1)
    assert engine.reads.ticket(tickets[2])["eta_s"] == round(2 * per_call)


def test_the_estimate_learns_from_recent_service_times(engine, store, clock):
    staff(engine, store.counter2)
    for seconds in (60, 120, 600):
        engine.issue_ticket(store.payments)
        serve(engine, store.counter2, clock, seconds)
    waiting = issue_many(engine, store.payments, 2)
    second = engine.reads.ticket(waiting[1])
    mean_s, _ = log_normal_fit([60, 120, 600])
    learned = ServiceTimes(service_s={store.payments: mean_s}, walk_up_s=0)  # called, started
    assert second["eta_s"] == round(learned.per_call_s(store.payments, store.counter2))
    low, high = second["eta_range_s"]
    assert low < second["eta_s"] < high


def test_services_list_their_queue_and_the_estimate_for_a_newcomer(engine, store, clock):
    staff(engine, store.counter1)
    issue_many(engine, store.returns, 2)
    clock.advance(90)
    returns = next(s for s in engine.reads.services(store.branch_id) if s["prefix"] == "B")
    assert (returns["waiting"], returns["longest_wait_s"]) == (2, 90)
    # Returns has one open counter: a newcomer waits for both people ahead.
    per_call = ServiceTimes().per_call_s(store.returns, store.counter1)
    assert returns["eta_s"] == round(2 * per_call)
    assert returns["open_counters"] == 1


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
        "eta_range_s",
        "eta_minutes",
        "counter",
        "language",
        "channel",
        "more_time_count",
        "on_my_way_at",
    }
    assert "Ayşe" not in str(public)
