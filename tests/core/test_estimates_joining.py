"""A ticket joining the end of the queue continues the branch's last play of the wait model
(`BranchEstimates.then`) instead of replaying the whole queue: issuing must cost the same with
ten waiting or two thousand, and say exactly what a full play would."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.estimates import CounterNow, ServiceTimes, Waiting, estimate_branch
from server.engine.reads import QueueReads
from server.storage import connect, transaction
from tests.core.test_cheap_changes import plan, statements_of
from tests.core.test_position_eta import staff

# The plan of the wait model's read of the branch's whole queue (server/engine/estimates.py).
WHOLE_QUEUE = "USING INDEX tickets_queue_order (branch_id=? AND service_day=?)"

SERVICES = (1, 2, 3)

counters = st.lists(
    st.builds(
        CounterNow,
        id=st.integers(1, 1000),
        service_ids=st.frozensets(st.sampled_from(SERVICES), min_size=1),
        state=st.sampled_from(["open", "open", "paused", "closed"]),
        paused_s=st.floats(0, 2000),
        current_service_id=st.sampled_from([None, *SERVICES]),
        called_s=st.floats(0, 600),
        started_s=st.one_of(st.none(), st.floats(0, 1200)),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda c: c.id,
)
queues = st.lists(st.sampled_from(SERVICES), max_size=40)
times = st.builds(
    ServiceTimes,
    service_s=st.dictionaries(st.sampled_from(SERVICES), st.floats(30, 900)),
    spread=st.dictionaries(st.sampled_from(SERVICES), st.floats(0.1, 1.5)),
    no_show_rate=st.floats(0, 0.3),
    jump_rate=st.dictionaries(st.sampled_from(SERVICES), st.floats(0, 0.01)),
)


def waiting(services: list[int]) -> list[Waiting]:
    return [Waiting(100 + n, service) for n, service in enumerate(services)]


@settings(max_examples=300, deadline=None)
@given(counters=counters, queue=queues, joining=st.sampled_from(SERVICES), times=times)
def test_joining_says_what_a_full_play_of_the_longer_queue_says(counters, queue, joining, times):
    before = waiting(queue)
    newcomer = Waiting(99_999, joining)
    continued = estimate_branch(counters, before, times).then(newcomer)
    replayed = estimate_branch(counters, [*before, newcomer], times)
    assert continued.tickets == replayed.tickets
    assert continued.services == replayed.services


@settings(max_examples=200, deadline=None)
@given(
    counters=counters,
    queue=queues,
    joining=st.sampled_from(SERVICES),
    breaks=st.lists(st.floats(0, 20_000), max_size=3),
)
def test_with_breaks_to_come_the_newcomer_is_still_told_what_a_full_play_says(
    counters, queue, joining, breaks
):
    """Only the break's counter may differ: the newcomer's own call time never does."""
    times = ServiceTimes(breaks_s=tuple(sorted(breaks)))
    before = waiting(queue)
    newcomer = Waiting(99_999, joining)
    continued = estimate_branch(counters, before, times).then(newcomer)
    replayed = estimate_branch(counters, [*before, newcomer], times)
    assert continued.tickets[newcomer.id] == replayed.tickets[newcomer.id]
    assert continued.tickets.keys() == replayed.tickets.keys()


def test_joining_leaves_every_estimate_it_came_from_as_it_was():
    """The dict of tickets is shared, not copied (no step per waiting ticket): the estimates
    a change was published with still say the same of every ticket they knew."""
    counter = CounterNow(1, frozenset({1}), "open")
    first = estimate_branch([counter], waiting([1, 1]), ServiceTimes())
    told = {ticket_id: first.tickets[ticket_id] for ticket_id in first.tickets}
    service_before = first.services[1]
    later = first.then(Waiting(7, 1))
    assert 7 in later.tickets
    assert {ticket_id: first.tickets[ticket_id] for ticket_id in told} == told
    assert {ticket_id: later.tickets[ticket_id] for ticket_id in told} == told
    assert first.services[1] == service_before
    assert later.services[1].eta_s > service_before.eta_s


# -- through the engine ----------------------------------------------------------------------


def fresh_estimates(db_path: str, clock, branch_id: int) -> dict:
    """What a connection that kept nothing says: a full play of the queue as it is."""
    other = connect(db_path)
    try:
        return QueueReads(other, clock).estimates(branch_id).tickets
    finally:
        other.conn.close()


def test_each_issued_ticket_is_told_what_a_full_play_says(engine, db_path, store, clock):
    staff(engine, store.counter1, store.counter2)
    for n in range(24):
        service = store.returns if n % 3 == 0 else store.payments
        change = engine.issue_ticket(service, priority="elderly" if n == 10 else None)
        kept = engine.reads.estimates(store.branch_id).tickets
        assert kept == fresh_estimates(db_path, clock, store.branch_id)
        assert change.ticket["eta_s"] == kept[change.ticket["id"]].eta_s
        clock.advance(7)  # now and then the second turns, and the play starts over


def test_joining_reads_no_waiting_ticket_but_calling_does(engine, db, store):
    """The trace of SQL each move runs: the branch's queue is read for a call, not an issue."""
    staff(engine, store.counter1, store.counter2)
    for _ in range(20):
        engine.issue_ticket(store.payments)

    def reads_the_queue(move) -> bool:
        return any(
            step.endswith(WHOLE_QUEUE) for sql in statements_of(db, move) for step in plan(db, sql)
        )

    assert not reads_the_queue(lambda: engine.issue_ticket(store.payments))
    assert reads_the_queue(lambda: engine.call_next(store.counter1))


def test_a_rolled_back_ticket_leaves_no_estimate_behind(engine, db, store):
    """Its seq goes to the next change; what was kept for it must not be taken for that one."""
    staff(engine, store.counter2)
    engine.issue_ticket(store.payments)
    with pytest.raises(RuntimeError), transaction(db):
        gone = engine.issue_ticket(store.payments).ticket["id"]
        raise RuntimeError("the group's commit failed")
    engine.call_next(store.counter2)  # takes the rolled-back ticket's seq
    waiting = {row[0] for row in db.execute("SELECT id FROM tickets WHERE status = 'waiting'")}
    assert engine.reads.estimates(store.branch_id).tickets.keys() == waiting
    assert gone not in waiting


def test_the_estimates_kept_cost_the_garbage_collector_nothing():
    """A server keeps a play per connection, thousands of estimates each: as plain tuples of
    numbers the collector stops tracking them, so a full collection never walks them (as named
    tuples, they were a third of what it walked under load)."""
    counter = CounterNow(1, frozenset({1}), "open")
    played = estimate_branch([counter], waiting([1] * 500), ServiceTimes()).then(Waiting(7, 1))
    gc.collect()
    assert not any(gc.is_tracked(kept) for kept in played.tickets.kept.values())
    assert not gc.is_tracked(played.tickets.kept)
    assert played.tickets[7].eta_s == played.tickets.get(7).eta_s > 0
