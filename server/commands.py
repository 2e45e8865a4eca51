"""`sira` subcommands: set up the database, run the server, manage users, tokens and devices."""

from __future__ import annotations

import os
import sqlite3
import sys
from functools import cache, wraps
from pathlib import Path

import click
from flask import Config

from kiosk.cli import kiosk_agent, printer_emulator
from kiosk.emulator.server import PrinterEmulator
from kiosk.printing.dispatch import start_print_worker
from server import __version__, config, serving
from server.app import create_app
from server.auth.accounts import add_device, add_user, create_token, revoke_token, tokens
from server.db import init_db
from server.demo import seed
from server.domain.errors import DomainError
from server.domain.validation import integer
from server.realtime import socketio
from server.realtime.heartbeat import start_counter_watch
from server.storage import connect, hold_wal_open
from server.storage.backup import NotABackup, backup, restore
from server.storage.checkpoints import checkpoint_in_background
from server.storage.locks import DatabaseInUse, hold_serving
from server.store import add_branch


@cache
def settings() -> Config:
    """The settings every command reads: the home folder's config.py and SIRA_* variables."""
    folder = config.home_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return config.load(folder)


def database_path() -> str:
    return settings()["SIRA_DB"]


def home() -> Path:
    return Path(settings().root_path)


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


# Commands that do not open the store's database, so need not say which one they use.
WITHOUT_DATABASE = {"printer-emulator", "kiosk-agent"}


@click.group()
@click.version_option(__version__, prog_name="sira")
@click.pass_context
def cli(context: click.Context) -> None:
    """Sıra: queue tickets, counters, display boards and ratings for a service desk.

    A store's state lives in its home folder (SIRA_HOME): the database, the secret key,
    uploaded logos, printer previews and the settings file config.py.
    """
    settings.cache_clear()
    if context.invoked_subcommand not in WITHOUT_DATABASE:
        click.echo(f"Sıra {__version__}: home {home()}, database {database_path()}", err=True)


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


class RecordId(click.ParamType):
    """A record's id on the command line: ASCII digits only, as everywhere else (no "²", "١")."""

    name = "id"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int):
            return value
        try:
            number = integer(value, param.name if param else "id")
        except DomainError as error:
            self.fail(error.message, param, ctx)
        if number < 1:
            self.fail(f"{value!r} is not an id (a whole number from 1).", param, ctx)
        return number


RECORD_ID = RecordId()


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


@token.command("list")
@click.argument("username", required=False)
@fail_on_domain_error
def token_list(username: str | None) -> None:
    """List bearer tokens (id, user, created, active or revoked), of USERNAME if given."""
    for row in tokens(connect(database_path()), username):
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        click.echo(f"{row['id']}\t{row['username']}\tcreated {row['created_at']}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=RECORD_ID)
@fail_on_domain_error
def token_revoke(token_id: int) -> None:
    """Revoke token ID at once; live connections made with it close within a re-check."""
    revoke_token(connect(database_path()), token_id)
    click.echo(f"Revoked token {token_id}.")


@cli.group()
def device() -> None:
    """Kiosks, display boards and feedback screens."""


@device.command("add")
@click.option("--kind", type=click.Choice(["kiosk", "display", "feedback"]), required=True)
@click.option("--name", required=True)
@click.option("--branch", "branch_id", type=RECORD_ID, default=1, show_default=True)
@click.option("--counter", "counter_id", type=RECORD_ID, default=None)
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
        printer_uri,
    )
    click.echo(device_token)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the production server with WebSockets (gevent unless SIRA_ASYNC_MODE says otherwise)."""
    run_server(host, port)


def run_server(host: str, port: int) -> None:
    """Hold the database as served (so `sira restore` waits), upgrade it, serve it."""
    path = database_path()
    serving_lock = hold_serving(path)
    init_db(path)
    # Before the app's connections open: none of them may checkpoint on commit
    # (storage/checkpoints.py).
    checkpoint_in_background(path)
    app = create_app(
        {
            "SIRA_DB": path,
            "SIRA_ASYNC_MODE": os.environ.get("SIRA_ASYNC_MODE") or "gevent",
            "SIRA_PORT": port,
        }
    )
    start_print_worker(app)
    start_counter_watch(app)
    click.echo(f"Sıra serving {path} on http://{host}:{port} ({socketio.async_mode})", err=True)
    wal = hold_wal_open(path)
    try:
        serving.serve(app, host, port)
    finally:
        wal.conn.close()
        serving_lock.close()


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(target: Path) -> None:
    """Write a consistent copy of the database to TARGET, also while servers run and write."""
    try:
        backup(database_path(), target)
    except NotABackup as error:
        raise click.ClickException(f"nothing to back up: {error}") from None
    except (OSError, sqlite3.Error) as error:
        raise click.ClickException(f"cannot write {target}: {error}") from None
    click.echo(f"Backed up {database_path()} to {target}.")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path) -> None:
    """Replace the database by the backup SOURCE; refused while a server runs on it."""
    try:
        restore(source, database_path())
    except DatabaseInUse:
        raise click.ClickException(
            f"a server is running on {database_path()}: stop it first, then restore."
        ) from None
    except NotABackup as error:
        raise click.ClickException(f"not a Sıra backup: {error}") from None
    click.echo(f"Restored {database_path()} from {source}.")


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
@click.option("--replace", is_flag=True, help="Replace an existing database with the demo store.")
def demo(history_days: int, host: str, port: int, serve: bool, replace: bool) -> None:
    """A demo store in the home's database, its URLs and logins, then the server."""
    path = database_path()
    if Path(path).exists() and not replace:
        raise click.ClickException(
            f"{path} exists: `sira demo --replace` replaces it with a demo store,"
            " or set SIRA_HOME to another folder."
        )
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
        ("Join by phone", "/join/demo"),
        ("Counter (staff)", "/login?next=/counter"),
        ("Manager", "/manager"),
        ("Admin", "/admin"),
        ("API", "/api/v1/services"),
    ]
    click.echo(f"\nSıra demo store ({path})\n")
    for label, page in pages:
        click.echo(f"  {label:<16} {base}{page}")
    if printer:
        click.echo(f"  {'Printer':<16} virtual, tickets in {printer.out}/")
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
        return PrinterEmulator(out=home() / "printer-out").start()
    except OSError as error:
        click.echo(f"  (virtual printer not started: port 9100: {error.strerror})", err=True)
        return None


cli.add_command(printer_emulator)
cli.add_command(kiosk_agent)
