"""`sira` subcommands: set up the database, run the server, manage users, tokens and devices."""

from __future__ import annotations

import os
import sys
from functools import wraps
from pathlib import Path

import click

from kiosk.cli import kiosk_agent, printer_emulator
from kiosk.emulator.server import PrinterEmulator
from kiosk.printing.dispatch import start_print_worker
from kiosk.printing.uris import validate_printer_uri
from server import serving
from server.app import create_app
from server.auth.accounts import add_device, add_user, create_token
from server.db import init_db
from server.demo import seed
from server.domain.errors import DomainError
from server.realtime import socketio
from server.realtime.heartbeat import start_counter_watch
from server.storage import connect, hold_wal_open
from server.store import add_branch


def database_path() -> str:
    return os.environ.get("SIRA_DB", "sira.db")


def read_password(prompt: str) -> str:
    """From standard input when it is not a terminal (scripts); otherwise asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


def fail_on_domain_error(function):
    """Print a refusal as one clear line and exit 1, instead of a traceback."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DomainError as error:
            raise click.ClickException(error.message) from None

    return wrapper


@click.group()
def cli() -> None:
    """Sıra: queue tickets, counters, display boards and ratings for a service desk."""


@cli.command()
@click.option("--branch-name", default="Main store", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
@fail_on_domain_error
def init(branch_name: str, timezone: str) -> None:
    """Create or upgrade the database (SIRA_DB); a new one gets its first branch."""
    path = database_path()
    ran = init_db(path)
    db = connect(path)
    if not db.execute("SELECT 1 FROM branches").fetchone():
        add_branch(db, branch_name, "main", timezone=timezone)
        click.echo(f"Created branch {branch_name!r}.")
    click.echo(f"{path}: " + (f"applied {', '.join(ran)}" if ran else "up to date"))
    if not db.execute("SELECT 1 FROM users WHERE role = 'admin'").fetchone():
        click.echo("No administrator yet: sira user add NAME --role admin")


@cli.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "staff"]), required=True)
@click.option("--display-name", default=None)
@fail_on_domain_error
def user_add(username: str, role: str, display_name: str | None) -> None:
    """Add a user; the password comes from standard input, or a prompt on a terminal."""
    password = read_password("Password")
    user_id = add_user(connect(database_path()), username, role, password, display_name)
    click.echo(f"Added {role} {username} (id {user_id}).")


@cli.group()
def token() -> None:
    """Bearer tokens for scripts and staff tools."""


@token.command("create")
@click.argument("username")
@fail_on_domain_error
def token_create(username: str) -> None:
    """Print a new bearer token for USERNAME."""
    click.echo(create_token(connect(database_path()), username))


@cli.group()
def device() -> None:
    """Kiosks, display boards and feedback screens."""


@device.command("add")
@click.option("--kind", type=click.Choice(["kiosk", "display", "feedback"]), required=True)
@click.option("--name", required=True)
@click.option("--branch", "branch_id", type=int, default=1, show_default=True)
@click.option("--counter", "counter_id", type=int, default=None)
@click.option("--printer", "printer_uri", default=None)
@fail_on_domain_error
def device_add(
    kind: str, name: str, branch_id: int, counter_id: int | None, printer_uri: str | None
) -> None:
    """Register a device and print its token."""
    _, device_token = add_device(
        connect(database_path()),
        kind,
        name,
        branch_id,
        counter_id,
        validate_printer_uri(printer_uri),
    )
    click.echo(device_token)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the production server with WebSockets (gevent unless SIRA_ASYNC_MODE says otherwise)."""
    init_db(database_path())
    run_server(host, port)


def run_server(host: str, port: int) -> None:
    app = create_app(
        {
            "SIRA_DB": database_path(),
            "SIRA_ASYNC_MODE": os.environ.get("SIRA_ASYNC_MODE") or "gevent",
        }
    )
    start_print_worker(app)
    start_counter_watch(app)
    click.echo(f"Sıra serving on http://{host}:{port} ({socketio.async_mode})", err=True)
    wal = hold_wal_open(database_path())
    try:
        serving.serve(app, host, port)
    finally:
        wal.conn.close()


@cli.command()
@click.option(
    "--history",
    "history_days",
    default=0,
    type=int,
    help="Also generate this many past days of tickets and ratings.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--serve/--no-serve", default=True, help="Start the server after seeding.")
def demo(history_days: int, host: str, port: int, serve: bool) -> None:
    """A fresh demo store in SIRA_DB (default demo.db), its URLs and logins, then the server."""
    path = os.environ.get("SIRA_DB", "demo.db")
    os.environ["SIRA_DB"] = path
    for stale in (path, f"{path}-wal", f"{path}-shm"):
        Path(stale).unlink(missing_ok=True)
    init_db(path)
    store = seed(connect(path), printer_uri="emulator", history_days=history_days)
    base = f"http://{host}:{port}"
    printer = start_demo_printer() if serve else None
    tokens = store.device_tokens
    pages = [
        ("Kiosk", f"/kiosk#token={tokens['Entrance kiosk']}"),
        ("Display board", f"/display#token={tokens['Waiting-area board']}"),
        ("Feedback screen", f"/feedback#token={tokens['Counter 1 feedback']}"),
        ("Counter (staff)", "/login?next=/counter"),
        ("Manager", "/manager"),
        ("Admin", "/admin"),
        ("API", "/api/v1/services"),
    ]
    click.echo(f"\nSıra demo store ({path})\n")
    for label, page in pages:
        click.echo(f"  {label:<16} {base}{page}")
    if printer:
        click.echo(f"  {'Printer':<16} virtual, tickets in {Path('printer-out').resolve()}/")
    click.echo("\n  Logins (username / password):")
    for username, password in store.logins.items():
        click.echo(f"    {username:<10} {password}")
    click.echo("\n  Device tokens (for pairing by hand):")
    for name, device_token in tokens.items():
        click.echo(f"    {name:<22} {device_token}")
    click.echo("")
    if serve:
        run_server(host, port)


def start_demo_printer() -> PrinterEmulator | None:
    """The demo kiosk's virtual printer, in the background of the demo server."""
    try:
        return PrinterEmulator(out=Path("printer-out")).start()
    except OSError as error:
        click.echo(f"  (virtual printer not started: port 9100: {error.strerror})", err=True)
        return None


cli.add_command(printer_emulator)
cli.add_command(kiosk_agent)
