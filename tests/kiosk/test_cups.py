"""cups://QUEUE through a real cupsd: a private scheduler, a raw queue pointing at the virtual
printer, the ticket sent as one raw job, the queue's state read over IPP (issue 10, point 6)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from kiosk.printing import queue
from kiosk.printing.delivery import PrinterUnavailable, deliver
from kiosk.printing.uris import parse_printer_uri
from kiosk.printing.worker import PrintWorker
from tests.kiosk.fixtures import set_kiosk_printer
from tests.kiosk.test_print_worker import queue_ticket

pytestmark = pytest.mark.slow
CUPSD = shutil.which("cupsd") or "/usr/sbin/cupsd"
QUEUE = "SiraKiosk"

CUPSD_CONF = """Listen {root}/cups.sock
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
    Allow all
  </Limit>
</Policy>
"""
FILES_CONF = """ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/spool/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
DataDir /usr/share/cups
ServerBin /usr/lib/cups
User lp
Group lp
SystemGroup root
Sandboxing Relaxed
"""


class Cupsd:
    """A scheduler of its own in a temporary folder, reached on its own socket."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sira-cups-"))
        for folder in ("spool/tmp", "cache", "state", "log"):
            (self.root / folder).mkdir(parents=True)
        (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(root=self.root))
        (self.root / "cups-files.conf").write_text(FILES_CONF.format(root=self.root))
        for path in [self.root, *self.root.rglob("*")]:  # cupsd's helpers run as lp
            path.chmod(0o777 if path.is_dir() else 0o666)
        self.socket = str(self.root / "cups.sock")
        self.process = subprocess.Popen(
            [
                CUPSD,
                "-f",
                "-c",
                str(self.root / "cupsd.conf"),
                "-s",
                str(self.root / "cups-files.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while self.lp("lpstat", "-r").returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"cupsd did not start: {self.log()}")
            time.sleep(0.1)

    def lp(self, command: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [command, "-h", self.socket, *args], capture_output=True, text=True, check=False
        )

    def log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text()[-2000:] if path.exists() else "(no log)"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cupsd(monkeypatch):
    if not os.path.exists(CUPSD) or not shutil.which("lpadmin"):
        pytest.skip("no cupsd here: apt-get install cups cups-client (.ci/run does it as root)")
    if os.geteuid() != 0:
        pytest.skip("a private cupsd needs root (it runs its helpers as the lp user)")
    scheduler = Cupsd()
    monkeypatch.setenv("CUPS_SERVER", scheduler.socket)  # read by libcups in each new thread
    yield scheduler
    scheduler.stop()


@pytest.fixture
def raw_queue(cupsd, emulator):
    """A raw queue (no driver, no filter) whose device is the virtual printer's TCP port."""
    deadline = time.monotonic() + 10
    while True:  # a scheduler that just started may still refuse its first admin request
        added = cupsd.lp("lpadmin", "-p", QUEUE, "-v", f"socket://127.0.0.1:{emulator.port}", "-E")
        if added.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert added.returncode == 0, added.stderr
    return QUEUE


def cups_jobs(which: str) -> dict:
    import cups

    cups.setServer(os.environ["CUPS_SERVER"])
    return cups.Connection().getJobs(which_jobs=which)


def test_a_ticket_prints_through_cups_as_one_raw_job(
    app, db, db_path, engine, store, raw_queue, emulator
):
    kiosk = set_kiosk_printer(db_path, f"cups://{raw_queue}")
    job = queue_ticket(db, engine, store, kiosk, language="tr")
    worker = PrintWorker(app, lambda change: None)
    assert worker.send_next(db, kiosk) is True
    done = queue.get_job(db, job["id"])
    assert done["status"] == "printed", done["last_error"]
    (received,) = emulator.wait_for(1)
    paper = received.ticket
    assert paper.code == "B001" and paper.cut
    assert "İadeler" in paper.lines() and "Önünüzdeki kişi: 0" in paper.lines()
    token = engine.reads.ticket(job["ticket_id"])["token"]
    assert paper.qr_codes() == [f"http://kiosk.test/t/{token}"]
    # one job, completed, nothing pending: no stray status-query job in the spool
    assert cups_jobs("not-completed") == {}
    assert len(cups_jobs("all")) == 1
    status = db.execute("SELECT printer_status FROM devices WHERE id = ?", [kiosk]).fetchone()
    assert status[0] == "online"


def test_a_stopped_queue_reads_offline_and_gets_no_job(cupsd, raw_queue, emulator):
    assert cupsd.lp("cupsdisable", raw_queue).returncode == 0
    with pytest.raises(PrinterUnavailable) as refused:
        deliver(parse_printer_uri(f"cups://{raw_queue}"), b"\x1b@stray\x1dV\x00")
    assert refused.value.status == "offline"
    assert cups_jobs("all") == {}
    assert emulator.tickets == []
    assert cupsd.lp("cupsenable", raw_queue).returncode == 0
    assert deliver(parse_printer_uri(f"cups://{raw_queue}"), b"\x1b@back\n\x1dV\x00") == "online"
    assert [r.ticket.lines() for r in emulator.wait_for(1)] == [["back"]]


def test_an_unknown_queue_cannot_be_reached(cupsd):
    with pytest.raises(PrinterUnavailable) as refused:
        deliver(parse_printer_uri("cups://NoSuchQueue"), b"\x1b@")
    assert str(refused.value) == "cups://NoSuchQueue cannot be reached."
