"""The board's memory after many calls: it must stay flat for a board left running for days.

Measures the JS heap after a forced garbage collection (CDP Runtime.getHeapUsage) and the
number of DOM nodes, once loaded and then every --step calls, up to --calls.

    .venv/bin/python -m benchmarks.board_memory [--calls 1000] [--step 250]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.board_common import scene


def measure(board, cdp) -> tuple[float, int]:
    """Used JS heap in MB after a full collection, and the DOM's element count."""
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
    return used, board.evaluate("document.getElementsByTagName('*').length")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--step", type=int, default=250)
    options = parser.parse_args()
    with scene() as s:
        board = s.board()
        cdp = board.context.new_cdp_session(board)
        heap, nodes = measure(board, cdp)
        print(f"{0:>6} calls: heap {heap:6.2f} MB, {nodes} DOM elements")
        started = time.monotonic()
        for done in range(1, options.calls + 1):
            ticket = s.post("/tickets", s.store.kiosk_token, service_id=s.store.payments)
            s.post(f"/counters/{s.store.counter1}/call-next", s.store.staff_token)
            # Served, not no-showed: a no-show is withdrawn from the board, and the calls list
            # must fill up for its bound to be measured.
            s.post(f"/tickets/{ticket['id']}/start", s.store.staff_token)
            s.post(f"/tickets/{ticket['id']}/finish", s.store.staff_token)
            if done % options.step == 0:
                shown = board.locator("#latest-code").inner_text()
                heap, nodes = measure(board, cdp)
                print(
                    f"{done:>6} calls: heap {heap:6.2f} MB, {nodes} DOM elements,"
                    f" board shows {shown}, {time.monotonic() - started:.0f} s"
                )


if __name__ == "__main__":
    main()
