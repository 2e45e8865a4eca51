"""Read an ESC/POS byte stream back into tickets: text with its code pages, sizes, QR, images.

It understands what a receipt printer is sent by python-escpos (and answers status queries), so
tests can decode printed bytes back to text and compare, and the emulator can draw a preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from escpos.capabilities import get_profile
from escpos.magicencode import Encoder

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
# ESC and GS commands that take a fixed number of parameter bytes we do not need to act on.
ESC_SKIP = {
    ord(c): n
    for c, n in {
        " ": 1,
        "=": 1,
        "G": 1,
        "R": 1,
        "V": 1,
        "{": 1,
        "c": 2,
        "p": 3,
        "J": 1,
        "3": 1,
        "2": 0,
        "U": 1,
        "$": 2,
        "\\": 2,
        "%": 1,
        "?": 2,
        "B": 2,
    }.items()
}
GS_SKIP = {
    ord(c): n
    for c, n in {
        "B": 1,
        "a": 1,
        "|": 1,
        "H": 1,
        "h": 1,
        "w": 1,
        "f": 1,
        "L": 2,
        "W": 2,
        "P": 2,
        "b": 1,
        "I": 1,
    }.items()
}
PAPER_STATES = ("ok", "low", "out")
# Printers that misbehave, for tests and for trying a store's setup: one that never answers a
# status query (or an open port that is no printer), and one that drops the connection
# part-way through every ticket.
FAULTS = ("none", "silent", "drop")
DROP_AFTER_BYTES = 200


class NeedMore(Exception):
    """The buffer ends inside a command; wait for the next bytes."""


@dataclass
class Style:
    align: str = "left"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1


@dataclass
class Block:
    """One printed thing: a line of text, a QR code or a raster image."""

    kind: str  # "text", "qr" or "image"
    style: Style
    text: str = ""
    image_size: tuple[int, int] | None = None
    image_bits: bytes = b""


@dataclass
class DecodedTicket:
    """What came out of the printer between two cuts."""

    blocks: list[Block] = field(default_factory=list)
    code_pages: list[str] = field(default_factory=list)
    size_bytes: int = 0
    cut: bool = True  # False: the bytes stopped before the cut (a torn-off, partial ticket)

    def lines(self) -> list[str]:
        """The text lines as printed (QR codes and images left out)."""
        return [block.text for block in self.blocks if block.kind == "text"]

    def qr_codes(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == "qr"]

    @property
    def code(self) -> str:
        """The text printed in the largest size: on a Sıra ticket, the ticket's code."""
        texts = [b for b in self.blocks if b.kind == "text" and b.text.strip()]
        if not texts:
            return ""
        return max(texts, key=lambda b: b.style.width * b.style.height).text.strip()

    def preview(self) -> str:
        """A readable text preview: sizes, alignment, QR content and images marked."""
        out = []
        for block in self.blocks:
            style = block.style
            marks = []
            if style.width > 1 or style.height > 1:
                marks.append(f"{style.width}x{style.height}")
            if style.bold:
                marks.append("bold")
            if style.align != "left":
                marks.append(style.align)
            prefix = f"[{' '.join(marks)}] " if marks else ""
            if block.kind == "text":
                out.append(prefix + block.text)
            elif block.kind == "qr":
                out.append(f"{prefix}[QR {block.text}]")
            else:
                width, height = block.image_size or (0, 0)
                out.append(f"{prefix}[image {width}x{height}]")
        out.append("--- cut ---")
        return "\n".join(out) + "\n"


@dataclass
class PrinterState:
    """What the printer reports when asked (DLE EOT): online, paper ok / low / out."""

    online: bool = True
    paper: str = "ok"
    fault: str = "none"

    def status_byte(self, kind: int) -> int:
        """The DLE EOT n answer; fixed bits 1 and 4 are always set, as the standard says."""
        out = self.paper == "out"
        if kind == 1:
            return 0x12 | 0x04 | (0x08 if out or not self.online else 0)
        if kind == 2:
            return 0x12 | (0x20 if out else 0)
        if kind == 4:
            return 0x12 | (0x0C if self.paper in ("low", "out") else 0) | (0x60 if out else 0)
        return 0x12


