"""Estimated waits from a model of what the counters will actually do next.

A head count divided by open counters misses what makes waits long: counters that also serve
other queues, tickets already at a counter, breaks, customers who walk up slowly or never come,
and priority tickets that will jump ahead. Here the branch's queue is played forward once: each
open (or paused, once its break ends) counter calls, in turn, the first ticket in queue order
among the services it serves, and is busy for the expected time of that ticket. A ticket's
estimate is when its counter reaches it. One pass over the branch gives every waiting ticket
and every service ("a ticket taken now") its estimate, so it can run on every change.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

# Until a service has history, assume five minutes per customer.
DEFAULT_SERVICE_S = 300.0
# Until there is history, the call → start time (walking up) and the share of no-shows.
DEFAULT_WALK_UP_S = 30.0
DEFAULT_NO_SHOW_S = 120.0
DEFAULT_NO_SHOW_RATE = 0.05
# A paused counter is expected back after a typical pause, and never sooner than this.
DEFAULT_PAUSE_S = 900.0
MIN_PAUSE_LEFT_S = 120.0
# A break the day's pattern holds (the same number of pauses at about the same time of day on
# at least this many recent days) is expected today too, unless it is overdue by this much.
PATTERN_DAYS = 2
OVERDUE_S = 1800.0
# A counter's own service times are used once it has served this many of a service.
COUNTER_SAMPLES = 15
# Past all reckoning (far longer than any service seen), a customer at a counter is taken to need
# this share of a usual service still.
MIN_LEFT_SHARE = 0.35
# Spread of a single service around its mean, relative (for the range shown to customers).
DEFAULT_SPREAD = 0.6
# Jump-ahead load (priority and transfer arrivals) is capped: beyond it the queue is unstable
# and the figure would only grow without meaning.
MAX_JUMP_LOAD = 0.5
# Shown as one figure below ten minutes, or when the range is narrower than five; else a range.
SURE_BELOW_S = 600
SURE_SPREAD_S = 300


@dataclass(frozen=True)
class ServiceTimes:
    """What history says about the time each ticket takes a counter."""

    service_s: dict[int, float] = field(default_factory=dict)  # per service, mean seconds
    counter_service_s: dict[tuple[int, int], float] = field(default_factory=dict)
    spread: dict[int, float] = field(default_factory=dict)  # per service, stdev / mean
    walk_up_s: float = DEFAULT_WALK_UP_S  # call → start, for customers who come
    no_show_s: float = DEFAULT_NO_SHOW_S  # call → marked no-show
    no_show_rate: float = DEFAULT_NO_SHOW_RATE
    pause_s: float = DEFAULT_PAUSE_S  # a typical pause
    jump_rate: dict[int, float] = field(default_factory=dict)  # per service, per second
    breaks_s: tuple[float, ...] = ()  # seconds from now to the day's breaks still to come

    def service(self, service_id: int, counter_id: int | None = None) -> float:
        if counter_id is not None and (counter_id, service_id) in self.counter_service_s:
            return self.counter_service_s[(counter_id, service_id)]
        return self.service_s.get(service_id, DEFAULT_SERVICE_S)

    def per_call_s(self, service_id: int, counter_id: int) -> float:
        """Expected counter time from calling a ticket to being free for the next one."""
        came = (1 - self.no_show_rate) * (self.walk_up_s + self.service(service_id, counter_id))
        return came + self.no_show_rate * self.no_show_s

    def for_today(self, jumps: dict[int, float], breaks_s: Iterable[float] = ()) -> ServiceTimes:
        """These times with `jumps`, per service the recent priority and transfer arrivals per
        second, and `breaks_s`, seconds from now to when the breaks expected later today usually
        began (`breaks_ahead`).

        A break begins when its counter is first free after it is due, later than it was due by
        the rest of the call then in hand, about half a call. The play-forward gives the break to
        the first counter free after it is due, so each is expected due half a usual call before
        it usually began: else that rest would count twice, and the customers issued just before
        the break would be told they go first.
        """
        usual_call_s = self.walk_up_s + (
            statistics.fmean(self.service_s.values()) if self.service_s else DEFAULT_SERVICE_S
        )
        return replace(
            self,
            jump_rate=jumps,
            breaks_s=tuple(sorted(max(b - usual_call_s / 2, 0.0) for b in breaks_s)),
        )


@dataclass(frozen=True)
class CounterNow:
    """A counter as it stands: what it serves, whether it works, and what it has in hand."""

    id: int
    service_ids: frozenset[int]
    state: str  # open | paused | closed
    paused_s: float = 0.0  # how long it has been paused
    # The ticket in hand, if any: its service and how long since it was called / started.
    current_service_id: int | None = None
    called_s: float | None = None
    started_s: float | None = None


class Waiting(NamedTuple):
    """A waiting ticket; the caller gives them in queue order (priority, transferred, oldest).
    The model only unpacks them, so any (id, service_id) pair will do: a full play takes the
    rows of its query as they come, rather than making a named tuple of each (5 % of it)."""

    id: int
    service_id: int


class Estimate(NamedTuple):
    """Seconds until the ticket is called (None: no counter serving it is open) and a range."""

    eta_s: int | None
    low_s: int | None = None
    high_s: int | None = None

    @property
    def range_s(self) -> list[int] | None:
        return None if self.eta_s is None else [self.low_s, self.high_s]

    def fields(self) -> dict:
        """The estimate as ticket and service objects carry it."""
        return {"eta_s": self.eta_s, "eta_range_s": self.range_s, "eta_minutes": self.minutes}

    @property
    def minutes(self) -> list[int] | None:
        """What to tell the customer, in whole minutes: [n, n] is "about n min" ([0, 0]: less
        than a minute), [lo, hi] a range in fives where the model is unsure ("15–20 min");
        None while no counter serving the ticket is open."""
        if self.eta_s is None:
            return None
        if self.eta_s < SURE_BELOW_S or self.high_s - self.low_s < SURE_SPREAD_S:
            about = round(self.eta_s / 60)
            return [about, about]
        low = 5 * math.floor(self.low_s / 300)
        high = max(5 * math.ceil(self.high_s / 300), low + 5)
        return [low, high]


NO_COUNTER = Estimate(None)
# An estimate as the play keeps it: (eta_s, low_s, high_s), a plain tuple of numbers.
Kept = tuple[int | None, int | None, int | None]
NOT_SERVED: Kept = (None, None, None)


class TicketEstimates(Mapping[int, Estimate]):
    """Each waiting ticket's estimate, by ticket id.

    Kept as plain tuples of numbers, which the garbage collector stops tracking, unlike named
    tuples: a busy server keeps a play per connection, thousands of estimates each, and every
    full collection walked them all with the event loop stopped."""

    def __init__(self, kept: dict[int, Kept]):
        self.kept = kept

    def __getitem__(self, ticket_id: int) -> Estimate:
        return Estimate(*self.kept[ticket_id])

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self.kept

    def __iter__(self) -> Iterator[int]:
        return iter(self.kept)

    def __len__(self) -> int:
        return len(self.kept)


class BranchEstimates:
    """The branch's queue played forward: every waiting ticket's estimate, every service's
    ("a ticket taken now"), and where the play ended, so that a ticket joining the end of the
    queue costs one more step of the play instead of a new one (`then`)."""

    def __init__(
        self,
        tickets: dict[int, Kept],
        costs: Costs,
        done: list[tuple[float, int, CounterNow, float]],
        breaks: tuple[float, ...],
        last_order: int,
    ):
        self.tickets = TicketEstimates(tickets)
        self.costs = costs
        self.done = done  # (free at, tie-break, counter, variance): counters with nothing left
        self.breaks = breaks  # breaks no counter has taken yet
        self.last_order = last_order
        self.services = {  # for a ticket taken now
            service_id: Estimate(*_estimate_at(at, variance, costs.stretch[service_id]))
            for service_id in costs.stretch
            for at, variance in [
                min(((f[0], f[3]) for f in done if service_id in f[2].service_ids), key=first)
            ]
        }

    def then(self, ticket: Waiting) -> BranchEstimates:
        """The estimates once `ticket` joins the end of the queue (last in queue order).

        It is called when the first counter serving it runs dry, as the full play would say; the
        play then goes on from where it ended. (A full play could hand a break still to come to
        a different counter; the next full play, a second later or at the next other change,
        does.) The new estimates share this one's dict of tickets, adding the one that joined:
        copying it would cost a step per waiting ticket, and readers only look tickets up."""
        order = self.last_order + 1
        tickets = self.tickets.kept
        tickets[ticket.id] = NOT_SERVED
        done, breaks = _play(
            list(self.done),
            {ticket.service_id: deque([(order, ticket)])},
            deque(self.breaks),
            tickets,
            self.costs,
        )
        return BranchEstimates(tickets, self.costs, done, tuple(breaks), order)


def first(pair: tuple) -> float:
    return pair[0]


def close_enough(estimate_s: float, real_s: float) -> bool:
    """The measure of a good estimate: within 3 minutes or 25 % of the real wait."""
    return abs(estimate_s - real_s) <= max(180.0, 0.25 * real_s)


def time_left_s(counter: CounterNow, times: ServiceTimes) -> float:
    """Expected seconds until this counter can call its next ticket."""
    left = 0.0
    if counter.state == "paused":
        left = max(times.pause_s - counter.paused_s, MIN_PAUSE_LEFT_S)
    if counter.current_service_id is None:
        return left
    usual = times.service(counter.current_service_id, counter.id)
    if counter.started_s is not None:
        spread = times.spread.get(counter.current_service_id, DEFAULT_SPREAD)
        return left + expected_left_s(usual, spread, counter.started_s)
    walk = max(times.walk_up_s - (counter.called_s or 0.0), 0.0)
    return left + (1 - times.no_show_rate) * (walk + usual)


def expected_left_s(mean_s: float, spread: float, elapsed_s: float) -> float:
    """The expected rest of a service already `elapsed_s` long, service times being log-normal
    with this mean and relative spread: a customer kept longer than usual is likely a long case,
    so the rest does not shrink to nothing (E[X − t | X > t])."""
    if mean_s <= 0:
        return 0.0
    if elapsed_s <= 0 or spread <= 0:
        return max(mean_s - max(elapsed_s, 0.0), 0.0)
    sigma = math.sqrt(math.log(1 + spread**2))
    mu = math.log(mean_s) - sigma**2 / 2
    z = (mu - math.log(elapsed_s)) / sigma
    beyond = _normal_cdf(z)  # P(X > t)
    if beyond < 1e-9:
        return mean_s * MIN_LEFT_SHARE
    return mean_s * _normal_cdf(z + sigma) / beyond - elapsed_s


def _normal_cdf(z: float) -> float:
    """P(Z < z) for a standard normal Z."""
    return 0.5 * math.erfc(-z / math.sqrt(2))


def estimate_branch(
    counters: Iterable[CounterNow], waiting: Sequence[tuple[int, int]], times: ServiceTimes
) -> BranchEstimates:
    """Play the branch's queue forward once and say when each ticket will be called."""
    working = [c for c in counters if c.state != "closed" and c.service_ids]
    queues: dict[int, deque[tuple[int, tuple[int, int]]]] = {}
    for order, ticket in enumerate(waiting):
        queues.setdefault(ticket[1], deque()).append((order, ticket))
    free = []
    for n, counter in enumerate(working):
        left = time_left_s(counter, times)
        spread = times.spread.get(counter.current_service_id or 0, DEFAULT_SPREAD)
        free.append((left, n, counter, (spread * left) ** 2))
    tickets: dict[int, Kept] = dict.fromkeys((ticket_id for ticket_id, _ in waiting), NOT_SERVED)
    costs = Costs.of(working, times)
    done, breaks = _play(free, queues, deque(sorted(times.breaks_s)), tickets, costs)
    return BranchEstimates(tickets, costs, done, tuple(breaks), len(waiting) - 1)


