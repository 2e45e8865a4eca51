"""How true are the waits customers are told? Whole days through the real engine, simulated.

Each store shape (one counter; three counters sharing three services; eight counters over four
services) lives two ordinary days and then a busy one: arrivals follow a daily curve with a
lunch peak above the counters' capacity, counters serve overlapping services at their own
speeds, one takes a 20-minute break, customers take time to walk up and 5 % never come, a few
state a priority need, and some are transferred to another service after being served. The
engine (real SQLite, real queue order, its own clock moved by the simulation) issues, calls and
finishes every ticket; at each issue the estimate the engine gives is noted beside the old
formula's (people ahead ÷ open counters, rounded up, × median service time), and compared
with the wait the customer then had. A figure is right when it is within 3 minutes or 25 % of
the real wait.

Beside them, a ceiling: the same model given the simulated world's true parameters in place of
what it learns (each service's mean at each counter's pace, the spread, walk-up, no-shows, the
break's time and length, the rate of priority and transfer arrivals). It is not a product
feature — no store knows these — but it shows how much of the remaining error is the luck of
individual service times, which no estimate made at issue can know.

And the best possible figure (`benchmarks/eta_oracle.py`, also only a measuring stick): at each
issue of the measured day the rest of the queue is played K times (`--draws`, 200) with random
draws from the world's true laws, and the one figure within 3 minutes or 25 % of the most of
those draws is told ("best possible"; "draws' mean" is their mean). The ceiling plays the queue
once with expected times; the best possible figure is the most any figure told at issue can
reach in this world.

    .venv/bin/python -m benchmarks.eta_accuracy                   # every shape, seeds 1–3
    .venv/bin/python -m benchmarks.eta_accuracy --shapes three --seeds 11 12 13
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import math
import random
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from benchmarks.eta_oracle import (
    PLAIN,
    PRIORITY,
    TRANSFERRED,
    Queued,
    World,
    best_figure,
    call_times,
)
from server.auth.accounts import add_user
from server.db import init_db
from server.demo import MovingClock
from server.domain.estimates import BranchEstimates, ServiceTimes, close_enough, estimate_branch
from server.domain.tickets import QUEUE_ORDER
from server.engine import QueueEngine
from server.engine.clock import iso
from server.storage import connect
from server.store import add_branch, add_counter, add_service

OPENS_H, CLOSES_H = 9, 17
LUNCH = (12.0, 14.0)
WALK_UP_MEAN_S = 40.0
NO_SHOW_RATE = 0.05
NO_SHOW_AFTER_S = 120.0
PRIORITY_RATE = 0.03
TRANSFER_RATE = 0.05
BREAK_S = 20 * 60
BREAK_AFTER_S = 2.5 * 3600  # after opening
SERVICE_CV = 0.5
PEAK_LOAD = 1.3  # arrivals at the busy day's lunch peak, as a share of capacity


@dataclass(frozen=True)
class Shape:
    """A store: each service's mean service time, and which services each counter serves."""

    name: str
    service_means_s: tuple[float, ...]
    counters: tuple[tuple[int, ...], ...]  # service indexes per counter
    mix: tuple[float, ...]  # share of arrivals per service


SHAPES = {
    "one": Shape("one", (240.0, 360.0), ((0, 1),), (0.7, 0.3)),
    "three": Shape("three", (240.0, 360.0, 480.0), ((0, 1), (0, 2), (1, 2)), (0.5, 0.3, 0.2)),
    "eight": Shape(
        "eight",
        (240.0, 360.0, 480.0, 300.0),
        ((0,), (0,), (0, 1), (0, 3), (1, 2), (1, 3), (2, 3), (0, 1, 2, 3)),
        (0.4, 0.25, 0.15, 0.2),
    ),
}


class Told(NamedTuple):
    """What a ticket was told at issue, in seconds, by each way of telling (None: no figure, or
    the Monte Carlo oracle not run)."""

    old: float
    model: float | None
    ceiling: float | None
    mean: float | None  # the oracle's draws' mean
    best: float | None  # the oracle's best possible figure


@dataclass
class Outcome:
    """Per ticket at issue: what it was told, and the real wait in seconds."""

    issued: list[tuple[Told, float]] = field(default_factory=list)
    # Live estimates read later in the wait: (estimate, real time left, time already waited).
    live: list[tuple[float, float, float]] = field(default_factory=list)


