"""A demo store a newcomer can click through: services, counters, staff, devices, history."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from server.auth.accounts import add_device, add_user
from server.auth.passwords import new_secret
from server.engine import QueueEngine
from server.engine.clock import utc_now
from server.joining import set_remote_joining
from server.store import add_branch, add_counter, add_service

SERVICES = [
    ("A", "Payments", {"tr": "Ödemeler", "ms": "Pembayaran"}, 600),
    (
        "B",
        "Returns and exchanges",
        {"tr": "İade ve değişim", "ms": "Pemulangan dan pertukaran"},
        900,
    ),
    ("C", "Customer service", {"tr": "Müşteri hizmetleri", "ms": "Khidmat pelanggan"}, 1200),
]
COUNTERS = [("Counter 1", "AB"), ("Counter 2", "AC"), ("Counter 3", "BC")]
USERS = [
    ("admin", "admin", "Ayşe Admin"),
    ("manager", "manager", "Mehmet Manager"),
    ("staff1", "staff", "Siti Staff"),
    ("staff2", "staff", "Şükrü Staff"),
]


@dataclass
class DemoStore:
    branch_id: int
    logins: dict[str, str] = field(default_factory=dict)  # username → password
    device_tokens: dict[str, str] = field(default_factory=dict)  # device name → token
    counter_ids: list[int] = field(default_factory=list)


def seed(
    db: sqlite_utils.Database, printer_uri: str = "emulator", history_days: int = 0
) -> DemoStore:
    """Fill an empty, migrated database with the demo store; passwords are random each time."""
    branch_id = add_branch(
        db, "Sıra Demo Store", "demo", timezone="Europe/Istanbul", day_starts_at="04:00"
    )
    store = DemoStore(branch_id)
    prefixes = {
        prefix: add_service(db, branch_id, prefix, name, names, target)
        for prefix, name, names, target in SERVICES
    }
    for name, served in COUNTERS:
        store.counter_ids.append(add_counter(db, branch_id, name, [prefixes[p] for p in served]))
    for username, role, display_name in USERS:
        password = new_secret()
        add_user(db, username, role, password, display_name)
        store.logins[username] = password
    for kind, name, counter_id, printer in [
        ("kiosk", "Entrance kiosk", None, printer_uri),
        ("display", "Waiting-area board", None, None),
        ("feedback", "Counter 1 feedback", store.counter_ids[0], None),
    ]:
        _, token = add_device(db, kind, name, branch_id, counter_id, printer)
        store.device_tokens[name] = token
    # Phones may join from the door poster's QR code (/join/demo) all day.
    set_remote_joining(db, "branch", branch_id, {"enabled": True, "closes_before_min": 30})
    if history_days:
        generate_history(db, history_days)
    return store


class MovingClock:
    """A clock the history generator moves forward by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


def generate_history(db: sqlite_utils.Database, days: int, seed_value: int = 42) -> int:
    """Past days of tickets, served by the real engine on a moving clock; returns the count."""
    rng = random.Random(seed_value)
    counters_for: dict[int, list[int]] = {}
    for service_id, counter_id in db.execute(
        "SELECT service_id, counter_id FROM counter_services ORDER BY counter_id"
    ).fetchall():
        counters_for.setdefault(service_id, []).append(counter_id)
    opening = utc_now().replace(hour=6, minute=0, second=0, microsecond=0)
    issued = 0
    for day in range(days, 0, -1):
        clock = MovingClock(opening - timedelta(days=day))
        engine = QueueEngine(db, clock)
        for _ in range(rng.randint(30, 60)):
            clock.advance(rng.randint(60, 600))
            service_id = rng.choice(list(counters_for))
            engine.issue_ticket(
                service_id,
                language=rng.choice(["en", "tr", "ms"]),
                channel="phone" if issued % 5 == 0 else "kiosk",  # every fifth from a phone
            )
            issued += 1
            clock.advance(rng.randint(0, 300))
            ticket_id = engine.call_next(rng.choice(counters_for[service_id])).ticket["id"]
            if rng.random() < 0.07:
                engine.no_show(ticket_id)
                continue
            engine.start(ticket_id)
            clock.advance(rng.randint(90, 600))
            finished = engine.finish(ticket_id)
            if rng.random() < 0.6:
                score = rng.choices(range(1, 6), [1, 1, 2, 5, 8])[0]
                engine.rate(
                    finished.ticket["token"], score, None, rng.choice(["feedback", "phone"])
                )
    return issued
