"""The event loop's longest stall while 2,000 tickets are issued and called with 200 displays
listening, for Sıra and for the bare Flask-SocketIO app (benchmarks/bare_app.py) in the same run.

    .venv/bin/python -m benchmarks.loop_stall [--tickets 2000] [--displays 200] [--clients 8]

Each server runs under benchmarks/stall_probe.py: a greenlet that asks to sleep 5 ms, over and
over, and notes how late it wakes. Anything that blocks the gevent hub (an fsync, a checkpoint,
a query) makes it late; the longest lateness is the longest moment every client of the process
waited. Meanwhile kiosk clients issue the tickets over keep-alive connections, one staff client
calls them and marks them no-show, and every call is fanned out to the displays.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from benchmarks.call_latency import Arrivals, wire_displays
from benchmarks.harness import Bench, milliseconds, ratio, running_server
from benchmarks.issue_rate import kiosk


def caller(bench: Bench, stop: threading.Event) -> list[float]:
    """Call the next ticket and mark it no-show until told to stop; returns how long each
    call-next that called someone took to answer."""
    staff = requests.Session()
    staff.headers["Authorization"] = f"Bearer {bench.staff_token}"
    api = f"{bench.url}/api/v1"
    answered = []
    while not stop.is_set():
        sent = time.perf_counter()
        called = staff.post(f"{api}/counters/{bench.counter_ids[0]}/call-next", timeout=60)
        if called.status_code == 204:
            time.sleep(0.01)
            continue
        answered.append(time.perf_counter() - sent)
        called.raise_for_status()
        staff.post(f"{api}/tickets/{called.json()['id']}/no-show", timeout=60).raise_for_status()
    return answered


def measure(server: str, tickets: int, displays: int, clients: int) -> float:
    """The longest stall in milliseconds; prints it with the p99 and the work done."""
    with tempfile.TemporaryDirectory(prefix="sira-stall-") as folder:
        stall_file = str(Path(folder) / "stalls.json")
        with running_server("gevent", server, stall_file) as bench:
            disconnect = wire_displays(bench, displays, Arrivals())
            try:
                stop = threading.Event()
                start = threading.Barrier(clients + 1)
                with ThreadPoolExecutor(clients + 1) as pool:
                    calls = pool.submit(caller, bench, stop)
                    runs = [
                        pool.submit(kiosk, bench, tickets // clients, start, n)
                        for n in range(clients)
                    ]
                    start.wait()
                    os.kill(bench.server_pid, signal.SIGUSR1)  # the measured window starts
                    began = time.perf_counter()
                    issued = sum(len(run.result()) for run in runs)
                    elapsed = time.perf_counter() - began
                    stop.set()
                    answered = calls.result()
            finally:
                disconnect()
        stalls = json.loads(Path(stall_file).read_text())
    name = "Sıra" if server == "sira" else "bare app"
    print(
        f"{name:<9} {issued} tickets ({issued / elapsed:.0f}/s), {len(answered)} called"
        f" (call-next answered in {milliseconds(answered)}),"
        f" {displays} displays: longest stall {stalls['max_ms']:.1f} ms"
        f" (the loop's own CPU in it {stalls['max_cpu_ms']:.1f} ms),"
        f" p99 {stalls['p99_ms']:.2f} ms over {stalls['wakeups']} wake-ups",
        flush=True,
    )
    return stalls["max_ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--displays", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    bare = measure("bare", options.tickets, options.displays, options.clients)
    sira = measure("sira", options.tickets, options.displays, options.clients)
    print(f"  longest stall: {ratio(sira, bare)}", flush=True)


if __name__ == "__main__":
    main()
