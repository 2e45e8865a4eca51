"""CSRF on cookie-authenticated writes, rate limits, and the security headers of every response."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlite_utils
from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_wtf.csrf import CSRFError, CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from server.auth.principal import bearer_token, current_principal
from server.domain.errors import NotAllowed, RateLimited
from server.domain.validation import MAX_INTEGER
from server.engine.clock import iso, utc_now
from server.errors import handle_domain_error
from server.realtime import socketio

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


SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def add_security_headers(response: Response) -> Response:
    """Each header a view has not set itself (one pass over the headers: every response)."""
    present = {name.lower() for name, _ in response.headers}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


# -- rate limits ---------------------------------------------------------------------------------


def address() -> str:
    return request.remote_addr or "unknown"


def login_username() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    username = body.get("username") if hasattr(body, "get") else None
    return str(username or "").strip().lower()[:64]


def login_account_and_address() -> str:
    """Guesses are counted per account and address: an attacker elsewhere cannot lock the owner
    out; from everywhere at once they are slowed down instead (`sign_in_delay`)."""
    return f"account:{login_username()}|{address()}"


def sign_in_delay(db: sqlite_utils.Database, username: Any) -> float:
    """Seconds to wait before checking a password: grows with the account's recent failures.

    Failures from every address count (the audit log has them); past SIRA_LOGIN_DELAY_AFTER in
    the last SIRA_LOGIN_DELAY_WINDOW_S, each one doubles the wait, up to SIRA_LOGIN_DELAY_MAX_S.
    The owner still gets in, a second or so later; a guesser gets a few tries a minute.
    Off, like the rate limits, when SIRA_RATELIMIT_ENABLED=0 (load tests).
    """
    config = current_app.config
    if not isinstance(username, str) or not username or not config["RATELIMIT_ENABLED"]:
        return 0.0
    since = iso(utc_now() - timedelta(seconds=config["SIRA_LOGIN_DELAY_WINDOW_S"]))
    failures = db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND at > ?"
        " AND summary = ?",
        [since, username[:64]],
    ).fetchone()[0]
    extra = failures - config["SIRA_LOGIN_DELAY_AFTER"]
    if extra < 0:
        return 0.0
    return min(config["SIRA_LOGIN_DELAY_MAX_S"], config["SIRA_LOGIN_DELAY_S"] * 2 ** min(extra, 20))


def slow_down_guessing(db: sqlite_utils.Database, username: Any) -> None:
    """Called by the sign-in views before the password is checked (sleeps a greenlet)."""
    delay = sign_in_delay(db, username)
    if delay:
        socketio.sleep(delay)


def hit_limit(setting_name: str, scope: str) -> None:
    """Count one event against a limit outside Flask-Limiter's view (a Socket.IO event)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limiter: Limiter = current_app.extensions["sira_limiter"]
    for item in parse_many(current_app.config[setting_name]):
        if not limiter.limiter.hit(item, scope, address()):
            raise RateLimited(
                "Too many requests (%(limit)s). Wait a moment and try again.",
                "room",
                limit=str(item),
            )


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
# Everything a ticket's token opens: one budget per address (a token guesser tries them all).
PUBLIC_TICKET_ENDPOINTS = ("api.public_ticket", "display.phone", "feedback.rate", "kiosk.ticket_qr")


def limits() -> list[Limit]:
    """Who may do what how often; each limit applies only to its endpoints."""
    return [
        Limit(
            setting("SIRA_LIMIT_LOGIN_ACCOUNT"),
            key_function=login_account_and_address,
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
            exempt_when=only(*PUBLIC_TICKET_ENDPOINTS),
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


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signing serializer made once per key.

    Flask makes the serializer afresh for every request, and itsdangerous tries each new one by
    serializing an empty dict: 7 % of the event loop's time under kiosk load."""

    made: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self.made is None or self.made[0] != keys:
            self.made = (keys, super().get_signing_serializer(app))
        return self.made[1]


def init_app(app: Flask) -> None:
    """Call before blueprints are registered (the bounded <int:> converter must be in place)."""
    app.url_map.converters["int"] = BoundedInteger
    app.session_interface = SessionCookies()
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a kiosk page stays open for days
    csrf.init_app(app)
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    if app.config.get("SIRA_ALLOWED_HOSTS"):
        # Flask answers 400 to a Host header outside the list, before any view runs.
        app.config["TRUSTED_HOSTS"] = [
            host.strip() for host in app.config["SIRA_ALLOWED_HOSTS"].split(",") if host.strip()
        ]
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
