"""The simulator's Monte Carlo oracle (benchmarks/eta_oracle.py): a measuring stick for the wait
model, checked here on queues small enough to know the answer."""

from __future__ import annotations

import random
import statistics

from benchmarks.eta_oracle import PLAIN, Queued, World, best_figure, call_times
from server.domain.estimates import CounterNow

A = 1


def world(spread: float) -> World:
    """Every service 100 s, walk-up at once, all come, nothing jumps ahead, no break."""
    return World(
        service_s={(1, A): 100.0, (2, A): 100.0},
        spread=spread,
        walk_up_s=1e-6,
        no_show_rate=0.0,
        no_show_s=120.0,
        transfer_rate=0.0,
        pause_s=1200.0,
        break_in_s=None,
        break_takers=(1, 2),
        priority_s=lambda t: 0.0,
        priority_peak=0.0,
        mix={A: 1.0},
    )


def test_best_figure_is_the_middle_of_the_deepest_overlap():
    assert best_figure([1000.0] * 5) == 1000.0
    skewed = [600.0] * 6 + [1200.0, 2400.0, 3600.0]
    assert best_figure(skewed) < statistics.fmean(skewed)


def test_a_ticket_behind_one_other_waits_one_service():
    counters = [CounterNow(1, frozenset({A}), "open")]
    waiting = [Queued(10, A, PLAIN), Queued(11, A, PLAIN)]
    draws = call_times(counters, waiting, 11, world(0.01), 50, random.Random(1))
    assert abs(statistics.fmean(draws) - 100.0) < 2.0


def test_the_first_of_two_busy_counters_comes_free_before_either_expected_time():
    counters = [
        CounterNow(n, frozenset({A}), "open", current_service_id=A, called_s=1.0, started_s=1.0)
        for n in (1, 2)
    ]
    draws = call_times(counters, [Queued(10, A, PLAIN)], 10, world(0.5), 400, random.Random(1))
    assert statistics.fmean(draws) < 85.0  # each is expected free in 99 s


def test_no_counter_serving_it_no_figure():
    counters = [CounterNow(1, frozenset({A}), "closed")]
    assert (
        call_times(counters, [Queued(10, A, PLAIN)], 10, world(0.5), 10, random.Random(1)) is None
    )
