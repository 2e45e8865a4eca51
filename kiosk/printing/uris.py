"""Where a kiosk's printer is, written as a URI, and which URIs a store may use.

tcp://host[:9100]                network printer (raw port 9100)
usb://VID:PID                    USB printer on the server, ids in hex (usb://04b8:0e15)
serial:///dev/ttyUSB0?baudrate=9600
file:///dev/usb/lp0              a device file (Linux printer class driver)
cups://QUEUE                     a raw CUPS queue (needs pycups: `pip install sira[cups]`)
emulator[://host:port]           Sıra's virtual printer, 127.0.0.1:9100 by default
agent                            the kiosk's own print agent (`sira kiosk-agent`) prints it

A printer URI is where the server writes a customer's bytes, so it is also an attack surface:
`file://` and `serial://` reach only printer device paths (or the configured preview folder), and
`tcp://` refuses the ports of well-known non-printer services unless the store allows one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

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
# Printer device files: the Linux printer class driver and serial/USB-serial ports.
DEVICE_PATHS = (re.compile(r"^/dev/usb/lp[0-9]{1,3}$"), re.compile(r"^/dev/tty[A-Za-z0-9]{1,16}$"))
PREVIEW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Well-known services that are not printers: a printer URI must not reach them (SSRF).
SERVICE_PORTS = {
    22: "SSH",
    25: "SMTP",
    465: "SMTP",
    587: "SMTP",
    53: "DNS",
    80: "HTTP",
    443: "HTTPS",
    8080: "HTTP",
    8443: "HTTPS",
    6379: "Redis",
    5432: "PostgreSQL",
    3306: "MySQL",
    11211: "memcached",
}


@dataclass(frozen=True)
class PrinterRules:
    """What this installation lets a printer URI reach (from its settings, not from the URI)."""

    preview_dir: str | None = None  # a folder where file:// may write ticket previews
    allowed_ports: frozenset[int] = field(default_factory=frozenset)  # service ports let through
    own_port: int | None = 5000  # the server's own port

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> PrinterRules:
        """From SIRA_PRINT_PREVIEW_DIR, SIRA_PRINTER_PORTS_ALLOWED and SIRA_PORT."""
        folder = settings.get("SIRA_PRINT_PREVIEW_DIR")
        allowed = settings.get("SIRA_PRINTER_PORTS_ALLOWED") or ()
        if isinstance(allowed, str):
            allowed = [part for part in re.split(r"[\s,]+", allowed) if part]
        if not all(re.fullmatch(r"[0-9]{1,5}", str(port)) for port in allowed):
            raise ValueError("SIRA_PRINTER_PORTS_ALLOWED must be port numbers, like 8080,8443")
        return cls(
            preview_dir=os.path.realpath(folder) if folder else None,
            allowed_ports=frozenset(int(port) for port in allowed),
            own_port=settings.get("SIRA_PORT"),
        )

    def refused_port(self, port: int) -> str | None:
        """The service a port belongs to, when a printer may not use it."""
        if port in self.allowed_ports:
            return None
        if port == self.own_port:
            return "Sıra's own server"
        return SERVICE_PORTS.get(port)

    def allows_path(self, path: str, scheme: str) -> bool:
        if os.path.normpath(path) != path:
            return False
        if any(pattern.match(path) for pattern in DEVICE_PATHS):
            return scheme == "file" or path.startswith("/dev/tty")
        folder, name = os.path.split(path)
        return (
            scheme == "file"
            and self.preview_dir is not None
            and folder == self.preview_dir
            and PREVIEW_NAME.match(name) is not None
        )


def current_rules() -> PrinterRules:
    """The rules of the running app, or of the environment for the command line."""
    from flask import current_app, has_app_context

    from server.config import DEFAULTS, from_environment

    if has_app_context():
        return PrinterRules.from_settings(current_app.config)
    return PrinterRules.from_settings({**DEFAULTS, **from_environment()})


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


def parse_printer_uri(uri: Any, rules: PrinterRules | None = None) -> PrinterAddress:
    """The address a printer URI names, or a ValidationError on `printer_uri` saying why not.

    Every way a URI gets in (the CLI, the admin API and forms, the worker before each attempt)
    comes through here, with the installation's rules."""
    rules = rules or current_rules()
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
        return network(uri, scheme, parts, rules)
    if scheme == "usb":
        vendor, _, product = parts.netloc.partition(":")
        if not (USB_ID.match(vendor) and USB_ID.match(product)) or parts.path not in ("", "/"):
            raise refuse(uri, "a USB printer is named by its vendor and product id in hex.")
        return PrinterAddress(uri, scheme, vendor_id=int(vendor, 16), product_id=int(product, 16))
    if scheme == "serial":
        address = serial(uri, parts.netloc + parts.path, parts.query)
        if address.path.startswith("/") and not rules.allows_path(address.path, "serial"):
            raise refuse(uri, "a serial printer is a /dev/tty… port.")
        return address
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.query:
            raise refuse(uri, "a device file needs an absolute path, like file:///dev/usb/lp0.")
        if not rules.allows_path(parts.path, "file"):
            raise refuse(uri, f"a printer file is {allowed_files(rules)}.")
        return PrinterAddress(uri, scheme, path=parts.path)
    if scheme == "cups":
        if not CUPS_QUEUE.match(parts.netloc) or parts.path not in ("", "/"):
            raise refuse(uri, "a CUPS queue name is letters, digits, '-', '_' and '.'.")
        return PrinterAddress(uri, scheme, queue=parts.netloc)
    raise refuse(uri, "the agent is written just as 'agent'.")


