"""A Monte Carlo oracle for the simulator: the best figure anyone could tell at issue.

Only a measuring stick for `benchmarks/eta_accuracy.py`, not a product feature: it needs the
simulated world's true laws (each counter's true pace, the spread of service times, walk-up,
no-shows, transfers, priority arrivals, the break), which no store knows. From the branch as
the engine sees it at an issue, it plays the rest of the queue many times with random draws
from those laws and notes when the new ticket is called in each; then it tells the one figure
that is within 3 minutes or 25 % of the most of those draws. The model plays the same queue
once with expected times; the gap between the two is what telling one expected-time figure
costs, beyond the luck no estimate made at issue can know.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from server.domain.estimates import CounterNow

PRIORITY, TRANSFERRED, PLAIN = 0, 1, 2  # queue classes, in calling order
_NORMAL = statistics.NormalDist()


class Queued(NamedTuple):
    """A waiting ticket in queue order, with its class (stated priority, transferred, plain)."""

    id: int
    service_id: int
    rank: int  # PRIORITY, TRANSFERRED or PLAIN


@dataclass(frozen=True)
class World:
    """The simulated world's true laws, as far as the rest of the queue needs them."""

    service_s: dict[tuple[int, int], float]  # (counter, service): true mean at its pace
    spread: float  # stdev / mean of a service time (log-normal)
    walk_up_s: float  # mean call → start (exponential)
    no_show_rate: float
    no_show_s: float  # call → marked no-show
    transfer_rate: float  # share of served customers sent to another service (at random)
    pause_s: float  # a break's length
    break_in_s: float | None  # seconds until the break is due; None once it is taken
    break_takers: tuple[int, ...]  # counters, one of which (at random) takes it
    priority_s: Callable[[float], float]  # priority arrivals per second, t seconds from now
    priority_peak: float  # the highest that rate gets (to draw them by thinning)
    mix: dict[int, float]  # share of arrivals per service


def call_times(
    counters: Sequence[CounterNow],
    waiting: Sequence[Queued],
    ticket_id: int,
    world: World,
    draws: int,
    rng: random.Random,
) -> list[float] | None:
    """Seconds until `ticket_id` is called, in each of `draws` random plays of the queue.

    None when no open or paused counter serves it (as the model says then)."""
    working = [c for c in counters if c.state != "closed" and c.service_ids]
    service = next(t.service_id for t in waiting if t.id == ticket_id)
    if not any(service in c.service_ids for c in working):
        return None
    return [_play(working, waiting, ticket_id, world, rng) for _ in range(draws)]


def best_figure(draws: Sequence[float]) -> float:
    """The figure within 3 minutes or 25 % of the most draws (the middle of the first stretch
    where the most of their windows overlap): under that rule the best figure to tell is not
    the mean of a skewed spread of waits."""
    edges = sorted(
        edge
        for d in draws
        for margin in [max(180.0, 0.25 * d)]
        for edge in ((d - margin, 0), (d + margin, 1))  # a window opens before one closes
    )
    depth, deepest, figure = 0, 0, 0.0
    for n, (at, closing) in enumerate(edges):
        depth += -1 if closing else 1
        if depth > deepest:
            deepest, figure = depth, (at + edges[n + 1][0]) / 2
    return figure