class Costs(NamedTuple):
    """What the play needs of the counters and the service times, worked out once per full
    play and reused by each ticket joining after it."""

    stretch: dict[int, float]  # by service: how much the tickets jumping ahead stretch a wait
    calls: dict[tuple[int, int], tuple[float, float]]  # (counter, service): busy s, variance
    pause_s: float
    pause_variance: float

    @classmethod
    def of(cls, working: list[CounterNow], times: ServiceTimes) -> Costs:
        return cls(
            {s: _stretch(s, working, times) for c in working for s in c.service_ids},
            {(c.id, s): _busy(times, s, c.id) for c in working for s in c.service_ids},
            times.pause_s,
            (DEFAULT_SPREAD * times.pause_s) ** 2,
        )


def _play(
    free: list[tuple[float, int, CounterNow, float]],
    queues: dict[int, deque[tuple[int, tuple[int, int]]]],
    breaks: deque[float],
    tickets: dict[int, Kept],
    costs: Costs,
) -> tuple[list[tuple[float, int, CounterNow, float]], deque[float]]:
    """Each counter, in the order they come free, calls the first ticket in queue order of
    the services it serves, or takes a break that is due; `tickets` gets each call's estimate.
    Returns the counters once nothing is left for them, and the breaks nobody took."""
    heapq.heapify(free)  # (free at, tie-break, counter, variance so far)
    done = []
    while free:
        at, n, counter, variance = heapq.heappop(free)
        if breaks and at >= breaks[0]:  # the first counter free once a break is due takes it
            breaks.popleft()
            pause = (at + costs.pause_s, n, counter, variance + costs.pause_variance)
            heapq.heappush(free, pause)
            continue
        first_in_line = None  # the queue, of those the counter serves, whose head is first
        for service_id in counter.service_ids:
            queue = queues.get(service_id)
            if queue and (first_in_line is None or queue[0][0] < first_in_line[0][0]):
                first_in_line = queue
        if first_in_line is None:
            done.append((at, n, counter, variance))
            continue
        _, (ticket_id, service_id) = first_in_line.popleft()
        tickets[ticket_id] = _estimate_at(at, variance, costs.stretch[service_id])
        busy, busy_variance = costs.calls[counter.id, service_id]
        heapq.heappush(free, (at + busy, n, counter, variance + busy_variance))
    return done, breaks


