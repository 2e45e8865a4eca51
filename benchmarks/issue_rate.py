"""Tickets issued per second over HTTP by N concurrent kiosk clients, per async mode, and by
the bare Flask-SocketIO app (benchmarks/bare_app.py) in the same run, with the ratio.

.venv/bin/python -m benchmarks.issue_rate [--clients 1 8 32] [--tickets 600]
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from benchmarks.harness import (
    Bench,
    arguments,
    cpu_seconds,
    main_thread_cpu_seconds,
    milliseconds,
    ratio,
    running_server,
    timed_calls,
)


def kiosk(bench: Bench, count: int, start: threading.Barrier, offset: int) -> list[float]:
    """One client with its own session: `count` tickets in a row; the duration of each."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bench.kiosk_token}"
    services = bench.service_ids

    def issue(number: int) -> None:
        body = {"service_id": services[(offset + number) % len(services)]}
        answer = session.post(f"{bench.url}/api/v1/tickets", json=body, timeout=60)
        if answer.status_code != 201:
            raise RuntimeError(f"{answer.status_code}: {answer.text}")

    return timed_calls(issue, count, start)


def measure(async_mode: str, clients: int, tickets: int, server: str = "sira") -> float:
    """Tickets per second; prints them with latencies and the server's CPU per ticket."""
    per_client = max(1, tickets // clients)
    with running_server(async_mode, server) as bench, ThreadPoolExecutor(clients) as pool:
        start = threading.Barrier(clients + 1)
        runs = [pool.submit(kiosk, bench, per_client, start, n) for n in range(clients)]
        start.wait()
        began = time.perf_counter()
        cpu_before = cpu_seconds(bench.server_pid), main_thread_cpu_seconds(bench.server_pid)
        durations = [d for run in runs for d in run.result()]
        elapsed = time.perf_counter() - began
        server_cpu = cpu_seconds(bench.server_pid) - cpu_before[0]
        loop_cpu = main_thread_cpu_seconds(bench.server_pid) - cpu_before[1]
    rate = len(durations) / elapsed
    name = async_mode if server == "sira" else "bare app"
    per_ticket = 1000 / len(durations)
    others = server_cpu - loop_cpu
    print(
        f"{name:<9} {clients:>3} clients  {len(durations):>5} tickets  "
        f"{rate:7.1f} tickets/s  {milliseconds(durations)}  "
        f"server CPU {server_cpu * per_ticket:.1f} ms/ticket"
        f" (main thread {loop_cpu * per_ticket:.1f}, others {others * per_ticket:.1f})",
        flush=True,
    )
    return rate


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--tickets", type=int, default=600, help="per run (default: 600)")
    options = parser.parse_args()
    for clients in options.clients:
        bare = measure("gevent", clients, options.tickets, "bare")
        for async_mode in options.modes:
            rate = measure(async_mode, clients, options.tickets)
            print(f"  {async_mode}, {clients} clients: {ratio(rate, bare)}", flush=True)


if __name__ == "__main__":
    main()