def _play(
    working: list[CounterNow],
    waiting: Sequence[Queued],
    ticket_id: int,
    world: World,
    rng: random.Random,
) -> float:
    """One random play of the queue until `ticket_id` is called; returns when."""
    sigma = math.sqrt(math.log(1 + world.spread**2))
    queues: dict[int, list[tuple[int, int, int]]] = {}  # service: heap of (rank, order, id)
    for order, t in enumerate(waiting):
        queues.setdefault(t.service_id, []).append((t.rank, order, t.id))
    for queue in queues.values():
        heapq.heapify(queue)
    later = len(waiting)  # order of tickets queued during the play: after all waiting now
    events: list[tuple[float, int, str, tuple]] = []  # (at, tie-break, kind, payload)
    tie = 0

    def at(seconds: float, kind: str, *payload) -> None:
        nonlocal tie
        tie += 1
        heapq.heappush(events, (seconds, tie, kind, payload))

    def mu(counter: CounterNow, service_id: int) -> float:
        return math.log(world.service_s[counter.id, service_id]) - sigma**2 / 2

    def finish(done: float, counter: CounterNow, service_id: int, rank: int) -> None:
        """The customer leaves, or is sent on to another service; the counter is free."""
        others = [s for s in world.mix if s != service_id]
        if others and rng.random() < world.transfer_rate:
            at(done, "queue", rng.choice(others), min(rank, TRANSFERRED))
        at(done, "free", counter)

    def call(start: float, counter: CounterNow, service_id: int, rank: int) -> None:
        """A call: a no-show marked after a while, or a walk up and a service."""
        if rng.random() < world.no_show_rate:
            at(start + world.no_show_s, "free", counter)
        else:
            walk = rng.expovariate(1 / world.walk_up_s)
            finish(
                start + walk + rng.lognormvariate(mu(counter, service_id), sigma),
                counter,
                service_id,
                rank,
            )

    for counter in working:
        start = max(world.pause_s - counter.paused_s, 0.0) if counter.state == "paused" else 0.0
        service = counter.current_service_id
        if service is None:
            at(start, "free", counter)
        elif counter.started_s is not None:  # being served: the rest of a service this long
            elapsed = counter.started_s
            beyond = _NORMAL.cdf((math.log(max(elapsed, 1e-9)) - mu(counter, service)) / sigma)
            u = min(beyond + (1 - beyond) * rng.random(), 1 - 1e-12)
            length = math.exp(mu(counter, service) + sigma * _NORMAL.inv_cdf(u))
            finish(start + length - elapsed, counter, service, PLAIN)
        else:  # called, not come yet: a no-show to be marked, or still walking up
            called = counter.called_s or 0.0
            no_show = world.no_show_rate if called < world.no_show_s else 0.0
            walking = (1 - world.no_show_rate) * math.exp(-called / world.walk_up_s)
            if rng.random() * (no_show + walking) < no_show:
                at(start + world.no_show_s - called, "free", counter)
            else:  # the rest of the walk (memoryless), then a service
                walk = rng.expovariate(1 / world.walk_up_s)
                length = rng.lognormvariate(mu(counter, service), sigma)
                finish(start + walk + length, counter, service, PLAIN)
    if world.priority_peak > 0:
        at(rng.expovariate(world.priority_peak), "priority")
    taker = None if world.break_in_s is None else rng.choice(world.break_takers)
    idle: list[CounterNow] = []
    while True:
        now, _, kind, payload = heapq.heappop(events)
        if kind == "priority":  # a candidate arrival, kept at the day's rate then (thinning)
            if rng.random() * world.priority_peak < world.priority_s(now):
                service = rng.choices(list(world.mix), list(world.mix.values()))[0]
                at(now, "queue", service, PRIORITY)
            at(now + rng.expovariate(world.priority_peak), "priority")
            continue
        if kind == "queue":
            service, rank = payload
            later += 1
            heapq.heappush(queues.setdefault(service, []), (rank, later, -later))
            for counter in [c for c in idle if service in c.service_ids]:
                idle.remove(counter)
                at(now, "free", counter)
            continue
        (counter,) = payload
        if taker == counter.id and now >= world.break_in_s:
            taker = None
            at(now + world.pause_s, "free", counter)
            continue
        heads = [(queues[s][0], s) for s in counter.service_ids if queues.get(s)]
        if not heads:
            idle.append(counter)
            continue
        _, service = min(heads)
        rank, _, called = heapq.heappop(queues[service])
        if called == ticket_id:
            return now
        call(now, counter, service, rank)