def _busy(times: ServiceTimes, service_id: int, counter_id: int) -> tuple[float, float]:
    busy = times.per_call_s(service_id, counter_id)
    return busy, (times.spread.get(service_id, DEFAULT_SPREAD) * busy) ** 2


def _stretch(service_id: int, working: list[CounterNow], times: ServiceTimes) -> float:
    """How much the tickets expected to jump ahead (priority, transfers) stretch a wait."""
    serving = sum(1 for c in working if service_id in c.service_ids)
    load = times.jump_rate.get(service_id, 0.0) * times.service(service_id) / max(serving, 1)
    return 1 + min(load, MAX_JUMP_LOAD)


def _estimate_at(at: float, variance: float, stretch: float) -> Kept:
    """The call time `at`, stretched by the tickets that will jump ahead meanwhile."""
    eta = at * stretch
    spread = math.sqrt(variance)
    return (round(eta), round(max(eta - spread, 0)), round(eta + spread))


def log_normal_fit(durations_s: list[float]) -> tuple[float, float]:
    """Mean and relative spread of service times, fitted as log-normal.

    Service times are skewed: a few very long cases make a plain average jump about from one
    sample to the next, while the mean fitted on logarithms stays put with the same data."""
    logs = [math.log(max(d, 1.0)) for d in durations_s]
    mu = math.fsum(logs) / len(logs)
    variance = math.fsum((x - mu) ** 2 for x in logs) / len(logs)
    return math.exp(mu + variance / 2), math.sqrt(math.expm1(variance))