class Day:
    """One day of one store: an event queue on the engine's clock."""

    def __init__(
        self,
        db,
        store,
        shape: Shape,
        rng: random.Random,
        date,
        busy: bool,
        oracle: random.Random | None = None,
        draws: int = 0,
    ):
        self.db, self.store, self.shape, self.rng, self.busy = db, store, shape, rng, busy
        self.oracle, self.draws = oracle, draws  # the oracle's own draws: the day stays the same
        self.pace = store.pace
        self.opens = datetime(date.year, date.month, date.day, OPENS_H, tzinfo=UTC)
        self.clock = MovingClock(self.opens)
        self.engine = QueueEngine(db, self.clock)
        self.events: list = []
        self.order = itertools.count()
        self.idle: set[int] = set()
        self.on_break: set[int] = set()
        self.break_due: set[int] = set()
        self.break_taken = False
        self.capacity = 0.0
        self.told: dict[int, tuple[Told, datetime]] = {}
        self.asked_live: dict[int, list[tuple[float, datetime]]] = {}
        self.outcome = Outcome()

    def at(self, seconds: float, kind: str, *payload) -> None:
        heapq.heappush(self.events, (seconds, next(self.order), kind, payload))

    def run(self) -> Outcome:
        self.capacity = sum(  # customers per second, all counters working
            1
            / (
                WALK_UP_MEAN_S
                + pace * statistics.fmean(self.shape.service_means_s[s] for s in served)
            )
            for pace, served in zip(self.pace, self.shape.counters, strict=True)
        )
        for n, counter_id in enumerate(self.store.counters):
            self.engine.open_counter(counter_id, self.store.users[n])
            self.idle.add(counter_id)
        self.arrivals()
        # One counter takes a 20-minute break late in the morning, every day.
        self.at(BREAK_AFTER_S, "take_break", self.rng.choice(self.store.counters))
        while self.events:
            seconds, _, kind, payload = heapq.heappop(self.events)
            self.clock.now = self.opens + timedelta(seconds=seconds)
            getattr(self, kind)(seconds, *payload)
        for counter_id in self.store.counters:
            self.engine.close_counter(counter_id, None, "signed_out")
        return self.outcome

    def load(self, seconds: float) -> float:
        """Arrivals as a share of capacity: quiet start, lunch peak, afternoon."""
        hour = OPENS_H + seconds / 3600
        if self.busy:
            load = PEAK_LOAD if LUNCH[0] <= hour < LUNCH[1] else 0.7
        else:
            load = 0.7 if LUNCH[0] <= hour < LUNCH[1] else 0.5
        return load * 0.6 if hour < OPENS_H + 0.5 else load

    def arrivals(self) -> None:
        """A Poisson stream whose rate follows the day (`load`)."""
        seconds = 0.0
        while True:
            seconds += self.rng.expovariate(self.capacity * self.load(seconds))
            if seconds >= (CLOSES_H - OPENS_H) * 3600:
                return
            service = self.rng.choices(range(len(self.shape.mix)), self.shape.mix)[0]
            self.at(seconds, "arrive", service)

    # -- what happens ---------------------------------------------------------------------

    def arrive(self, seconds: float, service: int) -> None:
        priority = "elderly" if self.rng.random() < PRIORITY_RATE else None
        service_id = self.store.services[service]
        old = old_formula(self.engine, service_id)
        ticket = self.engine.issue_ticket(service_id, priority=priority).ticket
        ceiling = self.ceiling_estimates(seconds).tickets[ticket["id"]].eta_s
        draws = self.oracle_draws(seconds, ticket["id"]) if self.oracle else None
        mean, best = (statistics.fmean(draws), best_figure(draws)) if draws else (None, None)
        self.told[ticket["id"]] = (Told(old, ticket["eta_s"], ceiling, mean, best), self.clock.now)
        self.wake(seconds)

    def oracle_draws(self, seconds: float, ticket_id: int) -> list[float] | None:
        """When the ticket would be called in each of the oracle's random plays of the branch
        as the engine has it (counters, tickets in hand, the queue in order)."""
        reads = self.engine.reads
        branch_id = self.store.branch_id
        waiting = [
            Queued(
                r["id"],
                r["service_id"],
                PRIORITY if r["priority"] else TRANSFERRED if r["transferred"] else PLAIN,
            )
            for r in reads.rows(
                "SELECT id, service_id, priority IS NOT NULL AS priority, transferred"
                " FROM tickets WHERE branch_id = ? AND service_day = ? AND status = 'waiting'"
                f" ORDER BY {QUEUE_ORDER}",
                [branch_id, reads.today(branch_id)],
            )
        ]
        counters = reads.estimator.counters(branch_id, iso(self.clock.now))
        return call_times(
            counters, waiting, ticket_id, self.world(seconds), self.draws, self.oracle
        )

    def world(self, seconds: float) -> World:
        """The world's true laws from now on, for the oracle. Priority arrivals come at their
        true rate through the day; transfers at their true share of services."""
        closes = (CLOSES_H - OPENS_H) * 3600
        service_ids = self.store.services
        return World(
            service_s=self.true_means(),
            spread=SERVICE_CV,
            walk_up_s=WALK_UP_MEAN_S,
            no_show_rate=NO_SHOW_RATE,
            no_show_s=NO_SHOW_AFTER_S,
            transfer_rate=TRANSFER_RATE,
            pause_s=BREAK_S,
            break_in_s=None if self.break_taken else max(BREAK_AFTER_S - seconds, 0.0),
            break_takers=tuple(self.store.counters),  # `run` draws it among all counters
            priority_s=lambda t: (
                PRIORITY_RATE * self.capacity * self.load(seconds + t)
                if seconds + t < closes
                else 0.0
            ),
            priority_peak=PRIORITY_RATE * self.capacity * PEAK_LOAD,
            mix={service_ids[s]: share for s, share in enumerate(self.shape.mix)},
        )

    def true_means(self) -> dict[tuple[int, int], float]:
        """Each (counter, service)'s true mean service time, at the counter's pace."""
        return {
            (counter_id, self.store.services[s]): self.shape.service_means_s[s] * pace
            for counter_id, pace, served in zip(
                self.store.counters, self.pace, self.shape.counters, strict=True
            )
            for s in served
        }

    def ceiling_estimates(self, seconds: float) -> BranchEstimates:
        """The model on the branch as it stands, given the world's true parameters."""
        estimator = self.engine.reads.estimator
        branch_id, now = self.store.branch_id, iso(self.clock.now)
        return estimate_branch(
            estimator.counters(branch_id, now),
            estimator.waiting(branch_id, self.engine.reads.today(branch_id)),
            self.true_times(seconds),
        )

    def true_times(self, seconds: float) -> ServiceTimes:
        """What the model would know with endless history of this world: the true means at each
        counter's pace, the spread, walk-up, no-shows, the break's due time and length, and the
        rate of priority and transfer arrivals at this time of the day. Only for the ceiling."""
        means, mix = self.shape.service_means_s, self.shape.mix
        service_ids = self.store.services
        arriving = self.capacity * self.load(seconds)
        served = min(arriving, self.capacity)  # a queue cannot be served faster than capacity
        jumps = {}
        for s, service_id in enumerate(service_ids):
            priority = PRIORITY_RATE * arriving * mix[s]
            others = [n for n in range(len(mix)) if n != s]
            transferred_in = sum(  # each transfer goes to one of the other services
                TRANSFER_RATE * served * mix[n] / len(others) for n in others
            )
            jumps[service_id] = priority + transferred_in
        breaks = () if self.break_taken else (max(BREAK_AFTER_S - seconds, 0.0),)
        return ServiceTimes(
            service_s={
                service_ids[s]: means[s]
                * statistics.fmean(
                    pace for pace, on in zip(self.pace, self.shape.counters, strict=True) if s in on
                )
                for s in range(len(means))
            },
            counter_service_s=self.true_means(),
            spread={service_id: SERVICE_CV for service_id in service_ids},
            walk_up_s=WALK_UP_MEAN_S,
            no_show_s=NO_SHOW_AFTER_S,
            no_show_rate=NO_SHOW_RATE,
            pause_s=BREAK_S,
            jump_rate=jumps,
            breaks_s=breaks,
        )

    def wake(self, seconds: float) -> None:
        for counter_id in sorted(self.idle):
            self.at(seconds, "free", counter_id)
        self.idle.clear()

    def free(self, seconds: float, counter_id: int) -> None:
        if counter_id in self.on_break:
            return
        if counter_id in self.break_due:
            self.break_due.discard(counter_id)
            self.on_break.add(counter_id)
            self.break_taken = True
            self.engine.pause(counter_id, "break")
            self.at(seconds + BREAK_S, "back", counter_id)
            return
        self.sample_live()
        change = self.engine.call_next(counter_id, self.user_of(counter_id))
        if change is None:
            self.idle.add(counter_id)
            return
        ticket = change.ticket
        if ticket["id"] in self.told:  # its first call: the wait it was told about ends here
            told, issued = self.told.pop(ticket["id"])
            waited = (self.clock.now - issued).total_seconds()
            self.outcome.issued.append((told, waited))
            for estimate, asked in self.asked_live.pop(ticket["id"], []):
                left = (self.clock.now - asked).total_seconds()
                self.outcome.live.append((estimate, left, (asked - issued).total_seconds()))
        if self.rng.random() < NO_SHOW_RATE:
            self.at(seconds + NO_SHOW_AFTER_S, "no_show", counter_id, ticket["id"])
        else:
            walk = self.rng.expovariate(1 / WALK_UP_MEAN_S)
            self.at(seconds + walk, "start", counter_id, ticket["id"])

    def no_show(self, seconds: float, counter_id: int, ticket_id: int) -> None:
        self.engine.no_show(ticket_id)
        self.at(seconds, "free", counter_id)

    def start(self, seconds: float, counter_id: int, ticket_id: int) -> None:
        ticket = self.engine.start(ticket_id).ticket
        service = self.store.services.index(ticket["service_id"])
        mean = (
            self.shape.service_means_s[service] * self.pace[self.store.counters.index(counter_id)]
        )
        sigma = math.sqrt(math.log(1 + SERVICE_CV**2))
        length = self.rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
        self.at(seconds + length, "finish", counter_id, ticket_id)

    def finish(self, seconds: float, counter_id: int, ticket_id: int) -> None:
        ticket = self.engine.reads.ticket(ticket_id)
        elsewhere = [s for s in self.store.services if s != ticket["service_id"]]
        if elsewhere and self.rng.random() < TRANSFER_RATE:
            self.engine.transfer(ticket_id, self.rng.choice(elsewhere), "next step")
            self.wake(seconds)
        else:
            self.engine.finish(ticket_id)
        self.at(seconds, "free", counter_id)

    def sample_live(self) -> None:
        """A phone looks at a waiting ticket now and then (the live estimate's accuracy)."""
        waiting = list(self.told)
        if not waiting:
            return
        ticket_id = self.rng.choice(waiting)
        eta = self.engine.reads.ticket(ticket_id)["eta_s"]
        if eta is not None:
            self.asked_live.setdefault(ticket_id, []).append((eta, self.clock.now))

    def take_break(self, seconds: float, counter_id: int) -> None:
        self.break_due.add(counter_id)

    def back(self, seconds: float, counter_id: int) -> None:
        self.on_break.discard(counter_id)
        self.engine.resume(counter_id)
        self.at(seconds, "free", counter_id)

    def user_of(self, counter_id: int) -> int:
        return self.store.users[self.store.counters.index(counter_id)]


