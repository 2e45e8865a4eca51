"""What the wait model costs on a busy branch, against the old formula in the same run.

A store with eight counters over four services, a day of history, and a queue of `--waiting`
tickets. Each round reads every waiting ticket's estimate the way a change does (the branch's
state, then each phone's ticket): once with the model (`QueueReads.estimates`, one pass for the
whole branch), once with the old formula (people ahead ÷ open counters × median service time:
three queries per service, the per-ticket arithmetic free). Prints milliseconds per change for
both and their ratio.

    .venv/bin/python -m benchmarks.eta_speed
    .venv/bin/python -m benchmarks.eta_speed --waiting 400 --rounds 50
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.eta_accuracy import SHAPES, Day, build, old_formula
from server.db import init_db
from server.demo import MovingClock
from server.engine import QueueEngine
from server.storage import connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    shape = SHAPES["eight"]
    with tempfile.TemporaryDirectory(prefix="sira-eta-speed-") as folder:
        path = str(Path(folder) / "speed.db")
        init_db(path)
        db = connect(path)
        store = build(db, shape, random.Random("speed-staff"))
        first = datetime(2026, 3, 2, tzinfo=UTC)
        Day(db, store, shape, random.Random("speed"), first, busy=False).run()
        clock = MovingClock(datetime(2026, 3, 3, 12, tzinfo=UTC))
        engine = QueueEngine(db, clock)
        for counter_id, user_id in zip(store.counters, store.users, strict=True):
            engine.open_counter(counter_id, user_id)
        rng = random.Random(1)
        for _ in range(args.waiting):
            engine.issue_ticket(rng.choice(store.services))
        reads = engine.reads
        branch_id = reads.service(store.services[0])["branch_id"]
        day = reads.today(branch_id)

        def model() -> int:
            db.execute("UPDATE branches SET seq = seq + 1")  # a change: nothing kept from before
            found = reads.estimates(branch_id, day)
            return len(found.tickets) + len(found.services)

        def formula() -> int:
            db.execute("UPDATE branches SET seq = seq + 1")
            # The old read: one figure per service (its queue length, counters and median
            # service time); each waiting ticket's was its position times the same figures.
            return sum(old_formula(engine, s) >= 0 for s in store.services)

        timings = {"model": [], "old formula": []}
        for _ in range(args.rounds):
            for name, run in (("model", model), ("old formula", formula)):
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)
        model_ms = statistics.median(timings["model"]) * 1000
        old_ms = statistics.median(timings["old formula"]) * 1000
        print(
            f"{args.waiting} waiting, 8 counters, 4 services; median of {args.rounds} changes:"
            f" model {model_ms:.1f} ms, old formula {old_ms:.1f} ms,"
            f" ratio {model_ms / old_ms:.2f}"
        )
        db.conn.close()


if __name__ == "__main__":
    main()
