"""The wait model on hand-worked queues (server/domain/estimates.py): no database, exact figures.

Unless a test says otherwise every service takes 100 s, customers walk up at once and all come,
so each call keeps a counter busy exactly 100 s.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.domain.estimates import (
    MIN_PAUSE_LEFT_S,
    CounterNow,
    Estimate,
    ServiceTimes,
    Waiting,
    breaks_ahead,
    estimate_branch,
    expected_left_s,
    learn_history,
    log_normal_fit,
)

A, B = 1, 2
EXACT = ServiceTimes(service_s={A: 100, B: 100}, walk_up_s=0, no_show_rate=0)


def counter(counter_id: int, *services: int, state: str = "open", **now) -> CounterNow:
    return CounterNow(counter_id, frozenset(services), state, **now)


def etas(counters, waiting, times=EXACT) -> dict[int, int | None]:
    found = estimate_branch(counters, waiting, times).tickets
    return {ticket_id: estimate.eta_s for ticket_id, estimate in found.items()}


def test_each_counter_calls_the_first_ticket_of_its_services_in_queue_order():
    # Counter 1 serves A and B, counter 2 only A. Queue order: 11 (A), 21 (B), 12 (A), 13 (A).
    # At 0 counter 1 takes 11 and counter 2 takes 12 (it cannot take 21); at 100 counter 1
    # takes 21, counter 2 takes 13.
    waiting = [Waiting(11, A), Waiting(21, B), Waiting(12, A), Waiting(13, A)]
    assert etas([counter(1, A, B), counter(2, A)], waiting) == {11: 0, 12: 0, 21: 100, 13: 100}


def test_a_ticket_behind_another_service_at_a_shared_counter_waits_for_it():
    # One counter for both services: the older B ticket goes first, whatever A's queue says.
    waiting = [Waiting(21, B), Waiting(22, B), Waiting(11, A)]
    assert etas([counter(1, A, B)], waiting) == {21: 0, 22: 100, 11: 200}


def test_a_closed_counter_serves_nobody_and_a_ticket_only_it_serves_has_no_estimate():
    waiting = [Waiting(11, A), Waiting(21, B)]
    found = estimate_branch([counter(1, A), counter(2, B, state="closed")], waiting, EXACT)
    assert found.tickets[11].eta_s == 0
    assert found.tickets[21].eta_s is None and found.tickets[21].range_s is None
    assert B not in found.services  # "waiting for a counter to open"


def test_a_paused_counter_is_back_after_a_typical_pause():
    times = ServiceTimes(service_s={A: 100}, walk_up_s=0, no_show_rate=0, pause_s=900)
    paused = counter(1, A, state="paused", paused_s=300)
    assert etas([paused], [Waiting(11, A), Waiting(12, A)], times) == {11: 600, 12: 700}


def test_a_pause_longer_than_usual_is_expected_to_end_soon_but_not_now():
    times = ServiceTimes(service_s={A: 100}, walk_up_s=0, no_show_rate=0, pause_s=900)
    paused = counter(1, A, state="paused", paused_s=5000)
    assert etas([paused], [Waiting(11, A)], times) == {11: MIN_PAUSE_LEFT_S}


def test_a_break_the_day_pattern_holds_stops_the_first_counter_free_once_it_is_due():
    # A break is due in 150 s and lasts 900 s. Counter 1 calls 11 at 0 and 12 at 100; at 200 it
    # is free after the break is due, so it goes on break and calls 13 at 1100.
    times = ServiceTimes(
        service_s={A: 100}, walk_up_s=0, no_show_rate=0, pause_s=900, breaks_s=(150.0,)
    )
    waiting = [Waiting(11, A), Waiting(12, A), Waiting(13, A)]
    assert etas([counter(1, A)], waiting, times) == {11: 0, 12: 100, 13: 1100}


def test_breaks_are_expected_at_the_usual_time_of_day_until_today_has_taken_them():
    # Two past days each with a break at 11:30 and one at 15:00 (the second day's a little later).
    past = [("d1", 41400.0), ("d1", 54000.0), ("d2", 41400.0), ("d2", 55800.0)]
    at_ten = 36000.0
    assert breaks_ahead(past, "today", at_ten) == (5400.0, 18900.0)
    # Today's first break is taken: only the afternoon one is still to come.
    assert breaks_ahead([*past, ("today", 40000.0)], "today", at_ten) == (18900.0,)
    # Overdue by more than half an hour: skipped; overdue by less: due now.
    assert breaks_ahead(past, "today", 41400.0 + 3600) == (9900.0,)
    assert breaks_ahead(past, "today", 41400.0 + 600) == (0.0, 12900.0)
    # One day is no pattern.
    assert breaks_ahead(past[:2], "today", at_ten) == ()


def test_a_break_is_expected_due_half_a_usual_call_before_it_usually_began():
    """A break begins once its counter is free after it is due: the usual start is later than
    the due time by the rest of a call, which the play-forward adds again itself."""
    services = [(A, 1, 100.0)] * 20
    calls = [(20.0, None)] * 10  # walk-up 20 s: a usual call is 120 s
    times = learn_history(services, calls, [900.0]).for_today({}, breaks_s=[150.0, 40.0])
    assert times.breaks_s == (0.0, pytest.approx(90.0))


def test_the_customer_issued_just_before_a_usual_break_waits_for_it():
    """The break usually began 150 s from now: due at 90, so the counter free at 100 takes it
    and the ticket waits for it (counting from the start, the counter would call it first)."""
    times = learn_history([(A, 1, 100.0)] * 20, [(20.0, None)] * 10, [900.0]).for_today(
        {}, breaks_s=[150.0]
    )
    times = replace(times, walk_up_s=0.0, no_show_rate=0.0)
    busy = counter(1, A, current_service_id=A, called_s=30, started_s=0)
    assert etas([busy], [Waiting(11, A)], times) == {11: 100 + 900}


def test_a_ticket_at_a_counter_leaves_the_rest_of_its_service():
    busy = counter(1, A, current_service_id=A, called_s=40, started_s=30)
    expected = round(expected_left_s(100, 0.6, 30))
    assert 70 < expected < 100  # a little more than the plain 100 − 30: some cases run long
    assert etas([busy], [Waiting(11, A)]) == {11: expected}


def test_a_ticket_at_a_counter_far_longer_than_usual_still_needs_time():
    # Served for 300 s where 100 s is usual: a long case, likely to go on a while yet.
    busy = counter(1, A, current_service_id=A, called_s=310, started_s=300)
    eta = etas([busy], [Waiting(11, A)])[11]
    assert eta == round(expected_left_s(100, 0.6, 300))
    assert eta > 50


def test_a_called_customer_still_walking_up_counts_the_walk_and_the_service():
    times = ServiceTimes(service_s={A: 100}, walk_up_s=30, no_show_rate=0)
    called = counter(1, A, current_service_id=A, called_s=10)
    assert etas([called], [Waiting(11, A)], times) == {11: 20 + 100}


def test_no_shows_and_walk_up_are_part_of_each_call():
    times = ServiceTimes(service_s={A: 100}, walk_up_s=20, no_show_s=60, no_show_rate=0.1)
    # Per call: 0.9 × (20 + 100) + 0.1 × 60 = 114 s.
    assert etas([counter(1, A)], [Waiting(11, A), Waiting(12, A)], times) == {11: 0, 12: 114}


def test_expected_priority_arrivals_stretch_the_wait():
    # One priority ticket (or transfer) every 600 s, each taking 100 s of the one counter:
    # a sixth more time before anyone is called.
    times = ServiceTimes(service_s={A: 100}, walk_up_s=0, no_show_rate=0, jump_rate={A: 1 / 600})
    assert etas([counter(1, A)], [Waiting(11, A), Waiting(12, A)], times) == {11: 0, 12: 117}


def test_a_counter_learned_pace_is_used_where_known():
    times = ServiceTimes(
        service_s={A: 100}, counter_service_s={(2, A): 300}, walk_up_s=0, no_show_rate=0
    )
    # Counter 2 is slow: its next call is at 300, counter 1 has called 11, 12, 13 by then.
    waiting = [Waiting(n, A) for n in (11, 12, 13, 14, 15)]
    assert etas([counter(1, A), counter(2, A)], waiting, times) == {
        11: 0,
        12: 0,
        13: 100,
        14: 200,
        15: 300,
    }


def test_a_newcomer_is_called_when_the_first_counter_serving_it_runs_dry():
    waiting = [Waiting(11, A), Waiting(12, A), Waiting(21, B)]
    found = estimate_branch([counter(1, A, B), counter(2, A)], waiting, EXACT)
    assert (found.services[A].eta_s, found.services[B].eta_s) == (100, 200)


def test_the_range_widens_with_the_work_ahead():
    waiting = [Waiting(n, A) for n in range(10)]
    found = estimate_branch([counter(1, A)], waiting, EXACT).tickets
    spans = [found[n].high_s - found[n].low_s for n in (1, 4, 9)]
    assert spans == sorted(spans) and spans[0] > 0
    assert found[9].low_s < found[9].eta_s < found[9].high_s


def test_learning_fits_service_times_per_service_and_per_counter_with_enough_cases():
    services = [(A, 1, 100.0)] * 20 + [(A, 2, 300.0)] * 3
    calls = [(30.0, None)] * 9 + [(None, 90.0)]
    times = learn_history(services, calls, [600.0, 1200.0, 900.0]).for_today({A: 0.001})
    assert times.counter_service_s == {(1, A): pytest.approx(100)}  # counter 2: too few
    assert 100 < times.service_s[A] < 300
    assert (times.walk_up_s, times.no_show_s, times.no_show_rate) == (30, 90, 0.1)
    assert times.pause_s == 900
    assert times.jump_rate == {A: 0.001}


def test_a_log_normal_fit_is_not_thrown_by_one_very_long_case():
    usual = [100.0, 120.0, 80.0, 110.0, 90.0] * 4
    mean, spread = log_normal_fit(usual)
    assert mean == pytest.approx(100, rel=0.05) and 0 < spread < 0.3
    with_long = log_normal_fit([*usual, 3000.0])[0]
    assert with_long < (sum(usual) + 3000) / 21  # the plain average would jump more


@pytest.mark.parametrize(
    ("eta_s", "low_s", "high_s", "minutes"),
    [
        (None, None, None, None),  # waiting for a counter to open
        (20, 0, 60, [0, 0]),  # less than a minute
        (290, 200, 380, [5, 5]),  # short waits: one figure
        (1500, 1380, 1620, [25, 25]),  # a narrow range: one figure too
        (1000, 800, 1200, [10, 20]),  # unsure: a range in fives
        (1100, 1000, 1250, [18, 18]),
        (3000, 2400, 3600, [40, 60]),
    ],
)
def test_what_the_customer_is_told(eta_s, low_s, high_s, minutes):
    assert Estimate(eta_s, low_s, high_s).minutes == minutes