def old_formula(engine: QueueEngine, service_id: int) -> float:
    """The estimate before issue 12, exactly: ceil(ahead ÷ open counters) × median service.

    Open meant active and not paused, whoever was (or was not) at the counter."""
    reads = engine.reads
    ahead = reads.row(
        "SELECT count(*) AS n FROM tickets WHERE service_id = ? AND status = 'waiting'",
        [service_id],
    )["n"]
    counters = reads.row(
        "SELECT count(*) AS n FROM counter_services JOIN counters"
        " ON counters.id = counter_services.counter_id"
        " WHERE counter_services.service_id = ? AND counters.active"
        " AND counters.paused_at IS NULL",
        [service_id],
    )["n"]
    durations = [
        r["s"]
        for r in reads.rows(
            "SELECT (julianday(finished_at) - julianday(started_at)) * 86400 AS s FROM tickets"
            " WHERE service_id = ? AND status = 'done' AND started_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT 50",
            [service_id],
        )
    ]
    typical = statistics.median(durations) if durations else 300
    return math.ceil(ahead / max(counters, 1)) * typical


@dataclass
class Store:
    branch_id: int
    services: list[int]
    counters: list[int]
    users: list[int]
    pace: list[float]  # each counter's staff member: some are quicker than others


def build(db: sqlite_utils.Database, shape: Shape, rng: random.Random) -> Store:
    branch = add_branch(db, "Simulated store", "sim", timezone="UTC")
    services = [
        add_service(db, branch, chr(ord("A") + n), f"Service {n + 1}")
        for n in range(len(shape.service_means_s))
    ]
    counters = [
        add_counter(db, branch, f"Counter {n + 1}", [services[s] for s in served])
        for n, served in enumerate(shape.counters)
    ]
    users = [
        add_user(db, f"staff{n + 1}", "staff", "simulated staff password")
        for n in range(len(counters))
    ]
    return Store(branch, services, counters, users, [rng.uniform(0.8, 1.25) for _ in counters])


