"""Kiosk tap to paper: time from the ticket request to the last byte at the virtual printer.

Runs a real `sira serve` (gevent, with its print worker) over a fresh store and the emulator on
a loopback TCP port, taps N times one after another, and prints p50 / p99 latency and the bytes
of each ticket, for each paper width and profile asked for.

    .venv/bin/python benchmarks/kiosk_print_latency.py --taps 200
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.emulator.server import PrinterEmulator  # noqa: E402
from tests.conftest import bearer, build_store  # noqa: E402
from tests.kiosk.fixtures import set_kiosk_printer  # noqa: E402
from tests.live import UNLIMITED, LiveServer  # noqa: E402

SETUPS = [("default", 80), ("default", 58), ("POS-5890", 58)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(profile: str, paper_mm: int, taps: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="sira-bench-"))
    db_path = str(folder / "bench.db")
    store = build_store(db_path)
    emulator = PrinterEmulator(port=0, profile=profile, paper_width_mm=paper_mm, png=False)
    emulator.start()
    set_kiosk_printer(
        db_path,
        f"tcp://127.0.0.1:{emulator.port}",
        printer_profile=profile,
        paper_width_mm=paper_mm,
    )
    server = LiveServer(db_path, env=UNLIMITED).start()
    latencies, sizes = [], []
    try:
        session = requests.Session()
        headers = bearer(store.kiosk_token)
        for tap in range(taps):
            started = time.monotonic()
            response = session.post(
                f"{server.url}/api/v1/tickets",
                json={
                    "service_id": store.payments if tap % 2 else store.returns,
                    "language": ("en", "tr", "ms")[tap % 3],
                },
                headers={**headers, "Idempotency-Key": f"bench-{tap}"},
                timeout=10,
            )
            response.raise_for_status()
            received = emulator.wait_for(tap + 1)[tap]
            assert received.ticket.code == response.json()["code"]
            latencies.append(received.received_at - started)
            sizes.append(received.ticket.size_bytes)
    finally:
        server.stop()
        emulator.stop()
    return {
        "setup": f"{profile} {paper_mm} mm",
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "max_ms": 1000 * max(latencies),
        "bytes_mean": statistics.mean(sizes),
        "bytes_min": min(sizes),
        "bytes_max": max(sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=200)
    taps = parser.parse_args().taps
    print(f"{'setup':<18} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'bytes':>8} (min–max)")
    for profile, paper_mm in SETUPS:
        r = run(profile, paper_mm, taps)
        print(
            f"{r['setup']:<18} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['max_ms']:8.1f}"
            f" {r['bytes_mean']:8.0f} ({r['bytes_min']}–{r['bytes_max']})"
        )


if __name__ == "__main__":
    main()
