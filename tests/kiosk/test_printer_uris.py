"""Printer URIs: each kind Sıra can print to, and clear refusals of the rest."""

import pytest
from click.testing import CliRunner

from kiosk.printing.uris import parse_printer_uri, validate_printer_uri
from server.commands import cli
from server.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("tcp://10.1.2.3:9100", {"scheme": "tcp", "host": "10.1.2.3", "port": 9100}),
        ("tcp://printer.local", {"scheme": "tcp", "host": "printer.local", "port": 9100}),
        ("usb://04b8:0e15", {"scheme": "usb", "vendor_id": 0x04B8, "product_id": 0x0E15}),
        ("usb://0x0416:0x5011", {"scheme": "usb", "vendor_id": 0x0416, "product_id": 0x5011}),
        (
            "serial:///dev/ttyUSB0?baudrate=9600",
            {"scheme": "serial", "path": "/dev/ttyUSB0", "baudrate": 9600},
        ),
        ("serial:///dev/ttyS1", {"scheme": "serial", "path": "/dev/ttyS1", "baudrate": 9600}),
        ("file:///dev/usb/lp0", {"scheme": "file", "path": "/dev/usb/lp0"}),
        ("cups://Kiosk_Printer", {"scheme": "cups", "queue": "Kiosk_Printer"}),
        ("emulator", {"scheme": "emulator", "host": "127.0.0.1", "port": 9100}),
        ("emulator://127.0.0.1:9200", {"scheme": "emulator", "port": 9200}),
        ("agent", {"scheme": "agent"}),
    ],
)
def test_known_printer_uris_parse(uri, expected):
    address = parse_printer_uri(uri)
    assert {key: getattr(address, key) for key in expected} == expected
    assert address.uri == uri


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("", "needed"),
        ("printer", "no scheme"),
        ("http://10.0.0.1", "not a printer kind"),
        ("tcp://", "host"),
        ("tcp://10.0.0.1:99999", "port"),
        ("tcp://10.0.0.1:abc", "port"),
        ("tcp://10.0.0.1:9100/queue", "only a host and a port"),
        ("usb://epson", "vendor and product"),
        ("usb://04b8:xyz1", "vendor and product"),
        ("serial://ttyUSB0", "device path"),
        ("serial:///dev/ttyUSB0?baudrate=1234", "baudrate"),
        ("serial:///dev/ttyUSB0?parity=E", "unknown option"),
        ("file://dev/lp0", "absolute path"),
        ("cups://my printer", "queue name"),
        ("agent://kiosk", "agent"),
    ],
)
def test_malformed_or_unknown_uris_are_refused_naming_the_field(uri, why):
    with pytest.raises(ValidationError) as refused:
        parse_printer_uri(uri)
    assert refused.value.field == "printer_uri"
    assert why in refused.value.message


def test_no_printer_is_allowed_and_uris_are_trimmed():
    assert validate_printer_uri(None) is None
    assert validate_printer_uri("  ") is None
    assert validate_printer_uri(" tcp://10.0.0.9:9100 ") == "tcp://10.0.0.9:9100"


def test_device_add_refuses_a_bad_printer_and_saves_nothing(db_path, store, db, monkeypatch):
    monkeypatch.setenv("SIRA_DB", db_path)
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["device", "add", "--kind", "kiosk", "--name", "Door", "--printer", "lpt1"]
    )
    assert refused.exit_code == 1
    assert "no scheme" in refused.output
    assert db.execute("SELECT count(*) FROM devices WHERE name = 'Door'").fetchone()[0] == 0
    added = runner.invoke(
        cli, ["device", "add", "--kind", "kiosk", "--name", "Door", "--printer", "usb://04b8:0e15"]
    )
    assert added.exit_code == 0, added.output
    row = db.execute("SELECT printer_uri FROM devices WHERE name = 'Door'").fetchone()
    assert row["printer_uri"] == "usb://04b8:0e15"
