"""The virtual printer: a TCP server on the raw printing port, one decoder per connection."""

from __future__ import annotations

import socketserver
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.emulator.decoder import DROP_AFTER_BYTES, DecodedTicket, EscPosDecoder, PrinterState
from kiosk.emulator.preview import render_png
from kiosk.printing.layout import paper_dots


@dataclass
class ReceivedTicket:
    """A ticket the emulator printed: decoded, when its last byte came, and where it was saved."""

    number: int
    ticket: DecodedTicket
    received_at: float  # time.monotonic() of the last byte
    text_path: Path | None = None
    png_path: Path | None = None


class PrinterEmulator:
    """Accepts raw ESC/POS like a network printer; keeps each ticket as text and PNG in `out`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9100,
        out: Path | str | None = None,
        profile: str | None = None,
        paper_width_mm: int = 80,
        png: bool = True,
    ):
        self.address = (host, port)
        self.out = Path(out) if out else None
        self.profile = profile
        self.paper_width_mm = paper_width_mm
        self.png = png
        self.state = PrinterState()
        self.tickets: list[ReceivedTicket] = []  # in the order their files were written
        self.count = 0
        self.lock = threading.Lock()
        self.printed = threading.Condition(self.lock)
        self.server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1] if self.server else self.address[1]

    def start(self) -> PrinterEmulator:
        """Listen (in a background thread) and return at once."""
        emulator = self

        class Connection(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                emulator.serve_connection(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(self.address, Connection)
        self.server.daemon_threads = True
        if self.out:
            self.out.mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: to a client it is as if the printer had been switched off."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def serve_connection(self, connection) -> None:
        decoder = EscPosDecoder(self.profile, self.state)
        received = 0
        while True:
            try:
                data = connection.recv(65536)
            except ConnectionError:  # the sender went away (a crash, a reset): what came stays
                data = b""
            if not data or self.state.fault == "silent":
                if data:
                    continue  # takes everything, answers nothing, prints nothing
                break
            dropping = self.state.fault == "drop" and received + len(data) > DROP_AFTER_BYTES
            if dropping:  # the printer loses the connection part-way through a ticket
                data = data[: max(0, DROP_AFTER_BYTES - received)]
            received += len(data)
            tickets, replies = decoder.feed(data)
            if replies:
                connection.sendall(replies)
            for ticket in tickets:
                self.keep(ticket)
            if dropping:
                break
        last = decoder.finish()
        if last:
            self.keep(last)

    def keep(self, ticket: DecodedTicket) -> None:
        """A printer without paper prints nothing; otherwise save and remember the ticket."""
        if self.state.paper == "out":
            return
        received_at = time.monotonic()
        with self.lock:
            self.count += 1
            received = ReceivedTicket(self.count, ticket, received_at)
        if self.out:
            stem = f"ticket-{received.number:04d}-{ticket.code or 'blank'}"
            received.text_path = self.out / f"{stem}.txt"
            received.text_path.write_text(ticket.preview(), encoding="utf-8")
            if self.png:
                received.png_path = self.out / f"{stem}.png"
                render_png(ticket, received.png_path, paper_dots(self.paper_width_mm))
        with self.printed:
            self.tickets.append(received)
            self.printed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedTicket]:
        """Block until `count` tickets have been printed in all (tests and benchmarks)."""
        with self.printed:
            self.printed.wait_for(lambda: len(self.tickets) >= count, timeout)
            return list(self.tickets)

    def with_code(self, code: str) -> list[ReceivedTicket]:
        with self.lock:
            return [received for received in self.tickets if received.ticket.code == code]