class EscPosDecoder:
    """Feed it bytes as they arrive; it returns finished tickets and the replies owed."""

    def __init__(self, profile: str | None = None, state: PrinterState | None = None):
        code_pages = get_profile(profile or "default").get_code_pages()
        self.pages = {int(slot): name for name, slot in code_pages.items()}
        self.encoder = Encoder(code_pages)
        self.state = state or PrinterState()
        self.buffer = b""
        self.reset()
        self.ticket = DecodedTicket()

    def reset(self) -> None:
        self.style = Style()
        self.page = self.pages.get(0, "CP437")
        self.pending = ""
        self.qr_data = ""

    def feed(self, data: bytes) -> tuple[list[DecodedTicket], bytes]:
        self.buffer += data
        done: list[DecodedTicket] = []
        replies = bytearray()
        position = 0
        while position < len(self.buffer):
            try:
                position, finished, reply = self.step(position)
            except NeedMore:
                break
            replies += reply
            if finished:
                done.append(finished)
        self.ticket.size_bytes += position
        self.buffer = self.buffer[position:]
        return done, bytes(replies)

    def finish(self) -> DecodedTicket | None:
        """The connection closed: what came since the last cut (printers without a cutter)."""
        self.flush_line(only_pending=True)
        ticket, self.ticket = self.ticket, DecodedTicket()
        ticket.size_bytes += len(self.buffer)
        ticket.cut = False
        self.buffer = b""
        return ticket if ticket.blocks else None

    def need(self, position: int, count: int) -> bytes:
        if position + count > len(self.buffer):
            raise NeedMore
        return self.buffer[position : position + count]

    def step(self, at: int) -> tuple[int, DecodedTicket | None, bytes]:
        """Decode one byte or command from `at`; returns the next position."""
        byte = self.buffer[at]
        if byte == ESC:
            return self.esc(at), None, b""
        if byte == GS:
            return self.gs(at)
        if byte == DLE:
            command, kind = self.need(at + 1, 2)
            if command == 0x04:
                return at + 3, None, bytes([self.state.status_byte(kind)])
            return at + 2, None, b""
        if byte == LF:
            self.flush_line()
        elif byte == 0x09:
            self.pending += " "
        elif byte >= 0x20 and byte != 0x7F:
            self.pending += self.decode_char(byte)
        return at + 1, None, b""

    def decode_char(self, byte: int) -> str:
        if byte < 128:
            return chr(byte)
        try:
            return self.encoder._get_codepage_char_list(self.page)[byte - 128]
        except (LookupError, KeyError):
            return "?"

    def esc(self, at: int) -> int:
        command = self.need(at + 1, 1)[0]
        if command == ord("@"):
            self.flush_line(only_pending=True)
            self.reset()
            return at + 2
        if command == ord("d"):
            self.need(at + 2, 1)
            self.flush_line(only_pending=True)
            return at + 3
        if command == ord("D"):  # tab stops: a list ending in NUL
            end = self.buffer.find(b"\x00", at + 2)
            if end < 0:
                raise NeedMore
            return end + 1
        if command in ESC_SKIP:
            self.need(at + 2, ESC_SKIP[command])
            return at + 2 + ESC_SKIP[command]
        argument = self.need(at + 2, 1)[0]
        if command == ord("t"):
            self.page = self.pages.get(argument, f"slot {argument}")
            if self.page not in self.ticket.code_pages:
                self.ticket.code_pages.append(self.page)
        elif command == ord("a"):
            self.style.align = ("left", "center", "right")[argument % 48 % 3]
        elif command == ord("E"):
            self.style.bold = bool(argument & 1)
        elif command == ord("-"):
            self.style.underline = bool(argument % 48)
        elif command == ord("!"):
            self.style.bold = bool(argument & 0x08)
            self.style.height = 2 if argument & 0x10 else 1
            self.style.width = 2 if argument & 0x20 else 1
        return at + 3

    def gs(self, at: int) -> tuple[int, DecodedTicket | None, bytes]:
        command = self.need(at + 1, 1)[0]
        if command == ord("!"):
            size = self.need(at + 2, 1)[0]
            self.style.width, self.style.height = (size >> 4) + 1, (size & 0x0F) + 1
            return at + 3, None, b""
        if command == ord("V"):
            mode = self.need(at + 2, 1)[0]
            end = at + 4 if mode in (65, 66) else at + 3
            if end > len(self.buffer):
                raise NeedMore
            self.flush_line(only_pending=True)
            ticket, self.ticket = self.ticket, DecodedTicket()
            ticket.size_bytes += end
            self.ticket.size_bytes = -end
            return end, ticket, b""
        if command == ord("("):
            kind, low, high = self.need(at + 2, 3)
            length = low + high * 256
            body = self.need(at + 5, length)
            if kind == ord("k"):
                self.qr(body)
            return at + 5 + length, None, b""
        if command == ord("v"):
            header = self.need(at + 2, 6)
            width_bytes = header[2] + header[3] * 256
            height = header[4] + header[5] * 256
            bits = self.need(at + 8, width_bytes * height)
            self.flush_line(only_pending=True)
            self.add(
                Block(
                    "image",
                    self.copy_style(),
                    image_size=(width_bytes * 8, height),
                    image_bits=bits,
                )
            )
            return at + 8 + width_bytes * height, None, b""
        if command == ord("r"):
            return at + 3, None, bytes([0x0C if self.state.paper == "out" else 0x00])
        if command in GS_SKIP:
            self.need(at + 2, GS_SKIP[command])
            return at + 2 + GS_SKIP[command], None, b""
        return at + 2, None, b""

    def qr(self, body: bytes) -> None:
        """GS ( k: store the QR data (fn 80), print it (fn 81); size and level are ignored."""
        if len(body) < 2 or body[0] != ord("1"):
            return
        function = body[1]
        if function == 80:
            self.qr_data = body[3:].decode("utf-8", "replace")
        elif function == 81:
            self.flush_line(only_pending=True)
            self.add(Block("qr", self.copy_style(), text=self.qr_data))

    def copy_style(self) -> Style:
        return Style(**vars(self.style))

    def flush_line(self, only_pending: bool = False) -> None:
        """LF prints the pending text (a bare LF an empty line); other commands only flush."""
        if only_pending and not self.pending:
            return
        self.add(Block("text", self.copy_style(), text=self.pending))
        self.pending = ""

    def add(self, block: Block) -> None:
        self.ticket.blocks.append(block)


def decode(data: bytes, profile: str | None = None) -> list[DecodedTicket]:
    """All the complete tickets in a byte string."""
    decoder = EscPosDecoder(profile)
    tickets, _ = decoder.feed(data)
    last = decoder.finish()
    return [*tickets, last] if last else tickets
