"""CSRF on cookie-authenticated writes, and the security headers of every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from server.auth.principal import bearer_token
from server.domain.errors import NotAllowed
from server.errors import handle_domain_error

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "connect-src 'self' ws: wss:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def check_csrf() -> None:
    """Writes that ride on cookies (a staff session, a device) must carry the CSRF token.

    A bearer token cannot be sent by another site, and a request with no cookies at all has
    no ambient authority to abuse, so neither needs one.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token() or not request.cookies:
        return
    csrf.protect()


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a kiosk page stays open for days
    csrf.init_app(app)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError):
        return handle_domain_error(
            NotAllowed(f"{error.description} Reload the page and try again.", "csrf_token")
        )
