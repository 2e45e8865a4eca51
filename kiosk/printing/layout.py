"""The paper ticket: a pure function from ticket data to ESC/POS bytes (python-escpos `Dummy`).

Text goes through python-escpos's magic encoding, which picks from the printer profile's code
pages the one that holds each letter and emits `ESC t n` when it switches (Turkish ş ğ ı İ lands
in CP857). A letter no code page of the profile holds is printed without its accent, never as '?'.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from escpos.capabilities import CAPABILITIES
from escpos.printer import Dummy
from PIL import Image

from server.domain.errors import ValidationError

# Font A is 12 dots wide; at 203 dpi 58 mm paper prints 384 dots and 80 mm paper 576.
PAPER_DOTS = {58: 384, 80: 576}
FONT_A_DOTS = 12
LARGEST_SIZE = 8  # GS ! allows 1–8 times the normal width and height
# Dots per QR module: about 45 mm wide on 80 mm paper and 30 mm on 58 mm, so a phone reads it
# at arm's length.
QR_DOTS_80, QR_DOTS_58 = 12, 8
DEFAULT_PROFILE = "default"
# Letters that Unicode does not decompose into a base letter and an accent.
PLAIN_LETTERS = {"ı": "i", "İ": "I", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}


@dataclass(frozen=True)
class TicketLabels:
    """The ticket's fixed words, already in the ticket's language."""

    people_ahead: str = "People ahead"
    estimated_wait: str = "Estimated wait"
    minutes: str = "{minutes} min"
    minutes_range: str = "{low}–{high} min"
    no_counter: str = "Waiting for a counter to open"
    now: str = "You are next"
    scan: str = "Scan and keep the page open to follow your turn"
    reprint: str = "Reprint"


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket; built from the database, then printed many ways."""

    store_name: str
    code: str
    service_name: str
    people_ahead: int
    # What the customer was told: [n, n] about n minutes, [lo, hi] a range, None no counter open.
    eta_minutes: list[int] | None
    issued_at: datetime  # in the branch's timezone
    url: str  # the phone page, /t/<token>
    footer: str = ""
    priority: str = ""  # the stated need, already worded: "Priority: Elderly"
    logo_path: str | None = None
    reprint: bool = False
    labels: TicketLabels = field(default_factory=TicketLabels)


def columns(paper_width_mm: int) -> int:
    """Font A characters per line on this paper."""
    return paper_dots(paper_width_mm) // FONT_A_DOTS


def paper_dots(paper_width_mm: int) -> int:
    return PAPER_DOTS[58] if paper_width_mm < 70 else PAPER_DOTS[80]


def code_size(code: str, paper_width_mm: int) -> int:
    """The largest magnification at which the code still fits on one line."""
    return max(1, min(LARGEST_SIZE, columns(paper_width_mm) // max(1, len(code))))


def wait_text(ticket: TicketPrint) -> str:
    if ticket.eta_minutes is None:
        return ticket.labels.no_counter
    if ticket.people_ahead == 0:
        return ticket.labels.now
    low, high = ticket.eta_minutes
    if low != high:
        return ticket.labels.minutes_range.format(low=low, high=high)
    return ticket.labels.minutes.format(minutes=max(1, low))


def render_ticket(
    ticket: TicketPrint, profile: str | None = None, paper_width_mm: int = 80
) -> bytes:
    """The ESC/POS bytes of one ticket for a printer profile and a paper width (58 or 80 mm)."""
    printer = Dummy(profile=printer_profile(profile))
    width = columns(paper_width_mm)

    def line(text: str) -> None:
        for part in textwrap.wrap(printable(printer, text), width) or [""]:
            printer.textln(part)

    printer.hw("INIT")
    printer.set(align="center")
    picture = logo(ticket.logo_path, paper_dots(paper_width_mm)) if ticket.logo_path else None
    if picture:
        printer.image(picture)
    printer.set(bold=True, double_height=True)
    line(ticket.store_name)
    printer.set(normal_textsize=True, bold=False)
    line(ticket.issued_at.strftime("%d.%m.%Y %H:%M"))
    if ticket.reprint:
        line(f"({ticket.labels.reprint})")
    printer.ln()
    printer.set(bold=True)
    line(ticket.service_name)
    if ticket.priority:
        line(ticket.priority)
    size = code_size(ticket.code, paper_width_mm)
    printer.set(custom_size=True, width=size, height=size)
    printer.textln(ticket.code)
    printer.set(normal_textsize=True, bold=False)
    printer.ln()
    line(f"{ticket.labels.people_ahead}: {ticket.people_ahead}")
    line(f"{ticket.labels.estimated_wait}: {wait_text(ticket)}")
    printer.ln()
    native = printer.profile.supports("qrCode")
    printer.qr(ticket.url, size=QR_DOTS_80 if paper_width_mm >= 70 else QR_DOTS_58, native=native)
    line(ticket.labels.scan)
    if ticket.footer:
        printer.ln()
        for paragraph in ticket.footer.splitlines():
            line(paragraph)
    printer.cut()
    return printer.output


def printer_profile(name: str | None) -> str:
    """A python-escpos profile name (`default` when none is set), or a ValidationError."""
    name = name or DEFAULT_PROFILE
    if name not in CAPABILITIES["profiles"]:
        raise ValidationError(
            "Unknown printer profile %(name)r; python-escpos knows e.g. default, TM-T20II,"
            " TM-T88V, POS-5890.",
            "printer_profile",
            name=name,
        )
    return name


def printable(printer: Dummy, text: str) -> str:
    """The text with each letter that no code page of the profile holds replaced by its base."""
    encoder = printer.magic.encoder
    return "".join(
        char
        if ord(char) < 128 or any(encoder.can_encode(page, char) for page in encoder.codepages)
        else base_letter(char)
        for char in text
    )


def base_letter(char: str) -> str:
    if char in PLAIN_LETTERS:
        return PLAIN_LETTERS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if base.isascii() and base else "?"


def logo(path: str, max_width: int) -> Image.Image | None:
    """The branch logo, scaled down to the paper's printable width; None if it cannot be read
    (a missing logo must not stop the ticket)."""
    try:
        with Image.open(Path(path)) as image:
            image.load()
            picture = image.copy()
    except OSError:
        return None
    if picture.width > max_width:
        picture = picture.resize((max_width, round(picture.height * max_width / picture.width)))
    return picture
