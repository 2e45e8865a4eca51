"""The virtual printer over real TCP: what it answers, what it decodes, what it keeps."""

import socket

from PIL import Image

from kiosk.printing.delivery import PrinterUnavailable, deliver
from kiosk.printing.layout import render_ticket
from kiosk.printing.transports import Deadline, open_transport
from kiosk.printing.uris import parse_printer_uri
from tests.kiosk.test_ticket_layout import ticket


def address(emulator):
    return parse_printer_uri(f"tcp://127.0.0.1:{emulator.port}")


def test_status_queries_are_answered_as_a_real_printer_would(emulator):
    printer = open_transport(address(emulator), Deadline(5))
    try:
        assert printer.status() == "online"
        emulator.state.paper = "low"
        assert printer.status() == "paper_low"
        emulator.state.paper = "out"
        assert printer.status() == "paper_out"
        emulator.state.paper = "ok"
        emulator.state.online = False
        assert printer.status() == "offline"
    finally:
        printer.close()


def test_a_ticket_is_kept_as_text_and_png(emulator):
    assert deliver(address(emulator), render_ticket(ticket(), None, 80)) == "online"
    (received,) = emulator.wait_for(1)
    assert received.ticket.code == "B042"
    preview = received.text_path.read_text(encoding="utf-8")
    assert "[8x8 bold center] B042" in preview
    assert "İade ve değişim" in preview
    assert "[center] [QR https://sira.example/t/abc123]" in preview
    assert preview.endswith("--- cut ---\n")
    assert received.text_path.name == "ticket-0001-B042.txt"
    with Image.open(received.png_path) as picture:
        assert picture.width == 576 + 32
        assert picture.height > 400


def test_bytes_split_anywhere_decode_the_same(emulator):
    data = render_ticket(ticket(), None, 58)
    with socket.create_connection(("127.0.0.1", emulator.port)) as connection:
        for start in range(0, len(data), 7):
            connection.sendall(data[start : start + 7])
    (received,) = emulator.wait_for(1)
    assert received.ticket.lines()[:2] == ["Sıra Mağaza", "14.03.2026 09:05"]
    assert received.ticket.size_bytes == len(data)


def test_paper_out_refuses_the_job_and_prints_nothing(emulator):
    emulator.state.paper = "out"
    try:
        deliver(address(emulator), render_ticket(ticket(), None, 80))
    except PrinterUnavailable as refused:
        assert refused.status == "paper_out"
    else:
        raise AssertionError("a printer without paper took the job")
    emulator.state.paper = "low"
    assert deliver(address(emulator), render_ticket(ticket(), None, 80)) == "paper_low"
    assert len(emulator.wait_for(1)) == 1


def test_a_switched_off_printer_is_reported_offline(emulator):
    here = address(emulator)
    emulator.stop()
    try:
        deliver(here, b"\x1b@")
    except PrinterUnavailable as refused:
        assert refused.status == "offline"
        assert str(refused) == f"{here.uri} cannot be reached."
    else:
        raise AssertionError("a stopped printer took the job")
