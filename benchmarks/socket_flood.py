"""How long another client waits while one WebSocket floods the server with `subscribe` events.

One raw Engine.IO socket (the public phone page's, no token) sends `--events` subscribe events
in a single write; meanwhile a display asks `subscribe branch:<id>` and `GET /api/v1/services`
every 0.2 s. The same requests with no flood are the baseline, in the same run on the same
server; the ratio is printed. `--unguarded` also measures a server whose per-connection event
budget is lifted (SIRA_SOCKET_EVENT_BURST huge), which is how Sıra stood before issue 11.

    .venv/bin/python -m benchmarks.socket_flood [--events 50000] [--samples 15] [--unguarded]
"""

from __future__ import annotations

import threading
import time

import requests
import socketio

from benchmarks.harness import Bench, arguments, milliseconds, running_server
from tests.abuse.conftest import RawSocketIO

GIVE_UP_S = 60.0
UNGUARDED = {"SIRA_SOCKET_EVENT_BURST": str(10**9), "SIRA_SOCKET_EVENTS_PER_S": str(10**9)}


def round_trips(bench: Bench, display: socketio.Client, samples: int) -> list[float]:
    """Seconds for one subscribe acknowledgement plus one GET, `samples` times; stops at the
    first that takes longer than GIVE_UP_S (the server froze), counting it as that long."""
    taken = []
    http = requests.Session()
    for _ in range(samples):
        began = time.monotonic()
        try:
            display.call("subscribe", {"room": f"branch:{bench.branch_id}"}, timeout=GIVE_UP_S)
            http.get(f"{bench.url}/api/v1/services", timeout=GIVE_UP_S)
        except (socketio.exceptions.TimeoutError, requests.Timeout):
            print(f"  no answer within {GIVE_UP_S} s")
            return [*taken, GIVE_UP_S]
        taken.append(time.monotonic() - began)
        time.sleep(0.2)
    return taken


def measure(bench: Bench, events: int, samples: int) -> tuple[list[float], list[float]]:
    display = socketio.Client(reconnection=False)
    display.connect(bench.url, auth={"token": bench.display_token}, transports=["websocket"])
    try:
        quiet = round_trips(bench, display, samples)
        token = requests.post(
            f"{bench.url}/api/v1/tickets",
            json={"service_id": bench.service_ids[0]},
            headers={"Authorization": f"Bearer {bench.kiosk_token}"},
            timeout=30,
        ).json()["token"]
        attacker = RawSocketIO(bench.url)
        flood = threading.Thread(
            target=attacker.flood, args=("subscribe", {"room": f"ticket:{token}"}, events)
        )
        flood.start()
        time.sleep(0.2)
        flooded = round_trips(bench, display, samples)
        attacker.close()
        flood.join()
        return quiet, flooded
    finally:
        display.disconnect()


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--unguarded", action="store_true")
    options = parser.parse_args()
    variants = [("guarded", {})] + ([("unguarded", UNGUARDED)] if options.unguarded else [])
    for mode in options.modes:
        for label, env in variants:
            with running_server(mode, settings=env) as bench:
                quiet, flooded = measure(bench, options.events, options.samples)
            ratio = max(flooded) / max(quiet)
            print(f"{mode} {label}: no flood  {milliseconds(quiet)}")
            shown = milliseconds(flooded) if len(flooded) > 1 else f"max {flooded[0] * 1000:.0f} ms"
            print(f"{mode} {label}: flood     {shown}")
            print(f"{mode} {label}: slowest with flood / slowest without {ratio:.1f}")


if __name__ == "__main__":
    main()
