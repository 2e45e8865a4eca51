"""A printer URI cannot write any file, reach any service, or scan a network.

Issue 11, finding 2: `file://` and `serial://` once took any path (a ticket overwrote a chosen
file; a footer saved as a `.pth` file ran as code), `tcp://` took any host and port, the admin API
saved what the CLI refused, and print errors told open ports from closed ones.
"""

from __future__ import annotations

import os
import socket
import time

import pytest
import requests
from click.testing import CliRunner

from kiosk.emulator.server import PrinterEmulator
from kiosk.printing.delivery import PrinterUnavailable, deliver
from kiosk.printing.transports import Deadline, FileTransport
from kiosk.printing.uris import PrinterRules, parse_printer_uri
from server.commands import cli
from server.domain.errors import ValidationError
from tests.admin.conftest import form_errors, sign_in
from tests.conftest import bearer
from tests.kiosk.fixtures import FAST_RETRIES, set_kiosk_printer
from tests.live import LiveServer

RULES = PrinterRules(own_port=5000)
OUTSIDE_PATHS = [
    "file:///etc/passwd",
    "file:///tmp/sitecustomize.pth",
    "file:///dev/usb/../../etc/passwd",
    "file:///dev/usb/lp0/../../../etc/shadow",
    "file:///dev/sda",
    "file:///dev/usb//lp0",
    "file:///proc/self/mem",
    "serial:///etc/passwd",
    "serial:///dev/usb/lp0",
    "serial:///dev/tty/../sda",
]
SERVICE_PORTS = [22, 25, 53, 80, 443, 465, 587, 3306, 5432, 6379, 8080, 11211]


@pytest.mark.parametrize("uri", OUTSIDE_PATHS)
def test_file_and_serial_reach_only_printer_devices(uri):
    with pytest.raises(ValidationError) as refused:
        parse_printer_uri(uri, RULES)
    assert refused.value.field == "printer_uri"


@pytest.mark.parametrize(
    "uri", ["file:///dev/usb/lp0", "file:///dev/ttyUSB0", "serial:///dev/ttyS0?baudrate=19200"]
)
def test_printer_devices_are_accepted(uri):
    assert parse_printer_uri(uri, RULES).uri == uri


def test_the_preview_folder_takes_plain_names_only(tmp_path):
    rules = PrinterRules(preview_dir=os.path.realpath(tmp_path))
    assert parse_printer_uri(f"file://{tmp_path}/kiosk-1.bin", rules).path.endswith("kiosk-1.bin")
    for bad in (f"{tmp_path}/sub/x.bin", f"{tmp_path}/../x.bin", f"{tmp_path}/.pth", f"{tmp_path}"):
        with pytest.raises(ValidationError):
            parse_printer_uri(f"file://{bad}", rules)
    with pytest.raises(ValidationError):  # without a configured folder, no plain file at all
        parse_printer_uri(f"file://{tmp_path}/kiosk-1.bin", RULES)


@pytest.mark.parametrize("port", SERVICE_PORTS)
def test_tcp_refuses_well_known_service_ports(port):
    for uri in (f"tcp://10.0.0.7:{port}", f"emulator://127.0.0.1:{port}"):
        with pytest.raises(ValidationError) as refused:
            parse_printer_uri(uri, RULES)
        assert f"port {port}" in refused.value.message and refused.value.field == "printer_uri"


def test_tcp_refuses_the_servers_own_port_and_an_admin_may_allow_a_service_port():
    with pytest.raises(ValidationError) as refused:
        parse_printer_uri("tcp://127.0.0.1:5123", PrinterRules(own_port=5123))
    assert "own server" in refused.value.message
    allowed = PrinterRules.from_settings({"SIRA_PRINTER_PORTS_ALLOWED": "8080, 80", "SIRA_PORT": 1})
    assert parse_printer_uri("tcp://10.0.0.7:8080", allowed).port == 8080
    assert parse_printer_uri("tcp://10.0.0.7:9100", RULES).port == 9100


def test_the_cli_refuses_what_the_rules_refuse(db_path, store, db, monkeypatch):
    monkeypatch.setenv("SIRA_DB", db_path)
    monkeypatch.setenv("SIRA_PORT", "5123")
    runner = CliRunner()
    for uri in ("file:///etc/passwd", "tcp://127.0.0.1:6379", "tcp://127.0.0.1:5123"):
        refused = runner.invoke(
            cli, ["device", "add", "--kind", "kiosk", "--name", "Door", "--printer", uri]
        )
        assert refused.exit_code == 1, uri
        assert "Printer URI" in refused.output
    assert db.execute("SELECT count(*) FROM devices WHERE name = 'Door'").fetchone()[0] == 0


