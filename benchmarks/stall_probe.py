"""Run a server with a greenlet that notes how late the event loop wakes it, every 5 ms.

    python -m benchmarks.stall_probe MODULE [ARGS…]     (BENCH_STALL_FILE: where to write)

Anything that blocks the gevent hub (SQLite, an fsync, a checkpoint, a long computation in a
request) delays every greenlet, this one too: its lateness beyond the 5 ms it asked for is the
stall every client of the process felt. SIGUSR1 forgets what came before (the start-up), and
SIGTERM writes the longest stall, the p99 and the number of wake-ups as JSON to BENCH_STALL_FILE
and exits. With the longest stall comes the CPU the event loop's thread spent in it: for the
rest of it, the thread waited (for the GIL, which another thread held, or for a core).
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402

TICK_S = 0.005
late_ms: list[tuple[float, float]] = []  # each wake-up's lateness, and the thread's CPU meanwhile


def probe() -> None:
    while True:
        asked, cpu = time.perf_counter(), time.thread_time()
        gevent.sleep(TICK_S)
        late = (time.perf_counter() - asked - TICK_S) * 1000
        late_ms.append((late, (time.thread_time() - cpu) * 1000))


def report() -> None:
    ordered = sorted(late_ms)
    summary = {
        "wakeups": len(ordered),
        "max_ms": ordered[-1][0] if ordered else None,
        "max_cpu_ms": ordered[-1][1] if ordered else None,
        "p99_ms": ordered[int(len(ordered) * 0.99)][0] if ordered else None,
    }
    with open(os.environ["BENCH_STALL_FILE"], "w") as out:
        json.dump(summary, out)
    os._exit(0)


def main() -> None:
    module, *arguments = sys.argv[1:]
    gevent.signal_handler(signal.SIGUSR1, late_ms.clear)
    gevent.signal_handler(signal.SIGTERM, report)
    gevent.spawn(probe)
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
