"""What "is there a move to undo?" costs the workstation's state read, on a long history.

Every read of a counter's state (each event at the counter or in its branch) looks up the
counter's latest ticket event. Builds ten counters' worth of ticket events, then times that
lookup for a counter that has served nobody lately (the worst case), with the index of
migration 0101 and, on a copy, without it; the baseline is a primary-key read of the counter
in the same database. Prints each and the ratios.
    .venv/bin/python -m benchmarks.undo_lookup [--events 300000] [--reads 200]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.history import START, history_store
from server.engine import QueueReads
from server.storage import connect

COUNTERS = 10


def build(path: str, events: int) -> None:
    tickets = events // 4
    with history_store(path, tickets, COUNTERS + 1) as db:  # the last counter: idle
        db.conn.executemany(
            "INSERT INTO ticket_events (ticket_id, at, kind, counter_id) VALUES (?, ?, ?, ?)",
            ((i % tickets + 1, (START + timedelta(seconds=i * 7)).isoformat(),
              ("called", "started", "finished")[i % 3], i % COUNTERS + 1)
             for i in range(events)),
        )  # fmt: skip


def per_read_ms(path: str, reads: int, read) -> float:
    db = connect(path)
    queue_reads = QueueReads(db)
    read(queue_reads)  # warm the page cache
    began = time.perf_counter()
    for _ in range(reads):
        read(queue_reads)
    elapsed = (time.perf_counter() - began) * 1000 / reads
    db.conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sira-undo-"))
    try:
        indexed, bare = str(folder / "indexed.db"), str(folder / "bare.db")
        build(indexed, args.events)
        shutil.copyfile(indexed, bare)
        plain = connect(bare)
        plain.execute("DROP INDEX ticket_events_counter")
        plain.conn.commit()
        plain.conn.close()
        idle = COUNTERS + 1
        baseline = per_read_ms(indexed, args.reads, lambda r: r.counter(idle))
        with_index = per_read_ms(indexed, args.reads, lambda r: r.undoable(idle))
        without = per_read_ms(bare, args.reads, lambda r: r.undoable(idle))
        print(f"{args.events} ticket events, {args.reads} reads each, idle counter")
        print(f"baseline (counter by primary key): {baseline:.3f} ms")
        print(
            f"undo lookup, index 0101:           {with_index:.3f} ms ({with_index / baseline:.1f}×)"
        )
        print(f"undo lookup, no index:             {without:.3f} ms ({without / baseline:.1f}×)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
