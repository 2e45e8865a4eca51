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
    # `sira serve` picks gevent; an app made in a test or a WSGI script uses plain threads
    # rather than whichever async library happens to be installed.
    "SIRA_ASYNC_MODE": "threading",
    "SIRA_PUBLIC_URL": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_SORT_KEYS": False,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # The print queue (kiosk/): backoff between attempts, and when a ticket is not worth printing.
    "SIRA_PRINT_RETRY_S": 2.0,
    "SIRA_PRINT_RETRY_MAX_S": 30.0,
    "SIRA_PRINT_GIVE_UP_S": 300.0,
    # Seconds without a workstation heartbeat after which its counter closes (issue 12).
    "SIRA_COUNTER_GRACE_S": 60.0,
    # Hours after the visit during which the phone page still takes a rating.
    "SIRA_RATING_WINDOW_H": 24.0,
    # Rate limits (Flask-Limiter). Memory storage counts per process: with several processes
    # set SIRA_RATELIMIT_STORAGE=redis://… so they share the counts.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "SIRA_LIMIT_LOGIN_ACCOUNT": "5 per minute; 30 per hour",
    "SIRA_LIMIT_LOGIN_ADDRESS": "20 per minute",
    "SIRA_LIMIT_TICKETS": "60 per minute",
    "SIRA_LIMIT_PUBLIC_TICKET": "120 per minute",
    "SIRA_LIMIT_RATING": "10 per minute",
    "SIRA_LIMIT_PAIRING": "10 per minute",
    # How many reverse proxies stand before Sıra (their X-Forwarded-For is then trusted).
    "SIRA_PROXY_HOPS": 0,
    # Logos uploaded by admins: their folder (default: the instance folder's media/) and size.
    "SIRA_MEDIA_DIR": None,
    "SIRA_MAX_LOGO_BYTES": 512 * 1024,
}

# Environment variables read as settings, and how to turn their text into a value.
ENVIRONMENT = {
    "SIRA_DB": str,
    "SIRA_SECRET_KEY": str,
    "SIRA_MESSAGE_QUEUE": str,
    "SIRA_MESSAGE_CHANNEL": str,
    "SIRA_ASYNC_MODE": str,
    "SIRA_PUBLIC_URL": str,
    "SIRA_PRINT_RETRY_S": float,
    "SIRA_PRINT_RETRY_MAX_S": float,
    "SIRA_PRINT_GIVE_UP_S": float,
    "SIRA_RATING_WINDOW_H": float,
    "SIRA_COUNTER_GRACE_S": float,
    "SIRA_RATELIMIT_STORAGE": str,
    "SIRA_RATELIMIT_ENABLED": lambda text: text.lower() not in ("0", "false", "no", "off"),
    "SIRA_LIMIT_LOGIN_ACCOUNT": str,
    "SIRA_LIMIT_LOGIN_ADDRESS": str,
    "SIRA_LIMIT_TICKETS": str,
    "SIRA_LIMIT_PUBLIC_TICKET": str,
    "SIRA_LIMIT_RATING": str,
    "SIRA_LIMIT_PAIRING": str,
    "SIRA_PROXY_HOPS": int,
    "SIRA_MEDIA_DIR": str,
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
