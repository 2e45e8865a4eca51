"""Joining from a phone against issuing at the kiosk, on the same server in the same run.

A phone's join runs the kiosk's issuing path plus the store's remote rules (one ticket per
phone, hours, caps: three counts inside the transaction) and signs a cookie. Both are driven
alike, interleaved in rounds so drift hits both, by N clients each; the ratio is join / kiosk.

.venv/bin/python -m benchmarks.join_rate [--clients 1 8] [--tickets 400] [--modes gevent]
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from benchmarks.harness import Bench, arguments, milliseconds, running_server, timed_calls

ROUNDS = 4  # kiosk and phone runs alternate this many times


def client(bench: Bench, phone: bool, count: int, start: threading.Barrier) -> list[float]:
    """`count` tickets in a row: as a kiosk (bearer token), or as a new phone each time."""
    session = requests.Session()
    if not phone:
        session.headers["Authorization"] = f"Bearer {bench.kiosk_token}"
    url = f"{bench.url}/api/v1/join/demo" if phone else f"{bench.url}/api/v1/tickets"

    def one(number: int) -> None:
        session.cookies.clear()  # a phone without a cookie is a new phone
        body = {"service_id": bench.service_ids[number % len(bench.service_ids)], "language": "en"}
        answer = session.post(url, json=body, timeout=60)
        if answer.status_code != 201:
            raise RuntimeError(f"{answer.status_code}: {answer.text}")

    return timed_calls(one, count, start)


def run(bench: Bench, phone: bool, clients: int, per_client: int) -> list[float]:
    with ThreadPoolExecutor(clients) as pool:
        start = threading.Barrier(clients)
        runs = [pool.submit(client, bench, phone, per_client, start) for _ in range(clients)]
        return [d for job in runs for d in job.result()]


def measure(async_mode: str, clients: int, tickets: int) -> None:
    per_client = max(1, tickets // clients // ROUNDS // 2)
    took = {False: [], True: []}
    with running_server(async_mode) as bench:
        for _ in range(ROUNDS):
            for phone in (False, True):
                took[phone] += run(bench, phone, clients, per_client)
    kiosk, join = (sorted(took[False]), sorted(took[True]))
    ratio = (sum(join) / len(join)) / (sum(kiosk) / len(kiosk))
    print(f"{async_mode:<9} {clients:>3} clients  kiosk POST /tickets   {milliseconds(kiosk)}")
    print(f"{'':<9} {'':>3}          phone POST /join/demo {milliseconds(join)}")
    print(f"{'':<9} {'':>3}          join / kiosk mean latency: {ratio:.2f}", flush=True)


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--tickets", type=int, default=400, help="per run, both kinds")
    options = parser.parse_args()
    for async_mode in options.modes:
        for clients in options.clients:
            measure(async_mode, clients, options.tickets)


if __name__ == "__main__":
    main()
