"""A healthy kiosk's tap to paper while other kiosks' printers are dead.

Runs a real `sira serve` (gevent) over a fresh store: one kiosk prints to the virtual printer,
`--dead` more kiosks print to printers that take the connection and never answer (each given a
new ticket with every tap, so their lanes are busy all along). Prints p50 / p99 / max of the
healthy kiosk's latency with no dead printers (the baseline, same stack, same run) and with
them, and the ratio. With one lane per printer the ratio stays near 1.

    .venv/bin/python benchmarks/print_lanes.py --taps 40 --dead 4
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.kiosk_print_latency import percentile  # noqa: E402
from kiosk.emulator.server import PrinterEmulator  # noqa: E402
from server.auth.accounts import add_device  # noqa: E402
from server.storage import connect  # noqa: E402
from tests.conftest import bearer, build_store  # noqa: E402
from tests.live import UNLIMITED, LiveServer  # noqa: E402


def kiosk(db_path: str, branch_id: int, printer: PrinterEmulator, name: str) -> str:
    db = connect(db_path)
    try:
        uri = f"tcp://127.0.0.1:{printer.port}"
        return add_device(db, "kiosk", name, branch_id, printer_uri=uri)[1]
    finally:
        db.conn.close()


def run(taps: int, dead_count: int) -> list[float]:
    """The healthy kiosk's latencies (seconds) with `dead_count` dead printers beside it."""
    folder = Path(tempfile.mkdtemp(prefix="sira-bench-"))
    db_path = str(folder / "bench.db")
    store = build_store(db_path)
    healthy = PrinterEmulator(port=0, png=False).start()
    dead = [PrinterEmulator(port=0, png=False).start() for _ in range(dead_count)]
    for printer in dead:
        printer.state.fault = "silent"
    healthy_token = kiosk(db_path, store.branch_id, healthy, "Healthy")
    dead_tokens = [kiosk(db_path, store.branch_id, p, f"Dead {n}") for n, p in enumerate(dead)]
    server = LiveServer(db_path, env=UNLIMITED).start()
    session = requests.Session()

    def tap(token: str, key: str) -> dict:
        response = session.post(
            f"{server.url}/api/v1/tickets",
            json={"service_id": store.payments, "language": "tr"},
            headers={**bearer(token), "Idempotency-Key": key},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    latencies = []
    try:
        for n in range(taps):
            for m, token in enumerate(dead_tokens):
                tap(token, f"dead-{m}-{n}")
            started = time.monotonic()
            code = tap(healthy_token, f"healthy-{n}")["code"]
            received = healthy.wait_for(n + 1, timeout=60)[n]
            assert received.ticket.code == code
            latencies.append(received.received_at - started)
    finally:
        server.stop()
        for printer in [healthy, *dead]:
            printer.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=40)
    parser.add_argument("--dead", type=int, default=4)
    options = parser.parse_args()
    print(f"{'dead printers':<14} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    results = {}
    for dead in (0, options.dead):
        latencies = run(options.taps, dead)
        results[dead] = percentile(latencies, 0.5)
        print(
            f"{dead:<14} {1000 * results[dead]:8.1f} {1000 * percentile(latencies, 0.99):8.1f}"
            f" {1000 * max(latencies):8.1f}"
        )
    print(f"p50 ratio (dead / none): {results[options.dead] / results[0]:.2f}")


if __name__ == "__main__":
    main()
