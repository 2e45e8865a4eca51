"""CSRF on cookie-authenticated writes, rate limits, and the security headers of every response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from server.auth.principal import bearer_token, current_principal
from server.domain.errors import NotAllowed, RateLimited
from server.domain.validation import MAX_INTEGER
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
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    return response


# -- rate limits ---------------------------------------------------------------------------------


def address() -> str:
    return request.remote_addr or "unknown"


def login_account() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    username = body.get("username") if hasattr(body, "get") else None
    return f"account:{str(username or '').strip().lower()[:64]}"


def issuing_kiosk() -> str:
    return f"device:{current_principal().device_id}"


def only(*endpoints: str, when: Callable[[], bool] = lambda: True) -> Callable[[], bool]:
    """exempt_when for a limit that applies to these endpoints (and only when `when`)."""
    return lambda: request.endpoint not in endpoints or not when()


def setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def refused_login(response: Response) -> bool:
    return response.status_code in (401, 422)


# Sign-in forms may live in other blueprints (the staff login page): they are limited alike.
LOGIN_ENDPOINTS = ("api.login", "workstation.login", "auth.login")
PAIRING_ENDPOINTS = ("api.device_pair", "pairing.pair")


def limits() -> list[Limit]:
    """Who may do what how often; each limit applies only to its endpoints."""
    return [
        Limit(
            setting("SIRA_LIMIT_LOGIN_ACCOUNT"),
            key_function=login_account,
            exempt_when=only(*LOGIN_ENDPOINTS, when=lambda: request.method == "POST"),
            deduct_when=refused_login,
            scope="login-account",
            shared=True,
        ),
        Limit(
            setting("SIRA_LIMIT_LOGIN_ADDRESS"),
            key_function=address,
            exempt_when=only(*LOGIN_ENDPOINTS, when=lambda: request.method == "POST"),
            deduct_when=refused_login,
            scope="login-address",
            shared=True,
        ),
        Limit(
            setting("SIRA_LIMIT_TICKETS"),
            key_function=issuing_kiosk,
            exempt_when=only("api.issue_ticket", when=lambda: current_principal().kind == "device"),
            scope="tickets",
            shared=True,
        ),
        Limit(
            setting("SIRA_LIMIT_PUBLIC_TICKET"),
            key_function=address,
            exempt_when=only("api.public_ticket"),
            scope="public-ticket",
            shared=True,
        ),
        Limit(
            setting("SIRA_LIMIT_RATING"),
            key_function=address,
            exempt_when=only("api.rate"),
            scope="rating",
            shared=True,
        ),
        Limit(
            setting("SIRA_LIMIT_JOIN"),
            key_function=address,
            exempt_when=only("api.join_queue"),
            scope="join",
            shared=True,
        ),
        Limit(
            setting("SIRA_LIMIT_PAIRING"),
            key_function=address,
            exempt_when=only(*PAIRING_ENDPOINTS, when=lambda: request.method == "POST"),
            scope="pairing",
            shared=True,
        ),
    ]


def rate_limited(error: RateLimitExceeded):
    """A 429 in Sıra's error shape; Flask-Limiter adds the Retry-After header."""
    return handle_domain_error(
        RateLimited(
            "Too many requests (%(limit)s). Wait a moment and try again.", limit=error.description
        )
    )


class BoundedInteger(IntegerConverter):
    """<int:…> in URLs stops at SQLite's largest integer: a longer number is a 404, not a 500."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Call before blueprints are registered (the bounded <int:> converter must be in place)."""
    app.url_map.converters["int"] = BoundedInteger
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a kiosk page stays open for days
    csrf.init_app(app)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    if str(app.config.get("SIRA_PUBLIC_URL") or "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config.get("SIRA_PROXY_HOPS"):
        hops = int(app.config["SIRA_PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # One limiter per app: its counts live in the app's configured storage.
    app.extensions["sira_limiter"] = Limiter(address, app=app, default_limits=limits())
    app.register_error_handler(RateLimitExceeded, rate_limited)

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError):
        return handle_domain_error(
            NotAllowed(
                "This form has expired or did not come from this site (%(reason)s). "
                "Reload the page and try again.",
                "csrf_token",
                reason=error.description,
            )
        )
