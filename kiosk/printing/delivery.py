"""Send a ticket's bytes to a printer, asking it first whether it is online and has paper."""

from __future__ import annotations

import socket

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from kiosk.printing.uris import PrinterAddress, open_printer

STATUS_TIMEOUT_S = 0.5


class PrinterUnavailable(Exception):
    """The printer could not take the job; `status` is what it reported (offline, paper_out)."""

    def __init__(self, message: str, status: str = "offline"):
        super().__init__(message)
        self.status = status


def printer_status(printer: Escpos) -> str | None:
    """online, paper_low or paper_out from DLE EOT; None when the printer cannot answer."""
    device = getattr(printer, "device", None)
    timeout = device.gettimeout() if isinstance(device, socket.socket) else None
    try:
        if isinstance(device, socket.socket):
            device.settimeout(STATUS_TIMEOUT_S)
        paper = printer.paper_status()
        if paper == 0:
            return "paper_out"
        if not printer.is_online():
            return "offline"
        return "paper_low" if paper == 1 else "online"
    except (NotImplementedError, OSError, EscposError, AttributeError):
        return None
    finally:
        if isinstance(device, socket.socket):
            device.settimeout(timeout)


def deliver(address: PrinterAddress, data: bytes, timeout: float = 5.0) -> str:
    """Print `data`; returns the printer's status, raises PrinterUnavailable if it cannot."""
    try:
        printer = open_printer(address, timeout)
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise PrinterUnavailable(f"{address.uri} cannot be reached: {reason}.") from None
    except (EscposError, RuntimeError, ImportError) as error:
        reason = " ".join(str(error).split())
        raise PrinterUnavailable(f"{address.uri} cannot be reached: {reason}") from None
    try:
        status = printer_status(printer) or "online"
        if status in ("paper_out", "offline"):
            raise PrinterUnavailable(f"{address.uri} reports {status.replace('_', ' ')}.", status)
        printer._raw(data)
        return status
    except (OSError, EscposError) as error:
        raise PrinterUnavailable(f"{address.uri} stopped while printing: {error}") from None
    finally:
        printer.close()
