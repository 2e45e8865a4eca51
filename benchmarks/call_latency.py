"""From `call-next` to the `called` event at each of 200 Socket.IO clients, per async mode.

    .venv/bin/python -m benchmarks.call_latency [--clients 200] [--rounds 20]

Every client is a display in the branch room, connected over WebSocket. Each round issues a
ticket, calls it at a counter, waits until every client has heard it, then marks it no-show.
Arrivals are timed from the moment the call-next answer came back (as the issue asks) and from
the moment the request was sent (the whole way, which the first can undercut: the server
emits before it answers).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import socketio

from benchmarks.harness import Bench, arguments, cpu_seconds, milliseconds, running_server

CONNECTING_AT_ONCE = 20
WAIT_S = 30


class Arrivals:
    """When each client heard each ticket called."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.changed = threading.Condition()

    def heard(self, data: dict) -> None:
        now = time.perf_counter()
        with self.changed:
            self.times.setdefault(data["ticket"]["code"], []).append(now)
            self.changed.notify_all()

    def wait_all(self, code: str, count: int) -> list[float]:
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.times.get(code, [])) >= count, WAIT_S):
                raise RuntimeError(f"only {len(self.times.get(code, []))} of {count} heard {code}")
            return self.times[code]


def display(bench: Bench, arrivals: Arrivals) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.on("called", arrivals.heard)
    client.connect(bench.url, auth={"token": bench.display_token}, transports=["websocket"])
    if not client.call("subscribe", {"room": f"branch:{bench.branch_id}"}, timeout=WAIT_S)["ok"]:
        raise RuntimeError("the display could not join its branch room")
    return client


def measure(async_mode: str, clients: int, rounds: int) -> None:
    arrivals = Arrivals()
    after_answer: list[float] = []
    after_request: list[float] = []
    with running_server(async_mode) as bench:
        with ThreadPoolExecutor(CONNECTING_AT_ONCE) as pool:
            displays = list(pool.map(lambda _: display(bench, arrivals), range(clients)))
        staff = requests.Session()
        staff.headers["Authorization"] = f"Bearer {bench.staff_token}"
        api = f"{bench.url}/api/v1"
        cpu_before = cpu_seconds(bench.server_pid), time.process_time()
        try:
            for _ in range(rounds):
                issued = staff.post(f"{api}/tickets", json={"service_id": bench.service_ids[0]})
                ticket = issued.json()
                sent = time.perf_counter()
                called = staff.post(f"{api}/counters/{bench.counter_ids[0]}/call-next")
                answered = time.perf_counter()
                if called.status_code != 200 or called.json()["id"] != ticket["id"]:
                    raise RuntimeError(f"call-next: {called.status_code} {called.text}")
                heard = arrivals.wait_all(ticket["code"], clients)
                after_answer += [moment - answered for moment in heard]
                after_request += [moment - sent for moment in heard]
                staff.post(f"{api}/tickets/{ticket['id']}/no-show").raise_for_status()
            server_cpu = cpu_seconds(bench.server_pid) - cpu_before[0]
            clients_cpu = time.process_time() - cpu_before[1]
        finally:
            for client in displays:
                client.disconnect()
    print(
        f"{async_mode:<9} {clients} clients x {rounds} calls\n"
        f"  after call-next answered  {milliseconds(after_answer)}\n"
        f"  after call-next sent      {milliseconds(after_request)}\n"
        f"  CPU per round (issue, call, no-show): server {server_cpu / rounds * 1000:.1f} ms,"
        f" the {clients} clients {clients_cpu / rounds * 1000:.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    for async_mode in options.modes:
        measure(async_mode, options.clients, options.rounds)


if __name__ == "__main__":
    main()
