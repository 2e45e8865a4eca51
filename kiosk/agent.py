"""The kiosk print agent: for a kiosk whose printer hangs on the kiosk PC, not the server.

It keeps a Socket.IO connection with the kiosk's token, receives the kiosk's print jobs (on
connect: every job not yet printed; then each new one), prints them on the local printer and
acknowledges each. A journal file of printed job ids, written before the acknowledgement, makes
sure a job whose acknowledgement was lost is acknowledged again after a reconnect, never printed
twice.
"""

from __future__ import annotations

import base64
import logging
import os
import queue
import re
import threading
import time
from pathlib import Path

import socketio

from kiosk.printing.delivery import PrinterUnavailable, deliver
from kiosk.printing.uris import parse_printer_uri

log = logging.getLogger(__name__)
JOURNAL_FOLDER = Path.home() / ".local" / "share" / "sira"


def default_journal(server_url: str) -> Path:
    """One journal per server: job ids are only unique within one server's database."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", server_url.split("://")[-1]).strip("-")
    return JOURNAL_FOLDER / f"agent-journal-{name}.txt"


class Journal:
    """Printed job ids, one per line, flushed to disk before the server is told."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        self.printed = {int(line) for line in path.read_text().split() if line.isdigit()}

    def __contains__(self, job_id: int) -> bool:
        return job_id in self.printed

    def add(self, job_id: int) -> None:
        with self.path.open("a") as journal:
            journal.write(f"{job_id}\n")
            journal.flush()
            os.fsync(journal.fileno())
        self.printed.add(job_id)


class PrintAgent:
    def __init__(
        self,
        server_url: str,
        token: str,
        printer_uri: str,
        journal: Path | None = None,
        retry_s: float = 2.0,
    ):
        self.server_url = server_url
        self.token = token
        self.address = parse_printer_uri(printer_uri)
        if self.address.by_agent:
            raise ValueError("The agent prints on a local printer: give its URI, not 'agent'.")
        self.journal = Journal(Path(journal) if journal else default_journal(server_url))
        self.retry_s = retry_s
        self.jobs: queue.Queue[dict] = queue.Queue()
        self.stopping = threading.Event()
        self.client = socketio.Client(reconnection_delay=0.5, reconnection_delay_max=5)
        self.client.on("connect", self.on_connect)
        self.client.on("print_job", self.receive)

    def on_connect(self) -> None:
        """Each (re)connect: join the kiosk's printer room and take every unprinted job."""
        self.client.emit("print_agent", {}, callback=self.on_joined)

    def on_joined(self, answer: dict) -> None:
        if not answer.get("ok"):
            log.error("the server refused the agent: %s", answer.get("error"))
            return
        for job in answer["jobs"]:
            self.receive(job)

    def receive(self, job: dict) -> None:
        """Queue a job, noting by when (on this PC's clock) it may still start printing."""
        job["start_by"] = time.monotonic() + float(job.get("start_within_s", float("inf")))
        self.jobs.put(job)

    def connect(self) -> None:
        self.client.connect(
            self.server_url,
            auth={"token": self.token},
            transports=["websocket"],
            wait_timeout=10,
        )

    def run(self) -> None:
        """Connect (retrying until the server answers) and print jobs until stopped."""
        while not self.stopping.is_set():
            try:
                self.connect()
                break
            except socketio.exceptions.ConnectionError as error:
                log.warning("cannot reach %s (%s); trying again", self.server_url, error)
                self.stopping.wait(self.retry_s)
        while not self.stopping.is_set():
            try:
                job = self.jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            self.handle(job)

    def start(self) -> PrintAgent:
        threading.Thread(target=self.run, name="sira-print-agent", daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.client.disconnect()

    def handle(self, job: dict) -> None:
        """Print once, note it, acknowledge; retry with backoff while the printer is away."""
        attempt = 0
        while not self.stopping.is_set():
            if job["id"] in self.journal:
                if self.acknowledge(job["id"], ok=True):
                    return
            elif time.monotonic() > job["start_by"]:
                log.warning("print job %s: too late, the kiosk said it did not print", job["id"])
                return
            else:
                try:
                    status = deliver(self.address, base64.b64decode(job["data"]))
                except PrinterUnavailable as error:
                    answer = self.acknowledge(
                        job["id"], ok=False, error=str(error), status=error.status
                    )
                    if answer and answer.get("job", {}).get("status") in ("failed", "printed"):
                        return
                else:
                    self.journal.add(job["id"])
                    if self.acknowledge(job["id"], ok=True, status=status):
                        return
            attempt += 1
            self.stopping.wait(min(30.0, self.retry_s * 2 ** min(attempt, 5)))

    def acknowledge(
        self, job_id: int, ok: bool, error: str | None = None, status: str | None = None
    ) -> dict | None:
        """The server's answer, or None if it could not be told (it resends after reconnect)."""
        payload = {"job_id": job_id, "ok": ok, "error": error, "printer_status": status}
        try:
            answer = self.client.call("print_ack", payload, timeout=10)
        except (socketio.exceptions.SocketIOError, socketio.exceptions.TimeoutError):
            return None
        return answer if answer and answer.get("ok") else None


def wait_forever(agent: PrintAgent) -> None:
    """For the CLI: run until interrupted."""
    agent.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        agent.stop()
