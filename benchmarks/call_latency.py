"""From `call-next` to the `called` event at each of 200 Socket.IO clients, per async mode,
and the same for the bare Flask-SocketIO app (benchmarks/bare_app.py) in the same run, with the
ratio of the p99s.

    .venv/bin/python -m benchmarks.call_latency [--clients 200] [--rounds 20]
                                                [--client wire|python-socketio]

Every client is a display in the branch room, connected over WebSocket. Each round issues a
ticket, calls it at a counter, waits until every client has heard it, then marks it no-show.
Arrivals are timed from the moment the call-next answer came back (as the issue asks) and from
the moment the request was sent (the whole way, which the first can undercut: the server
emits before it answers).

Two kinds of client: `wire` (default) speaks Socket.IO's wire protocol for all displays from
one thread, so the figures are the server's; `python-socketio` runs a real `socketio.Client`
per display, 200 of them in threads of one process, whose own CPU then dominates the figures.
"""

from __future__ import annotations

import json
import selectors
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
import socketio
import websocket

from benchmarks.harness import (
    Bench,
    arguments,
    cpu_seconds,
    milliseconds,
    percentile_99,
    ratio,
    running_server,
)

CONNECTING_AT_ONCE = 20
WAIT_S = 30


class Arrivals:
    """When each client heard each ticket called."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.changed = threading.Condition()
        self.events: Counter[str] = Counter()  # what the displays received, by event (wire only)

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


def python_socketio_displays(bench: Bench, count: int, arrivals: Arrivals) -> Callable[[], None]:
    """`count` real socketio.Client displays; returns what disconnects them."""

    def display(_: int) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.on("called", arrivals.heard)
        client.connect(bench.url, auth={"token": bench.display_token}, transports=["websocket"])
        ack = client.call("subscribe", {"room": f"branch:{bench.branch_id}"}, timeout=WAIT_S)
        if not ack["ok"]:
            raise RuntimeError(f"the display could not join its branch room: {ack}")
        return client

    with ThreadPoolExecutor(CONNECTING_AT_ONCE) as pool:
        clients = list(pool.map(display, range(count)))
    return lambda: [client.disconnect() for client in clients]


def wire_displays(bench: Bench, count: int, arrivals: Arrivals) -> Callable[[], None]:
    """`count` displays speaking Engine.IO 4 / Socket.IO 5 packets, all read by one thread."""
    address = bench.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    connections = []
    for _ in range(count):
        connection = websocket.create_connection(address, timeout=WAIT_S, skip_utf8_validation=True)
        expect(connection.recv(), "0")  # Engine.IO open
        connection.send("40" + json.dumps({"token": bench.display_token}))
        expect(connection.recv(), "40")  # Socket.IO connected
        connection.send("421" + json.dumps(["subscribe", {"room": f"branch:{bench.branch_id}"}]))
        ack = json.loads(expect(connection.recv(), "431")[3:])[0]
        if not ack["ok"]:
            raise RuntimeError(f"the display could not join its branch room: {ack}")
        connections.append(connection)
    stopping = threading.Event()

    def read() -> None:
        with selectors.DefaultSelector() as selector:
            for connection in connections:
                selector.register(connection.sock, selectors.EVENT_READ, connection)
            while not stopping.is_set():
                for key, _ in selector.select(timeout=0.2):
                    message = key.data.recv()
                    if message == "2":  # Engine.IO ping
                        key.data.send("3")
                    elif message.startswith('42["'):
                        arrivals.events[message[4 : message.index('"', 4)]] += 1
                        if message.startswith('42["called"'):
                            arrivals.heard(json.loads(message[2:])[1])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def close() -> None:
        stopping.set()
        reader.join()
        for connection in connections:
            connection.close()

    return close


def expect(message: str, prefix: str) -> str:
    if not message.startswith(prefix):
        raise RuntimeError(f"expected a {prefix} packet, got {message[:200]}")
    return message


CLIENTS = {"wire": wire_displays, "python-socketio": python_socketio_displays}


def measure(
    async_mode: str, client_kind: str, clients: int, rounds: int, server: str = "sira"
) -> tuple[float, float]:
    """The p99s of the last display's delay after the call-next answer and after its request;
    prints the figures. Sıra emits `called` before it answers, so the first can be negative: the
    second is the whole way from the counter's click."""
    arrivals = Arrivals()
    after_answer: list[float] = []
    after_request: list[float] = []
    last_after_answer: list[float] = []
    last_after_request: list[float] = []
    with running_server(async_mode, server) as bench:
        disconnect = CLIENTS[client_kind](bench, clients, arrivals)
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
                last_after_answer.append(max(heard) - answered)
                last_after_request.append(max(heard) - sent)
                after_request += [moment - sent for moment in heard]
                staff.post(f"{api}/tickets/{ticket['id']}/no-show").raise_for_status()
            server_cpu = cpu_seconds(bench.server_pid) - cpu_before[0]
            clients_cpu = time.process_time() - cpu_before[1]
        finally:
            disconnect()
    name = async_mode if server == "sira" else "bare app"
    print(
        f"{name:<9} {clients} {client_kind} clients x {rounds} calls\n"
        f"  after call-next answered  {milliseconds(after_answer)}\n"
        f"  last display, after answer {milliseconds(last_after_answer)}\n"
        f"  after call-next sent      {milliseconds(after_request)}\n"
        f"  last display, after sent  {milliseconds(last_after_request)}\n"
        f"  CPU per round (issue, call, no-show): server {server_cpu / rounds * 1000:.1f} ms,"
        f" this process {clients_cpu / rounds * 1000:.1f} ms",
        flush=True,
    )
    if arrivals.events:
        per_round = ", ".join(
            f"{name} {count / clients / rounds:.2f}"
            for name, count in arrivals.events.most_common()
        )
        print(f"  events per display per round: {per_round}", flush=True)
    return percentile_99(last_after_answer), percentile_99(last_after_request)


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--client", choices=sorted(CLIENTS), default="wire")
    options = parser.parse_args()
    bare = measure("gevent", options.client, options.clients, options.rounds, "bare")
    for async_mode in options.modes:
        answered, sent = measure(async_mode, options.client, options.clients, options.rounds)
        print(
            f"  {async_mode}: last display p99 after the answer {ratio(answered, bare[0])},"
            f" after the request {ratio(sent, bare[1])}",
            flush=True,
        )


if __name__ == "__main__":
    main()
