"""What the benchmarks share: a server of their own on loopback, over a fresh demo store."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from server.auth.accounts import create_token
from server.db import init_db
from server.demo import seed
from server.engine import QueueEngine
from server.storage import connect
from tests.live import UNLIMITED, LiveServer

ASYNC_MODES = ("gevent", "eventlet")
# What a benchmark can run: Sıra itself, or the bare Flask-SocketIO app it is compared with.
SERVERS = {"sira": ("-m", "server", "serve"), "bare": ("-m", "benchmarks.bare_app")}


@dataclass(frozen=True)
class Bench:
    """A running server and what a benchmark needs to drive it."""

    url: str
    branch_id: int
    service_ids: list[int]
    counter_ids: list[int]
    kiosk_token: str
    display_token: str
    staff_token: str
    server_pid: int


@contextmanager
def running_server(
    async_mode: str,
    server: str = "sira",
    stall_file: str | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[Bench]:
    """`sira serve` in `async_mode` over a demo store in a temporary folder, stopped afterwards;
    or the bare app (`server="bare"`, gevent only). With `stall_file`, the server runs under
    benchmarks/stall_probe.py, which writes its event loop's stalls there when it stops.
    `settings` adds SIRA_* variables for the server."""
    command = SERVERS[server]
    env = {"SIRA_ASYNC_MODE": async_mode, **UNLIMITED, **(settings or {})}
    if stall_file:
        command = ("-m", "benchmarks.stall_probe", *command[1:])
        env["BENCH_STALL_FILE"] = stall_file
    if server == "bare":
        with tempfile.TemporaryDirectory(prefix="sira-bare-") as folder:
            live = LiveServer(str(Path(folder) / "bare.db"), env=env, command=command).start()
            try:
                yield Bench(live.url, 1, [1, 2], [1], "bare", "bare", "bare", live.process.pid)
            finally:
                live.stop()
        return
    with tempfile.TemporaryDirectory(prefix="sira-bench-") as folder:
        path = str(Path(folder) / "bench.db")
        init_db(path)
        db = connect(path)
        # No printer on the kiosk: printing has its own benchmark (kiosk_print_latency).
        demo = seed(db, printer_uri=None)
        staff_token = create_token(db, "staff1")
        # A store at work: staff signed in at two of its three counters, so every change plays
        # the wait model over real counters (with none open, it has nothing to play).
        staff = db.execute("SELECT id FROM users WHERE role = 'staff' ORDER BY id").fetchall()
        for counter_id, (user_id,) in zip(demo.counter_ids, staff, strict=False):
            QueueEngine(db).open_counter(counter_id, user_id)
        service_ids = [row[0] for row in db.execute("SELECT id FROM services ORDER BY id")]
        db.conn.close()
        live = LiveServer(path, env=env, command=command).start()
        try:
            yield Bench(
                url=live.url,
                branch_id=demo.branch_id,
                service_ids=service_ids,
                counter_ids=demo.counter_ids,
                kiosk_token=demo.device_tokens["Entrance kiosk"],
                display_token=demo.device_tokens["Waiting-area board"],
                staff_token=staff_token,
                server_pid=live.process.pid,
            )
        finally:
            live.stop()


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: which async modes to measure."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=ASYNC_MODES,
        default=list(ASYNC_MODES),
        help="SIRA_ASYNC_MODE values to measure, one server each (default: all)",
    )
    return parser


def ratio(sira: float, bare: float) -> str:
    """Sıra's figure over the bare app's, as the benchmarks print it."""
    return f"{sira / bare:.2f}x the bare app" if bare else "n/a"


def timed_calls(
    call: Callable[[int], None], count: int, start: threading.Barrier, warm_up: int = 3
) -> list[float]:
    """`count` calls in a row once all clients reach `start`; the duration of each.

    A few calls first open connections and warm code paths so they do not count.
    """
    for number in range(warm_up):
        call(number)
    start.wait()
    durations = []
    for number in range(count):
        began = time.perf_counter()
        call(number)
        durations.append(time.perf_counter() - began)
    return durations


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from Linux's /proc."""
    return _stat_cpu(Path(f"/proc/{pid}/stat"))


def main_thread_cpu_seconds(pid: int) -> float:
    """CPU time of the process's main thread: under gevent, the event loop's."""
    return _stat_cpu(Path(f"/proc/{pid}/task/{pid}/stat"))


def _stat_cpu(stat: Path) -> float:
    fields = stat.read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile_99(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=100, method="inclusive")[98]


def milliseconds(seconds: list[float]) -> str:
    """p50, p99 and max of durations, in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    p50, p99, top = (value * 1000 for value in (cuts[49], cuts[98], max(seconds)))
    return f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {top:7.1f} ms"
