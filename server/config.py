"""Settings: defaults here, then the instance file, then SIRA_* environment variables.

Every command and the server read them the same way (`load`), from one home folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Config

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # The SQLite file; by default sira.db in the home folder.
    "SIRA_DB": None,
    "SECRET_KEY": None,
    "SIRA_MESSAGE_QUEUE": None,
    # The pub/sub channel on the message queue; installations sharing one Redis need their own.
    "SIRA_MESSAGE_CHANNEL": "sira",
    # How often a process's Redis listener retries while Redis is away.
    "SIRA_MQ_RETRY_S": 1.0,
    # How often each process re-checks its live connections' tokens and sessions against the
    # database (a revocation whose message was lost, say while Redis was down, still lands).
    "SIRA_CONNECTION_RECHECK_S": 15.0,
    # `sira serve` picks gevent; an app made in a test or a WSGI script uses plain threads
    # rather than whichever async library happens to be installed.
    "SIRA_ASYNC_MODE": "threading",
    # The address in pairing links and ticket QR codes; without it, the Host header decides, so
    # set it, or SIRA_ALLOWED_HOSTS ("sira.example.com,10.0.0.5:5000") to refuse other hosts.
    "SIRA_PUBLIC_URL": None,
    "SIRA_ALLOWED_HOSTS": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_SORT_KEYS": False,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # The print queue (kiosk/): backoff between attempts, and when a ticket is not worth printing.
    "SIRA_PRINT_RETRY_S": 2.0,
    "SIRA_PRINT_RETRY_MAX_S": 30.0,
    # A job not printed this long after its ticket never prints: the kiosk has told the customer
    # so by then (the kiosk page reads this), and a late ticket would be taken by the next person.
    "SIRA_PRINT_GIVE_UP_S": 15.0,
    # The longest one attempt may take (connect, status, bytes, status): a dead printer holds up
    # only its own lane, and only this long.
    "SIRA_PRINT_TIMEOUT_S": 5.0,
    # How often an idle printer is asked how it is (paper out, switched off), so the kiosk warns
    # before a customer taps rather than after their ticket failed.
    "SIRA_PRINTER_PROBE_S": 30.0,
    # Printer URIs: file:// may also write into this folder (ticket previews), and tcp:// may use
    # these well-known service ports (comma-separated; refused by default).
    "SIRA_PRINT_PREVIEW_DIR": None,
    "SIRA_PRINTER_PORTS_ALLOWED": "",
    # The port `sira serve` listens on (set by `--port`): no printer URI may point at it.
    "SIRA_PORT": 5000,
    # Seconds without a workstation heartbeat after which its counter closes (issue 12).
    "SIRA_COUNTER_GRACE_S": 60.0,
    # A branch room gets at most one `queue` event per this many seconds; each stands for the
    # changes since the last (server/realtime/branch_events.py).
    "SIRA_QUEUE_EVENT_INTERVAL_S": 0.1,
    # Hours after the visit during which the phone page still takes a rating.
    "SIRA_RATING_WINDOW_H": 24.0,
    # Rate limits (Flask-Limiter). Memory storage counts per process: with several processes
    # set SIRA_RATELIMIT_STORAGE=redis://… so they share the counts.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # When that Redis is down, count in this process's memory instead of answering 500.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # Refused sign-ins per account and address; past SIRA_LOGIN_DELAY_AFTER failures of one
    # account (from anywhere) in the window, each sign-in waits, doubling up to the maximum.
    "SIRA_LIMIT_LOGIN_ACCOUNT": "5 per minute; 30 per hour",
    "SIRA_LOGIN_DELAY_AFTER": 5,
    "SIRA_LOGIN_DELAY_S": 0.5,
    "SIRA_LOGIN_DELAY_MAX_S": 10.0,
    "SIRA_LOGIN_DELAY_WINDOW_S": 900.0,
    "SIRA_LIMIT_LOGIN_ADDRESS": "20 per minute",
    "SIRA_LIMIT_TICKETS": "60 per minute",
    "SIRA_LIMIT_PUBLIC_TICKET": "120 per minute",
    "SIRA_LIMIT_RATING": "10 per minute",
    "SIRA_LIMIT_PAIRING": "10 per minute",
    # Joins from phones per address: a family or a few friends on one Wi-Fi join within
    # seconds of each other; a script on one address does not fill the queue.
    "SIRA_LIMIT_JOIN": "10 per minute; 40 per hour",
    # `sira serve`: how long a connection may idle between requests, take to send a request's
    # line and headers, and wait on any one read (a body, a WebSocket frame).
    "SIRA_KEEPALIVE_TIMEOUT_S": 15.0,
    "SIRA_HEADER_TIMEOUT_S": 10.0,
    "SIRA_READ_TIMEOUT_S": 60.0,
    # Socket.IO, per connection: events a second after a burst, handlers running at once, rooms.
    "SIRA_SOCKET_EVENTS_PER_S": 20.0,
    "SIRA_SOCKET_EVENT_BURST": 60,
    "SIRA_SOCKET_HANDLERS": 2,
    "SIRA_SOCKET_ROOMS": 8,
    # How many reverse proxies stand before Sıra (their X-Forwarded-For is then trusted).
    "SIRA_PROXY_HOPS": 0,
    # Logos uploaded by admins: their folder (default: the instance folder's media/) and size.
    "SIRA_MEDIA_DIR": None,
    "SIRA_MAX_LOGO_BYTES": 512 * 1024,
    # Checked from the picture's header before decoding: 10 million pixels take 40 MB to open.
    "SIRA_MAX_LOGO_PIXELS": 10_000_000,
}

# Environment variables read as settings, and how to turn their text into a value.
ENVIRONMENT = {
    "SIRA_DB": str,
    "SIRA_SECRET_KEY": str,
    "SIRA_MESSAGE_QUEUE": str,
    "SIRA_MESSAGE_CHANNEL": str,
    "SIRA_MQ_RETRY_S": float,
    "SIRA_CONNECTION_RECHECK_S": float,
    "SIRA_ASYNC_MODE": str,
    "SIRA_PUBLIC_URL": str,
    "SIRA_ALLOWED_HOSTS": str,
    "SIRA_LOGIN_DELAY_AFTER": int,
    "SIRA_LOGIN_DELAY_S": float,
    "SIRA_LOGIN_DELAY_MAX_S": float,
    "SIRA_LOGIN_DELAY_WINDOW_S": float,
    "SIRA_PRINT_RETRY_S": float,
    "SIRA_PRINT_RETRY_MAX_S": float,
    "SIRA_PRINT_GIVE_UP_S": float,
    "SIRA_PRINT_TIMEOUT_S": float,
    "SIRA_PRINTER_PROBE_S": float,
    "SIRA_PRINT_PREVIEW_DIR": str,
    "SIRA_PRINTER_PORTS_ALLOWED": str,
    "SIRA_PORT": int,
    "SIRA_RATING_WINDOW_H": float,
    "SIRA_COUNTER_GRACE_S": float,
    "SIRA_QUEUE_EVENT_INTERVAL_S": float,
    "SIRA_RATELIMIT_STORAGE": str,
    "SIRA_RATELIMIT_ENABLED": lambda text: text.lower() not in ("0", "false", "no", "off"),
    "SIRA_LIMIT_LOGIN_ACCOUNT": str,
    "SIRA_LIMIT_LOGIN_ADDRESS": str,
    "SIRA_LIMIT_TICKETS": str,
    "SIRA_LIMIT_PUBLIC_TICKET": str,
    "SIRA_LIMIT_RATING": str,
    "SIRA_LIMIT_PAIRING": str,
    "SIRA_LIMIT_JOIN": str,
    "SIRA_PROXY_HOPS": int,
    "SIRA_SOCKET_EVENTS_PER_S": float,
    "SIRA_KEEPALIVE_TIMEOUT_S": float,
    "SIRA_HEADER_TIMEOUT_S": float,
    "SIRA_READ_TIMEOUT_S": float,
    "SIRA_SOCKET_EVENT_BURST": int,
    "SIRA_SOCKET_HANDLERS": int,
    "SIRA_SOCKET_ROOMS": int,
    "SIRA_MEDIA_DIR": str,
    "SIRA_MAX_LOGO_PIXELS": int,
}

# Environment variables that set a setting of another name (a Flask or extension setting).
RENAMED = {
    "SIRA_SECRET_KEY": "SECRET_KEY",
    "SIRA_RATELIMIT_STORAGE": "RATELIMIT_STORAGE_URI",
    "SIRA_RATELIMIT_ENABLED": "RATELIMIT_ENABLED",
}


def from_environment(environ: os._Environ | dict = os.environ) -> dict[str, Any]:
    settings = {}
    for name, parse in ENVIRONMENT.items():
        if name in environ:
            settings[RENAMED.get(name, name)] = parse(environ[name])
    return settings


def home_folder(environ: os._Environ | dict = os.environ) -> Path:
    """Where a store keeps its state (database, secret key, logos, printer previews, config.py).

    SIRA_HOME when set (a system install: /var/lib/sira); in a checkout, its instance/ folder;
    otherwise the user's data folder, so that state never lives inside a virtual environment.
    """
    if environ.get("SIRA_HOME"):
        return Path(environ["SIRA_HOME"]).expanduser().absolute()
    if (ROOT / "pyproject.toml").is_file():
        return ROOT / "instance"
    data = environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "sira"


def load(home: Path, environ: os._Environ | dict = os.environ) -> Config:
    """Defaults, then the home folder's config.py (SIRA_* names allowed), then the environment."""
    config = Config(str(home), DEFAULTS)
    config.from_pyfile("config.py", silent=True)
    for name, setting in RENAMED.items():
        if name in config:
            config[setting] = config.pop(name)
    config.update(from_environment(environ))
    if not config["SIRA_DB"]:
        config["SIRA_DB"] = str(home / "sira.db")
    return config
