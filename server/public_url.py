"""The address customers and devices are sent to: configured, never taken from a stranger.

Pairing links and ticket QR codes point at SIRA_PUBLIC_URL. Without it the request's Host
header decides, which an attacker can set; SIRA_ALLOWED_HOSTS makes Flask refuse (400) any Host
outside the list, so what remains is one of the store's own names.
"""

from __future__ import annotations

from flask import Request, current_app, request


def public_base_url() -> str:
    return base_url(current_app.config.get("SIRA_PUBLIC_URL"), request)


def base_url(configured: str | None, asked: Request) -> str:
    """The same, outside the request (the writer thread): the Host header is read only when
    no address is configured, and only by the work that needs it."""
    return configured or asked.host_url
