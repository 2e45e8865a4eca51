"""The byte pipes to each kind of printer, each bounded by the attempt's deadline.

Every call here blocks (sockets, device files, libusb, pyserial, libcups), so they run only in a
print lane's own OS thread (kiosk/printing/lanes.py) or in the kiosk's print agent, never on the
gevent hub; and every wait is cut short by the attempt's deadline, so an attempt always ends.
"""

from __future__ import annotations

import os
import select
import socket
import stat
import time

from kiosk.printing.uris import PrinterAddress

STATUS_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
STATUS_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor
OFFLINE_BIT = 0x08
PAPER_OUT_BITS = 0x60
PAPER_LOW_BITS = 0x0C
STATUS_WAIT_SHARE = 3  # a status answer may take a third of the attempt; printers answer at once
CUPS_STOPPED = 5  # IPP printer-state
CUPS_JOB_DONE = 9  # IPP job-state completed; 6 stopped, 7 canceled, 8 aborted
CUPS_JOB_FAILED = (6, 7, 8)


class Deadline:
    """When the attempt must be over; `left()` is what the next wait may take."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def status_wait(self) -> float:
        return min(self.seconds / STATUS_WAIT_SHARE, self.left())

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the attempt ran out of time")
        return left


def status_from(online: int, paper: int) -> str:
    """online, paper_low, paper_out or offline from the DLE EOT 1 and 4 answers."""
    if paper & PAPER_OUT_BITS == PAPER_OUT_BITS:
        return "paper_out"
    if online & OFFLINE_BIT:
        return "offline"
    return "paper_low" if paper & PAPER_LOW_BITS == PAPER_LOW_BITS else "online"


class Transport:
    """One opened printer. `answers` says whether it can tell that a ticket came out: a
    one-way pipe (a device file, a serial cable) is counted as printed once written. `tears`
    says a failed write may have left part of a ticket on the paper."""

    answers = True
    tears = True

    def status(self) -> str | None:
        """What the printer says now; None when it did not answer."""
        try:
            return status_from(self.query(STATUS_ONLINE), self.query(STATUS_PAPER))
        except (OSError, TimeoutError, ValueError):
            return None

    def query(self, request: bytes) -> int:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class NetworkTransport(Transport):
    """A receipt printer's raw TCP port (9100)."""

    def __init__(self, address: PrinterAddress, deadline: Deadline):
        self.deadline = deadline
        self.sock = socket.create_connection((address.host, address.port), deadline.left())

    def query(self, request: bytes) -> int:
        self.sock.settimeout(self.deadline.status_wait())
        self.sock.sendall(request)
        reply = self.sock.recv(1)
        if not reply:
            raise ConnectionResetError("the printer closed the connection")
        return reply[0]

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            self.sock.settimeout(self.deadline.left())
            view = view[self.sock.send(view) :]

    def close(self) -> None:
        self.sock.close()


class FileTransport(Transport):
    """A printer device file (/dev/usb/lp0, /dev/ttyUSB0) or a preview file, written without
    blocking: a stalled device cannot hold the thread past the deadline."""

    answers = False

    def __init__(self, address: PrinterAddress, deadline: Deadline):
        self.deadline = deadline
        device = address.path.startswith("/dev/")
        flags = os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_NOFOLLOW | os.O_CLOEXEC
        self.fd = os.open(address.path, flags if device else flags | os.O_CREAT | os.O_TRUNC, 0o640)
        mode = os.fstat(self.fd).st_mode
        if not (stat.S_ISCHR(mode) if device else stat.S_ISREG(mode)):
            os.close(self.fd)
            raise OSError(f"{address.path} is not a printer device or a plain file")

    def status(self) -> str | None:
        return None

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            select.select([], [self.fd], [], self.deadline.left())
            try:
                view = view[os.write(self.fd, view) :]
            except BlockingIOError:
                continue

    def close(self) -> None:
        os.close(self.fd)


