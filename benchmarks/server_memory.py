"""The server's memory with 500 displays connected, and after 1,000 calls: it must stay flat for
a server left running for weeks. Sıra and the bare Flask-SocketIO app (benchmarks/bare_app.py)
in the same run, with the ratio.

    .venv/bin/python -m benchmarks.server_memory [--clients 500] [--rounds 1000]

Every display is a wire client in the branch room (benchmarks/call_latency.py); each round
issues a ticket, calls it, waits until every display has heard the call, and marks it no-show.
The resident set size is read from /proc once the displays are in, after the first tenth of the
rounds (the server warmed up), and at the end.
"""

from __future__ import annotations

from pathlib import Path

import requests

from benchmarks.call_latency import Arrivals, wire_displays
from benchmarks.harness import arguments, ratio, running_server


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def measure(server: str, clients: int, rounds: int) -> float:
    """The RSS in MB at the end; prints it with the figures before."""
    arrivals = Arrivals()
    with running_server("gevent", server) as bench:
        disconnect = wire_displays(bench, clients, arrivals)
        staff = requests.Session()
        staff.headers["Authorization"] = f"Bearer {bench.staff_token}"
        api = f"{bench.url}/api/v1"
        connected = resident_mb(bench.server_pid)
        try:
            for done in range(rounds):
                if done == rounds // 10:
                    warm = resident_mb(bench.server_pid)
                ticket = staff.post(f"{api}/tickets", json={"service_id": bench.service_ids[0]})
                ticket.raise_for_status()
                code, ticket_id = ticket.json()["code"], ticket.json()["id"]
                staff.post(f"{api}/counters/{bench.counter_ids[0]}/call-next").raise_for_status()
                arrivals.wait_all(code, clients)
                staff.post(f"{api}/tickets/{ticket_id}/no-show").raise_for_status()
            end = resident_mb(bench.server_pid)
        finally:
            disconnect()
    name = "Sıra" if server == "sira" else "bare app"
    print(
        f"{name:<9} {clients} displays: RSS {connected:.1f} MB connected,"
        f" {warm:.1f} MB after {rounds // 10} calls, {end:.1f} MB after {rounds}"
        f" ({end - warm:+.1f} MB over the last {rounds - rounds // 10})",
        flush=True,
    )
    return end


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1000)
    options = parser.parse_args()
    bare = measure("bare", options.clients, options.rounds)
    sira = measure("sira", options.clients, options.rounds)
    print(f"  RSS at the end: {ratio(sira, bare)}", flush=True)


if __name__ == "__main__":
    main()
