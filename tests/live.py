"""Real server processes for end-to-end tests: `python -m server serve` on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def sira_process(db_path: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The real `sira` entry point (`python -m server`), as a shell would run it."""
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SIRA_DB": db_path},
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Benchmarks issue hundreds of tickets a minute from one kiosk token: more than a real kiosk's
# rate limit allows.
UNLIMITED = {"SIRA_RATELIMIT_ENABLED": "0"}


class LiveServer:
    """One `sira serve` process over a database file; start, stop, kill and restart it."""

    def __init__(
        self,
        db_path: str,
        port: int | None = None,
        env: dict[str, str] | None = None,
        command: tuple[str, ...] = ("-m", "server", "serve"),
    ):
        """`command`: the interpreter's arguments before `--port` (benchmarks run others)."""
        self.db_path = db_path
        self.command = command
        self.port = port or free_port()
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = Path(db_path).with_suffix(f".{self.port}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.launch()
        self.wait_ready()
        return self

    def launch(self) -> LiveServer:
        """Start the process without waiting for it to answer (to start several at once)."""
        env = {
            **os.environ,
            "SIRA_DB": self.db_path,
            "SIRA_SECRET_KEY": "live-test-secret",
            "PYTHONPATH": str(ROOT),
            **self.env,
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *self.command, "--port", str(self.port)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                requests.get(f"{self.url}/api/v1/services", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or a power cut of the process."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