@pytest.mark.parametrize(
    "uri",
    ["gopher://10.0.0.1:70", "tcp://127.0.0.1:99999", "file:///etc/passwd", "tcp://10.0.0.1:6379"],
)
def test_the_admin_api_refuses_what_the_cli_refuses(client, store, db, uri):
    before = db.execute("SELECT count(*) FROM devices").fetchone()[0]
    created = client.post(
        "/api/v1/devices",
        json={"kind": "kiosk", "name": "Door", "branch_id": store.branch_id, "printer_uri": uri},
        headers=bearer(store.admin_token),
    )
    assert created.status_code == 422, created.json
    assert created.json["error"]["field"] == "printer_uri"
    kiosk = db.execute("SELECT id FROM devices WHERE kind = 'kiosk'").fetchone()[0]
    updated = client.post(
        f"/api/v1/devices/{kiosk}",
        json={"name": "Kiosk", "printer_uri": uri},
        headers=bearer(store.admin_token),
    )
    assert updated.status_code == 422 and updated.json["error"]["field"] == "printer_uri"
    assert db.execute("SELECT count(*) FROM devices").fetchone()[0] == before
    assert db.execute("SELECT printer_uri FROM devices WHERE id = ?", [kiosk]).fetchone()[0] is None


def test_the_admin_form_refuses_it_with_a_message_beside_the_field(app, db, store):
    client = app.test_client()
    csrf = sign_in(client, "admin")
    response = client.post(
        "/admin/devices/new",
        data={
            "csrf_token": csrf,
            "kind": "kiosk",
            "name": "Door",
            "branch_id": str(store.branch_id),
            "printer_uri": "file:///etc/passwd",
        },
    )
    assert response.status_code == 422
    assert any("printer device" in error for error in form_errors(response.text))
    assert db.execute("SELECT count(*) FROM devices WHERE name = 'Door'").fetchone()[0] == 0


def test_print_errors_read_the_same_for_closed_ports_and_open_non_printers(tmp_path):
    """A refused port and a listening service that is no printer give the same message, so a
    printer URI cannot be used as a port scanner."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    silent = PrinterEmulator(port=0, out=tmp_path / "silent").start()
    silent.state.fault = "silent"
    messages = []
    try:
        for port in (closed, silent.port):
            address = parse_printer_uri(f"tcp://127.0.0.1:{port}", RULES)
            with pytest.raises(PrinterUnavailable) as failed:
                deliver(address, b"\x1b@ticket\x1dV\x00", timeout=3)
            messages.append(str(failed.value).replace(str(port), "PORT"))
            assert failed.value.status == "offline" and not failed.value.torn
    finally:
        silent.stop()
    assert messages[0] == messages[1] == "tcp://127.0.0.1:PORT cannot be reached."
    assert silent.tickets == []


def test_a_preview_path_swapped_for_a_fifo_or_a_symlink_is_not_opened(tmp_path):
    """Checked again when opened: a FIFO would block the writer, a symlink would point out."""
    fifo, link = tmp_path / "fifo.bin", tmp_path / "link.bin"
    os.mkfifo(fifo)
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    link.symlink_to(target)
    rules = PrinterRules(preview_dir=os.path.realpath(tmp_path))
    for path in (fifo, link):
        address = parse_printer_uri(f"file://{path}", rules)
        with pytest.raises(OSError):
            FileTransport(address, Deadline(2))
    assert target.read_text() == "keep me"


@pytest.mark.slow
def test_a_printer_file_that_would_block_does_not_freeze_the_server(db_path, store, tmp_path):
    """A FIFO nobody reads, where a printer file is expected: opening it used to block the
    gevent hub and with it every client. Now the attempt fails in its lane's own thread and the
    server keeps answering."""
    folder = tmp_path / "previews"
    folder.mkdir()
    os.mkfifo(folder / "kiosk.bin")
    set_kiosk_printer(db_path, f"file://{os.path.realpath(folder)}/kiosk.bin")
    env = {**FAST_RETRIES, "SIRA_PRINT_PREVIEW_DIR": str(folder)}
    server = LiveServer(db_path, env=env).start()
    try:
        issued = requests.post(
            f"{server.url}/api/v1/tickets",
            json={"service_id": store.payments},
            headers={**bearer(store.kiosk_token), "Idempotency-Key": "fifo"},
            timeout=10,
        )
        assert issued.status_code == 201
        job_url = f"{server.url}/api/v1/print-jobs/{issued.json()['print_job']['id']}"
        for _ in range(200):
            job = requests.get(job_url, headers=bearer(store.staff_token), timeout=10).json()
            if job["last_error"]:
                break
            time.sleep(0.05)
        assert job["status"] != "printed" and job["last_error"].endswith("cannot be reached.")
        again = requests.get(f"{server.url}/api/v1/services", timeout=10)
        assert again.status_code == 200
    finally:
        server.stop()
