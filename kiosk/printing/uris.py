"""Where a kiosk's printer is, written as a URI, and the python-escpos transport that reaches it.

tcp://host[:9100]                network printer (raw port 9100)
usb://VID:PID                    USB printer on the server, ids in hex (usb://04b8:0e15)
serial:///dev/ttyUSB0?baudrate=9600
file:///dev/usb/lp0              a device file (Linux printer class driver)
cups://QUEUE                     a raw CUPS queue (needs pycups)
emulator[://host:port]           Sıra's virtual printer, 127.0.0.1:9100 by default
agent                            the kiosk's own print agent (`sira kiosk-agent`) prints it
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from escpos.escpos import Escpos
from escpos.printer import Network

from server.domain.errors import ValidationError

FIELD = "printer_uri"
SCHEMES = ("tcp", "usb", "serial", "file", "cups", "emulator", "agent")
EXAMPLES = (
    "tcp://192.0.2.10:9100, usb://04b8:0e15, serial:///dev/ttyUSB0?baudrate=9600, "
    "file:///dev/usb/lp0, cups://QUEUE, emulator or agent"
)
EMULATOR_HOST = "127.0.0.1"
EMULATOR_PORT = 9100
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
HOST = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$")
USB_ID = re.compile(r"^(0x)?[0-9a-fA-F]{1,4}$")
CUPS_QUEUE = re.compile(r"^[A-Za-z0-9_.-]{1,127}$")


@dataclass(frozen=True)
class PrinterAddress:
    """A parsed printer URI: the scheme and what that transport needs."""

    uri: str
    scheme: str
    host: str | None = None
    port: int | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    path: str | None = None
    baudrate: int | None = None
    queue: str | None = None

    @property
    def by_agent(self) -> bool:
        """Jobs for this printer go to the kiosk's print agent, not the server's worker."""
        return self.scheme == "agent"


def refuse(uri: str, why: str) -> ValidationError:
    return ValidationError(f"Printer URI {uri!r}: {why} Use one of {EXAMPLES}.", FIELD)


def parse_printer_uri(uri: Any) -> PrinterAddress:
    """The address a printer URI names, or a ValidationError on `printer_uri` saying why not."""
    if not isinstance(uri, str) or not uri.strip():
        raise ValidationError(
            "A printer URI is needed, like %(examples)s.", FIELD, examples=EXAMPLES
        )
    uri = uri.strip()
    if uri == "agent":
        return PrinterAddress(uri, "agent")
    if uri == "emulator":
        return PrinterAddress(uri, "emulator", host=EMULATOR_HOST, port=EMULATOR_PORT)
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in uri:
        raise refuse(uri, "it has no scheme.")
    if scheme not in SCHEMES:
        raise refuse(uri, f"{scheme!r} is not a printer kind Sıra knows.")
    if scheme in ("tcp", "emulator"):
        if parts.path not in ("", "/") or parts.query:
            raise refuse(uri, "a network printer is only a host and a port.")
        return network(uri, scheme, parts)
    if scheme == "usb":
        vendor, _, product = parts.netloc.partition(":")
        if not (USB_ID.match(vendor) and USB_ID.match(product)) or parts.path not in ("", "/"):
            raise refuse(uri, "a USB printer is named by its vendor and product id in hex.")
        return PrinterAddress(uri, scheme, vendor_id=int(vendor, 16), product_id=int(product, 16))
    if scheme == "serial":
        return serial(uri, parts.netloc + parts.path, parts.query)
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.query:
            raise refuse(uri, "a device file needs an absolute path, like file:///dev/usb/lp0.")
        return PrinterAddress(uri, scheme, path=parts.path)
    if scheme == "cups":
        if not CUPS_QUEUE.match(parts.netloc) or parts.path not in ("", "/"):
            raise refuse(uri, "a CUPS queue name is letters, digits, '-', '_' and '.'.")
        return PrinterAddress(uri, scheme, queue=parts.netloc)
    raise refuse(uri, "the agent is written just as 'agent'.")


def network(uri: str, scheme: str, parts: SplitResult) -> PrinterAddress:
    host = parts.hostname or (EMULATOR_HOST if scheme == "emulator" else None)
    if not host or not HOST.match(host if ":" not in host else f"[{host}]"):
        raise refuse(uri, "the host name is missing or malformed.")
    try:
        port = parts.port
    except ValueError:
        raise refuse(uri, "the port must be a number from 1 to 65535.") from None
    if port == 0:
        raise refuse(uri, "the port must be a number from 1 to 65535.")
    return PrinterAddress(uri, scheme, host=host, port=port or EMULATOR_PORT)


def serial(uri: str, path: str, query: str) -> PrinterAddress:
    if not path.startswith("/") and not re.match(r"^COM\d+$", path):
        raise refuse(uri, "a serial port needs a device path, like serial:///dev/ttyUSB0.")
    options = parse_qs(query, keep_blank_values=True)
    unknown = set(options) - {"baudrate"}
    if unknown:
        raise refuse(uri, f"unknown option {sorted(unknown)[0]!r}; only baudrate is known.")
    baud = options.get("baudrate", ["9600"])[-1]
    if not baud.isdigit() or int(baud) not in BAUD_RATES:
        raise refuse(uri, f"baudrate must be one of {', '.join(map(str, BAUD_RATES))}.")
    return PrinterAddress(uri, "serial", path=path, baudrate=int(baud))


def validate_printer_uri(uri: Any) -> str | None:
    """For forms and the CLI: None when no printer is set, else the trimmed, checked URI."""
    if uri is None or (isinstance(uri, str) and not uri.strip()):
        return None
    return parse_printer_uri(uri).uri


class NetworkPrinter(Network):
    """python-escpos's Network, but a refused connection closes its socket and says why."""

    def open(self, raise_not_found: bool = True) -> None:
        connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.device = connection


def open_printer(address: PrinterAddress, timeout: float = 5.0) -> Escpos:
    """An opened python-escpos printer for the address (raises if it cannot be reached)."""
    from escpos.printer import CupsPrinter, File, Serial, Usb

    kinds = {
        "tcp": lambda: NetworkPrinter(address.host, port=address.port, timeout=timeout),
        "emulator": lambda: NetworkPrinter(address.host, port=address.port, timeout=timeout),
        "usb": lambda: Usb(address.vendor_id, address.product_id, timeout=int(timeout * 1000)),
        "serial": lambda: Serial(address.path, baudrate=address.baudrate, timeout=timeout),
        "file": lambda: File(address.path),
        "cups": lambda: CupsPrinter(address.queue),
    }
    classes = {"usb": Usb, "serial": Serial, "cups": CupsPrinter}
    if address.scheme not in kinds:
        raise ValueError(f"{address.uri} is printed by the kiosk's agent, not by the server.")
    if address.scheme in classes and not classes[address.scheme].is_usable():
        raise ImportError(f"printing to {address.scheme}:// needs its Python library installed")
    printer = kinds[address.scheme]()
    printer.open()
    return printer