class EscposTransport(Transport):
    """USB and serial printers through python-escpos (libusb, pyserial)."""

    def __init__(self, address: PrinterAddress, deadline: Deadline):
        from escpos.printer import Serial, Usb

        self.deadline = deadline
        if address.scheme == "usb":
            if not Usb.is_usable():
                raise ImportError("printing to usb:// needs pyusb and libusb installed")
            timeout_ms = int(deadline.status_wait() * 1000)
            self.printer = Usb(address.vendor_id, address.product_id, timeout=timeout_ms)
        else:
            if not Serial.is_usable():
                raise ImportError("printing to serial:// needs pyserial installed")
            self.answers = False  # a serial cable may have no return line
            self.printer = Serial(
                address.path, baudrate=address.baudrate, timeout=deadline.status_wait()
            )
        self.printer.open()
        if address.scheme == "serial":
            self.printer.device.write_timeout = deadline.left()

    def query(self, request: bytes) -> int:
        self.deadline.left()
        self.printer._raw(request)
        reply = self.printer._read()
        if not reply:
            raise TimeoutError("no answer")
        return reply[0]

    def write(self, data: bytes) -> None:
        self.deadline.left()
        self.printer._raw(data)

    def close(self) -> None:
        self.printer.close()


class CupsTransport(Transport):
    """A raw CUPS queue: its state from IPP, never from an ESC/POS query sent into a job, and the
    ticket's bytes submitted as one job, followed until CUPS says it was printed."""

    tears = False  # CUPS sends a job whole or not at all

    def __init__(self, address: PrinterAddress, deadline: Deadline):
        try:
            import cups
        except ImportError:
            raise ImportError(
                "printing to cups:// needs pycups: pip install 'sira[cups]'"
            ) from None
        self.cups = cups
        self.queue = address.queue
        self.deadline = deadline
        if os.environ.get("CUPS_SERVER"):  # libcups remembers its server per thread
            cups.setServer(os.environ["CUPS_SERVER"])
        self.connection = cups.Connection()  # else the local cupsd

    def status(self) -> str | None:
        try:
            found = self.connection.getPrinterAttributes(
                self.queue,
                requested_attributes=[
                    "printer-state",
                    "printer-state-reasons",
                    "printer-is-accepting-jobs",
                ],
            )
        except self.cups.IPPError:
            return None
        reasons = " ".join(found.get("printer-state-reasons") or [])
        if found.get("printer-state") == CUPS_STOPPED or not found.get("printer-is-accepting-jobs"):
            return "offline"
        if "media-empty" in reasons or "media-needed" in reasons:
            return "paper_out"
        if "offline" in reasons:
            return "offline"
        return "paper_low" if "media-low" in reasons else "online"

    def write(self, data: bytes) -> None:
        try:
            job = self.connection.createJob(self.queue, "Sıra ticket", {})
            self.connection.startDocument(self.queue, job, "ticket", "application/vnd.cups-raw", 1)
            self.connection.writeRequestData(data, len(data))
            self.connection.finishDocument(self.queue)
        except self.cups.IPPError as error:
            raise OSError(f"CUPS refused the job: {error}") from None
        try:
            self.follow(job)
        except BaseException:
            self.connection.cancelJob(job, purge_job=True)  # nothing left behind in the spool
            raise

    def follow(self, job: int) -> None:
        while True:
            state = self.connection.getJobAttributes(job, requested_attributes=["job-state"])
            if state["job-state"] == CUPS_JOB_DONE:
                return
            if state["job-state"] in CUPS_JOB_FAILED:
                raise OSError(f"CUPS job {job} ended in state {state['job-state']}")
            time.sleep(min(0.1, self.deadline.left()))

    def close(self) -> None:
        self.connection = None


TRANSPORTS = {
    "tcp": NetworkTransport,
    "emulator": NetworkTransport,
    "file": FileTransport,
    "usb": EscposTransport,
    "serial": EscposTransport,
    "cups": CupsTransport,
}


def open_transport(address: PrinterAddress, deadline: Deadline) -> Transport:
    """The opened printer for the address (raises if it cannot be reached)."""
    if address.scheme not in TRANSPORTS:
        raise ValueError(f"{address.uri} is printed by the kiosk's agent, not by the server.")
    return TRANSPORTS[address.scheme](address, deadline)
