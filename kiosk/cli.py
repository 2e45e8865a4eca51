"""`sira printer-emulator` and `sira kiosk-agent`, added to the `sira` command."""

from __future__ import annotations

import time
from pathlib import Path

import click

from kiosk.emulator.decoder import FAULTS, PAPER_STATES
from kiosk.emulator.server import PrinterEmulator
from server.config import home_folder
from server.domain.errors import ValidationError


@click.command("printer-emulator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9100, show_default=True, type=int)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for each ticket's text preview and PNG  [default: printer-out/ in SIRA_HOME]",
)
@click.option(
    "--profile",
    default="default",
    show_default=True,
    help="python-escpos printer profile (its code pages decode the text).",
)
@click.option(
    "--paper", "paper_width_mm", type=click.Choice(["58", "80"]), default="80", show_default=True
)
@click.option(
    "--paper-status",
    type=click.Choice(PAPER_STATES),
    default="ok",
    show_default=True,
    help="What the printer answers to status queries.",
)
@click.option(
    "--fault",
    type=click.Choice(FAULTS),
    default="none",
    show_default=True,
    help="Misbehave: never answer status (silent), or drop every ticket part-way (drop).",
)
def printer_emulator(
    host: str,
    port: int,
    out_dir: Path | None,
    profile: str,
    paper_width_mm: str,
    paper_status: str,
    fault: str,
) -> None:
    """The virtual ESC/POS network printer: prints tickets into a folder as text and PNG."""
    out_dir = out_dir or home_folder() / "printer-out"
    emulator = PrinterEmulator(host, port, out_dir, profile, int(paper_width_mm))
    emulator.state.paper = paper_status
    emulator.state.fault = fault
    emulator.start()
    click.echo(f"Virtual printer on tcp://{host}:{emulator.port}, tickets in {out_dir}/", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()


@click.command("kiosk-agent")
@click.option("--server", "server_url", required=True, help="The Sıra server, http://host:port")
@click.option("--token", required=True, help="The kiosk's device token.")
@click.option(
    "--printer", "printer_uri", required=True, help="The local printer, e.g. usb://04b8:0e15"
)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File of printed job ids (so nothing prints twice).",
)
def kiosk_agent(server_url: str, token: str, printer_uri: str, journal: Path | None) -> None:
    """Print this kiosk's tickets on a printer attached to the kiosk PC."""
    from kiosk.agent import PrintAgent, wait_forever

    try:
        agent = PrintAgent(server_url, token, printer_uri, journal)
    except (ValidationError, ValueError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    click.echo(f"Sıra print agent: {server_url} → {printer_uri}", err=True)
    wait_forever(agent)
