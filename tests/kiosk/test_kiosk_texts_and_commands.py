"""Every kiosk text is translated; the CLI commands of the kiosk part do what they say."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from kiosk.printing.delivery import deliver
from kiosk.printing.layout import render_ticket
from kiosk.printing.uris import parse_printer_uri
from server.commands import cli
from tests.kiosk.test_ticket_layout import ticket
from tests.live import ROOT, free_port

KIOSK = ROOT / "kiosk"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


@pytest.mark.parametrize("language", ["tr", "ms"])
def test_every_kiosk_text_is_translated(language):
    used = {message for _, _, message, *_ in extract_from_dir(str(KIOSK), METHOD_MAP)}
    path = KIOSK / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert used and used <= translated, sorted(used - translated)


def test_demo_prints_the_kiosk_address_with_its_token(tmp_path, monkeypatch):
    monkeypatch.setenv("SIRA_DB", str(tmp_path / "demo.db"))
    result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    kiosk_line = next(line for line in result.output.splitlines() if "Kiosk" in line)
    assert "http://127.0.0.1:5000/kiosk#token=" in kiosk_line


def test_printer_emulator_command_keeps_tickets_in_its_folder(tmp_path):
    port = free_port()
    out = tmp_path / "tickets"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            "printer-emulator",
            "--port",
            str(port),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        assert b"Virtual printer on tcp://127.0.0.1:" in process.stderr.readline()
        deliver(parse_printer_uri(f"tcp://127.0.0.1:{port}"), render_ticket(ticket(), None, 80))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not list(out.glob("*.png")):
            time.sleep(0.05)
        assert sorted(p.name for p in out.iterdir()) == [
            "ticket-0001-B042.png",
            "ticket-0001-B042.txt",
        ]
        assert "İade ve değişim" in Path(out / "ticket-0001-B042.txt").read_text("utf-8")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


@pytest.mark.parametrize(("printer", "why"), [("agent", "local printer"), ("lp0", "no scheme")])
def test_kiosk_agent_refuses_a_printer_it_cannot_print_on(printer, why, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "kiosk-agent",
            "--server",
            "http://127.0.0.1:9",
            "--token",
            "t",
            "--printer",
            printer,
            "--journal",
            str(tmp_path / "journal.txt"),
        ],
    )
    assert result.exit_code == 1
    assert why in result.output
