"""Long reads run on the event loop's thread pool: the loop keeps turning while they block."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from server.storage.handoff import off_the_loop

ROOT = Path(__file__).resolve().parent.parent.parent

GEVENT_PROBE = """
from gevent import monkey
monkey.patch_all()
import threading, time, gevent
from server.storage.handoff import off_the_loop

real_sleep = monkey.get_original("time", "sleep")
native_id = monkey.get_original("threading", "get_native_id")
ticks = []

def ticker():
    while True:
        ticks.append(time.monotonic())
        gevent.sleep(0.005)

def long_read():
    real_sleep(0.3)  # as a year of statistics would hold its thread
    # A long read inside it (the wait model's play in a phone's queue) stays on this worker.
    assert off_the_loop(native_id) == native_id()
    return native_id()

gevent.spawn(ticker)
gevent.sleep(0.02)
before = len(ticks)
reader = gevent.spawn(off_the_loop, long_read).get()
print(len(ticks) - before, int(reader != native_id()))
"""


def test_under_gevent_a_long_read_blocks_a_pool_thread_not_the_event_loop():
    probe = subprocess.run(
        [sys.executable, "-c", GEVENT_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert probe.returncode == 0, probe.stderr
    ticks, other_thread = map(int, probe.stdout.split())
    assert other_thread == 1, "the read ran on another OS thread"
    assert ticks >= 3, f"the event loop kept running during the read ({ticks} ticks)"


def test_without_an_event_loop_the_read_simply_runs():
    assert off_the_loop(lambda: "read") == "read"
