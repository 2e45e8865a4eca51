"""Time from a staff member's click on "Call next" to the board showing the called code.

Both pages run in one Chromium; each stamps performance.timeOrigin + performance.now(), the same
wall clock, so the difference is the whole path: click, HTTP, engine, commit, Socket.IO, DOM.

    .venv/bin/python -m benchmarks.board_latency [--calls 200]
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks.board_common import scene

# On the board: note when #latest-code shows the awaited code (kept as a promise to await later).
WATCH = """code => { window.benchShown = new Promise(resolve => {
  const target = document.getElementById("latest-code");
  const seen = () => target.textContent === code;
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); resolve(performance.timeOrigin + performance.now()); }
  });
  observer.observe(target, { childList: true, characterData: true, subtree: true });
}); }"""

# On the workstation: the moment of the click.
CLICK = """() => {
  const at = performance.timeOrigin + performance.now();
  document.getElementById("action-call-next").click();
  return at;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    with scene() as s:
        board = s.board()
        staff = s.staff(s.store.counter1)
        latencies = []
        for _ in range(calls):
            ticket = s.post("/tickets", s.store.kiosk_token, service_id=s.store.payments)
            staff.wait_for_selector("#action-call-next:not([disabled])")
            board.evaluate(WATCH, ticket["code"])
            clicked = staff.evaluate(CLICK)
            latencies.append(board.evaluate("window.benchShown") - clicked)
            s.post(f"/tickets/{ticket['id']}/no-show", s.store.staff_token)
        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
        print(f"click → board DOM over {calls} calls: p50 {p50:.1f} ms, p99 {p99:.1f} ms,")
        print(f"  min {latencies[0]:.1f} ms, max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