def simulate(shape: Shape, seed: int, history_days: int = 2, draws: int = 0) -> Outcome:
    """History days first (the model learns from them), then the busy day that is measured;
    with `draws`, the oracle plays the queue that many times at each of its issues."""
    with tempfile.TemporaryDirectory(prefix="sira-eta-") as folder:
        path = str(Path(folder) / "sim.db")
        init_db(path)
        db = connect(path)
        db.execute("PRAGMA synchronous = OFF")
        store = build(db, shape, random.Random(f"{seed}-staff"))
        first = datetime(2026, 3, 2, tzinfo=UTC)
        for day in range(history_days):
            rng = random.Random(f"{seed}-{day}")
            Day(db, store, shape, rng, first + timedelta(days=day), busy=False).run()
        rng = random.Random(f"{seed}-busy")  # the same busy day whatever the history
        oracle = random.Random(f"{seed}-oracle")
        busy = first + timedelta(days=history_days)
        outcome = Day(db, store, shape, rng, busy, True, oracle, draws).run()
        db.conn.close()
        return outcome


def accuracy(pairs: list[tuple[float | None, float]]) -> str:
    """Share right, median absolute error and bias (estimate − real, mean), in minutes.

    An estimate of None ("waiting for a counter to open") counts as wrong."""
    if not pairs:
        return "no tickets"
    good = sum(1 for est, real in pairs if est is not None and close_enough(est, real))
    errors = [est - real for est, real in pairs if est is not None]
    median = statistics.median(abs(e) for e in errors) / 60
    bias = statistics.fmean(errors) / 60
    share = 100 * good / len(pairs)
    return f"{share:5.1f} % right, median error {median:4.1f} min, bias {bias:+5.1f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--history-days", type=int, default=2)
    parser.add_argument(
        "--draws", type=int, default=200, help="the oracle's plays per issue (0: no oracle)"
    )
    args = parser.parse_args()
    ways = {  # line label: which figure told (a field of Told)
        "old formula:": "old",
        "new model:": "model",
        "ceiling:": "ceiling",
        "draws' mean:": "mean",
        "best possible:": "best",
    }
    if not args.draws:
        del ways["draws' mean:"], ways["best possible:"]
    for name in args.shapes:
        issued_all, live_near, live_far = [], [], []
        for seed in args.seeds:
            outcome = simulate(SHAPES[name], seed, args.history_days, args.draws)
            waits = [real for _, real in outcome.issued]
            print(
                f"{name:5} seed {seed:3}: {len(waits):4} tickets, mean wait"
                f" {statistics.fmean(waits) / 60:5.1f} min, max {max(waits) / 60:5.1f} min"
            )
            for label, way in ways.items():
                print(
                    f"    {label:14} {accuracy([(getattr(t, way), r) for t, r in outcome.issued])}"
                )
            issued_all += outcome.issued
            live_near += [(e, left) for e, left, _ in outcome.live if left <= 600]
            live_far += [(e, left) for e, left, _ in outcome.live if left > 600]
        print(f"{name:5} all seeds ({len(issued_all)} tickets)")
        for label, way in ways.items():
            print(f"    {label:14} {accuracy([(getattr(t, way), r) for t, r in issued_all])}")
        print(f"    live, > 10 min before the call: {accuracy(live_far)}")
        print(f"    live, ≤ 10 min before the call: {accuracy(live_near)}")


if __name__ == "__main__":
    main()