def breaks_ahead(
    pause_starts: Iterable[tuple[str, float]], today: str, now_s: float
) -> tuple[float, ...]:
    """Seconds from now to the breaks still to come today, from the day's pattern.

    `pause_starts`: recent pauses as (local day, seconds since local midnight they began).
    Breaks come at about the same time each day (lunch, a late-morning coffee); the one counter
    of a small store going on break stops its whole queue, so waiting for the pause to begin
    before counting it tells the customers already waiting a wait 20 minutes too short. The
    n-th break of a usual day is expected at the median time the n-th break began, once today's
    first n are taken; one overdue by more than half an hour is taken to be skipped."""
    days: dict[str, list[float]] = {}
    for day, start in pause_starts:
        days.setdefault(day, []).append(start)
    taken = len(days.pop(today, []))
    if len(days) < PATTERN_DAYS:
        return ()
    starts = [sorted(day) for day in days.values()]
    usual = math.floor(statistics.median(len(day) for day in starts))
    ahead = []
    for nth in range(taken, usual):
        due = statistics.median(day[nth] for day in starts if len(day) > nth) - now_s
        if due > -OVERDUE_S:
            ahead.append(max(due, 0.0))
    return tuple(ahead)


def learn_history(
    services: Iterable[tuple[int, int | None, float]],
    calls: Iterable[tuple[float | None, float | None]],
    pauses: Iterable[float],
) -> ServiceTimes:
    """What finished services, calls and pauses say, apart from the clock: the part that may
    be kept between changes that leave them as they were (most calls, every ticket issued).

    `services`: recent (service_id, counter_id, seconds) of finished services; `calls`: recent
    calls as (call → start seconds, or None; call → no-show seconds, or None); `pauses`: recent
    pause lengths.
    """
    per_service: dict[int, list[float]] = {}
    per_counter: dict[tuple[int, int], list[float]] = {}
    for service_id, counter_id, seconds in services:
        per_service.setdefault(service_id, []).append(seconds)
        if counter_id is not None:
            per_counter.setdefault((counter_id, service_id), []).append(seconds)
    walk_ups, no_shows = [], []
    for walk_up, no_show in calls:
        if walk_up is not None:
            walk_ups.append(walk_up)
        elif no_show is not None:
            no_shows.append(no_show)
    pauses = list(pauses)
    answered = len(walk_ups) + len(no_shows)
    fits = {s: log_normal_fit(d) for s, d in per_service.items()}
    return ServiceTimes(
        service_s={s: mean for s, (mean, _) in fits.items()},
        counter_service_s={
            key: log_normal_fit(d)[0] for key, d in per_counter.items() if len(d) >= COUNTER_SAMPLES
        },
        spread={s: spread for s, (_, spread) in fits.items() if len(per_service[s]) >= 2},
        walk_up_s=math.fsum(walk_ups) / len(walk_ups) if walk_ups else DEFAULT_WALK_UP_S,
        no_show_s=math.fsum(no_shows) / len(no_shows) if no_shows else DEFAULT_NO_SHOW_S,
        no_show_rate=len(no_shows) / answered if answered >= 10 else DEFAULT_NO_SHOW_RATE,
        pause_s=statistics.median(pauses) if pauses else DEFAULT_PAUSE_S,
    )
