"""Settings: defaults here, then the instance file, then SIRA_* environment variables."""

from __future__ import annotations

import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SIRA_DB": "sira.db",
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
    "SIRA_PRINT_GIVE_UP_S": 300.0,
    # Hours after the visit during which the phone page still takes a rating.
    "SIRA_RATING_WINDOW_H": 24.0,
    # Rate limits (Flask-Limiter). Memory storage counts per process: with several processes
    # set SIRA_RATELIMIT_STORAGE=redis://… so they share the counts.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
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
    "SIRA_RATING_WINDOW_H": float,
    "SIRA_RATELIMIT_STORAGE": str,
    "SIRA_RATELIMIT_ENABLED": lambda text: text.lower() not in ("0", "false", "no", "off"),
    "SIRA_LIMIT_LOGIN_ACCOUNT": str,
    "SIRA_LIMIT_LOGIN_ADDRESS": str,
    "SIRA_LIMIT_TICKETS": str,
    "SIRA_LIMIT_PUBLIC_TICKET": str,
    "SIRA_LIMIT_RATING": str,
    "SIRA_LIMIT_PAIRING": str,
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
