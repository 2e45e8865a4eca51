"""One attempt to print a ticket: ask the printer first, send the bytes, ask again after.

A ticket counts as printed only when a printer that can answer said so after the last byte; one
that never answers is not a printer we reached. What the caller learns is deliberately coarse
("cannot be reached"): a refused port, a closed one and an open non-printer port read the same,
so a printer URI cannot be used to scan a network. The details go to the server's log.
"""

from __future__ import annotations

import contextlib
import logging

from escpos.exceptions import Error as EscposError

from kiosk.printing.transports import Deadline, open_transport
from kiosk.printing.uris import PrinterAddress

log = logging.getLogger(__name__)
FAILURES = (OSError, TimeoutError, EscposError, RuntimeError, ImportError, ValueError)
# Finishes a ticket torn off mid-print (initialise, feed, cut) before the next full copy.
TEAR_OFF = b"\x1b@\n\n\n\x1dV\x01"


class PrinterUnavailable(Exception):
    """The printer did not take the job. `status` is what to record for the printer; `torn`
    says bytes may have come out, so paper may hold part of the ticket."""

    def __init__(self, message: str, status: str = "offline", torn: bool = False):
        super().__init__(message)
        self.status = status
        self.torn = torn


def unreachable(address: PrinterAddress, detail: str) -> PrinterUnavailable:
    log.warning("printer %s cannot be reached: %s", address.uri, detail)
    return PrinterUnavailable(f"{address.uri} cannot be reached.")


def stopped(address: PrinterAddress, detail: str, torn: bool) -> PrinterUnavailable:
    log.warning("printer %s stopped while printing: %s", address.uri, detail)
    return PrinterUnavailable(f"{address.uri} stopped while printing.", torn=torn)


def describe(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def deliver(address: PrinterAddress, data: bytes, timeout: float = 5.0) -> str:
    """Print `data` within `timeout` seconds; returns the printer's status after it, or raises
    PrinterUnavailable. Blocks: call it from a print lane's thread or the agent."""
    deadline = Deadline(timeout)
    try:
        printer = open_transport(address, deadline)
    except FAILURES as error:
        raise unreachable(address, describe(error)) from None
    try:
        before = printer.status()
        if before is None and printer.answers:
            raise unreachable(address, "no answer to the status query")
        if before in ("paper_out", "offline"):
            raise PrinterUnavailable(f"{address.uri} reports {before.replace('_', ' ')}.", before)
        try:
            printer.write(data)
        except FAILURES as error:
            raise stopped(address, describe(error), printer.tears) from None
        after = printer.status() if printer.answers else before or "online"
        if after is None:
            raise stopped(address, "no answer after the ticket", printer.tears)
        return after
    finally:
        with contextlib.suppress(FAILURES):
            printer.close()