def allowed_files(rules: PrinterRules) -> str:
    folder = f" or a file in {rules.preview_dir}/" if rules.preview_dir else ""
    return f"a printer device (/dev/usb/lp0, /dev/ttyUSB0){folder}"


def network(uri: str, scheme: str, parts: SplitResult, rules: PrinterRules) -> PrinterAddress:
    host = parts.hostname or (EMULATOR_HOST if scheme == "emulator" else None)
    if not host or not HOST.match(host if ":" not in host else f"[{host}]"):
        raise refuse(uri, "the host name is missing or malformed.")
    try:
        port = parts.port
    except ValueError:
        raise refuse(uri, "the port must be a number from 1 to 65535.") from None
    if port == 0:
        raise refuse(uri, "the port must be a number from 1 to 65535.")
    port = port or EMULATOR_PORT
    service = rules.refused_port(port)
    if service:
        raise ValidationError(
            "Printer URI %(uri)r: port %(port)s is %(service)s, not a printer; receipt printers"
            " listen on 9100. An administrator can allow it with SIRA_PRINTER_PORTS_ALLOWED.",
            FIELD,
            uri=uri,
            port=port,
            service=service,
        )
    return PrinterAddress(uri, scheme, host=host, port=port)


def serial(uri: str, path: str, query: str) -> PrinterAddress:
    if not path.startswith("/") and not re.match(r"^COM\d+$", path):
        raise refuse(uri, "a serial port needs a device path, like serial:///dev/ttyUSB0.")
    options = parse_qs(query, keep_blank_values=True)
    unknown = set(options) - {"baudrate"}
    if unknown:
        raise refuse(uri, f"unknown option {sorted(unknown)[0]!r}; only baudrate is known.")
    baud = options.get("baudrate", ["9600"])[-1]
    if not re.fullmatch(r"[0-9]{1,6}", baud) or int(baud) not in BAUD_RATES:
        raise refuse(uri, f"baudrate must be one of {', '.join(map(str, BAUD_RATES))}.")
    return PrinterAddress(uri, "serial", path=path, baudrate=int(baud))


def validate_printer_uri(uri: Any, rules: PrinterRules | None = None) -> str | None:
    """For forms, the API and the CLI: None when no printer is set, else the checked URI."""
    if uri is None or (isinstance(uri, str) and not uri.strip()):
        return None
    return parse_printer_uri(uri, rules).uri
