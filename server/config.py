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
    # Hours after the visit during which the phone page still takes a rating.
    "SIRA_RATING_WINDOW_H": 24.0,
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
}


def from_environment(environ: os._Environ | dict = os.environ) -> dict[str, Any]:
    settings = {}
    for name, parse in ENVIRONMENT.items():
        if name in environ:
            key = "SECRET_KEY" if name == "SIRA_SECRET_KEY" else name
            settings[key] = parse(environ[name])
    return settings
