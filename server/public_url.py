"""The address customers and devices are sent to: configured, never taken from a stranger.

Pairing links and ticket QR codes point at SIRA_PUBLIC_URL. Without it the request's Host
header decides, which an attacker can set; SIRA_ALLOWED_HOSTS makes Flask refuse (400) any Host
outside the list, so what remains is one of the store's own names.
"""

from __future__ import annotations

from flask import current_app, request


def public_base_url() -> str:
    return current_app.config.get("SIRA_PUBLIC_URL") or request.host_url
