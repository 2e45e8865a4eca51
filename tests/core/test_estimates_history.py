"""What the wait model learns from a branch's history (finished services, answered calls,
pauses) is kept between changes and learned again only when triggers say the history changed
(`branches.history_seq`, migration 0150): after every move, what is kept equals what a fresh
read of the history says."""

from __future__ import annotations

import random

import pytest

from server.domain.errors import DomainError
from server.domain.tickets import UNDONE_KIND
from server.engine import QueueEngine
from server.storage import transaction
from tests.core.test_position_eta import staff
from tests.stats.conftest import StepClock
from tests.stats.test_stored_durations import SUITS as SERVED_SUITS

MOVES = ["issue"] * 2 + ["call", "start"] * 3 + ["finish"] * 2 + ["resume"] * 2
MOVES += ["no_show", "park", "transfer", "cancel", "recall", "call_ticket", "pause"]
# In what status a ticket suits each move: as in the statistics' random moves, and a transfer
# or a park takes a ticket at a counter.
SUITS = {**SERVED_SUITS, "transfer": ("called", "serving"), "park": ("called", "serving")}
# The statement that reads a branch's answered calls: it runs only when history is learned.
READS_CALLS = "ORDER BY called_at DESC"


def history_seq(db, branch_id: int) -> int:
    return db.execute("SELECT history_seq FROM branches WHERE id = ?", [branch_id]).fetchone()[0]


def move_at_random(engine: QueueEngine, store, rng: random.Random) -> None:
    """One move of a working branch, refused moves skipped; a finish or a no-show is sometimes
    taken back at once."""
    services = [store.payments, store.returns]
    counters = [store.counter1, store.counter2]
    move = rng.choice(MOVES)
    statuses = SUITS.get(move, ())
    candidates = [
        row["id"]
        for row in engine.db.execute("SELECT id, status FROM tickets ORDER BY id")
        if row["status"] in statuses
    ]
    try:
        if move == "issue" or (statuses and not candidates):
            engine.issue_ticket(rng.choice(services))
        elif move == "call":
            engine.call_next(rng.choice(counters))
        elif move == "call_ticket":
            engine.call_ticket(rng.choice(candidates), rng.choice(counters))
        elif move == "transfer":
            engine.transfer(rng.choice(candidates), rng.choice(services))
        elif move == "pause":
            engine.pause(rng.choice(counters), "coffee")
        elif move == "resume":
            engine.resume(rng.choice(counters))
        else:
            change = getattr(engine, move)(rng.choice(candidates))
            if move in UNDONE_KIND and rng.random() < 0.5:  # "oops": the counter takes it back
                engine.undo_last(change.events[0].counter_id)
    except DomainError:
        pass


@pytest.mark.parametrize("seed", range(3))
def test_the_history_kept_is_the_history_read_afresh_after_every_move(db, store, seed):
    clock = StepClock()
    engine = QueueEngine(db, clock)
    staff(engine, store.counter1, store.counter2)
    estimator = engine.reads.estimator
    rng = random.Random(seed)
    kept_through = 0  # moves after which the kept history was used as it was
    for _ in range(400):
        clock.advance(seconds=rng.randint(0, 300))
        before = history_seq(db, store.branch_id)
        move_at_random(engine, store, rng)
        kept = estimator.history(store.branch_id)
        assert kept == estimator.learn_history(store.branch_id)
        kept_through += history_seq(db, store.branch_id) == before
    kinds = {kind for (kind,) in db.execute("SELECT DISTINCT kind FROM ticket_events")}
    assert {"finished", "no_show", "transferred", "parked"} <= kinds
    assert kinds & set(UNDONE_KIND.values()), "a finish or a no-show was taken back"
    assert db.execute("SELECT count(*) FROM counter_events WHERE kind = 'resumed'").fetchone()[0]
    assert 0 < kept_through < 400


def test_a_call_or_a_new_ticket_does_not_read_the_history_again(engine, store, db):
    staff(engine, store.counter1)
    for _ in range(3):
        engine.issue_ticket(store.payments)
    served = engine.call_next(store.counter1).ticket["id"]
    engine.start(served)
    engine.finish(served)
    engine.reads.estimates(store.branch_id)  # learned once after the finish
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    engine.call_next(store.counter1)
    engine.issue_ticket(store.returns)
    db.conn.set_trace_callback(None)
    assert not [s for s in statements if READS_CALLS in s]


@pytest.mark.parametrize("move", ["start", "no_show"])
def test_a_move_that_answers_a_call_is_learned_from_at_once(engine, store, db, move):
    staff(engine, store.counter1)
    engine.issue_ticket(store.payments)
    called = engine.call_next(store.counter1).ticket["id"]
    before = engine.reads.estimator.history(store.branch_id)
    getattr(engine, move)(called)
    after = engine.reads.estimator.history(store.branch_id)
    assert after == engine.reads.estimator.learn_history(store.branch_id)
    assert after != before


def test_a_rolled_back_change_leaves_no_history_behind(db, store):
    """A finish undone with its transaction gives its history_seq to the next finish, which
    took another time: what is kept is the second."""
    clock = StepClock()
    engine = QueueEngine(db, clock)
    staff(engine, store.counter1)
    served = engine.call_ticket(engine.issue_ticket(store.payments).ticket["id"], store.counter1)
    engine.start(served.ticket["id"])
    clock.advance(seconds=100)
    with pytest.raises(RuntimeError), transaction(db):
        engine.finish(served.ticket["id"])
        learned = engine.reads.estimator.history(store.branch_id)
        assert learned.service_s[store.payments] == pytest.approx(100)
        raise RuntimeError("the group's commit failed")
    clock.advance(seconds=400)
    engine.finish(served.ticket["id"])
    kept = engine.reads.estimator.history(store.branch_id)
    assert kept.service_s[store.payments] == pytest.approx(500)
    assert kept == engine.reads.estimator.learn_history(store.branch_id)
