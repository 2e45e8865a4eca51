"""One error type, one handler: JSON under /api/, a friendly page elsewhere."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException

from server.auth.principal import current_principal
from server.domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationError,
)
from server.i18n import translated

STATUS = {
    BadRequest: 400,
    NotAuthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    InvalidTransition: 409,
    Conflict: 409,
    ValidationError: 422,
    RateLimited: 429,
}


# What an error page says, per status, in the reader's language (Werkzeug's own texts are English).
PAGE_MESSAGES = {
    400: lazy_gettext("The request could not be understood. Please go back and try again."),
    403: lazy_gettext("Your account may not open this page."),
    404: lazy_gettext("We cannot find this page. Please check the address."),
    405: lazy_gettext("This page cannot be used that way."),
    413: lazy_gettext("What you sent is too large."),
    429: lazy_gettext("Too many attempts. Please wait a moment and try again."),
    500: lazy_gettext("Something went wrong on our side. Please try again in a moment."),
}

# Where "back" leads from an error page: each person's own start page.
HOME_BY_ROLE = {"admin": "/admin/", "manager": "/manager", "staff": "/counter"}
HOME_BY_DEVICE = {"kiosk": "/kiosk", "display": "/display", "feedback": "/feedback"}


def home_url() -> str | None:
    """The signed-in person's or paired device's own page; the site's start page for anyone
    else, when there is one (None: no link rather than a link to another 404)."""
    try:
        principal = current_principal()
    except Exception:  # an error page must render even when the database is what failed
        principal = None
    if principal is not None and principal.kind == "user":
        return HOME_BY_ROLE.get(principal.role)
    if principal is not None and principal.kind == "device":
        return HOME_BY_DEVICE.get(principal.role)
    adapter = current_app.url_map.bind("localhost")
    return "/" if adapter.test("/", method="GET") else None


def error_page(status: int, message: str | None = None):
    """The friendly page: the given (translated) message, else the status's own."""
    text = message or PAGE_MESSAGES.get(status, PAGE_MESSAGES[500])
    return render_template("error.html", status=status, message=text, home=home_url()), status


def status_of(error: DomainError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


def error_response(
    status: int, code: str, message: str, field: str | None = None
) -> tuple[Response, int]:
    body: dict = {"code": code, "message": message}
    if field:
        body["field"] = field
    return jsonify(error=body), status


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_domain_error(error: DomainError):
    status = status_of(error)
    if wants_json():
        return error_response(status, error.code, translated(error), error.field)
    return error_page(status, translated(error))


def handle_http_error(error: HTTPException):
    if wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        response, status = error_response(error.code or 500, code, error.description or error.name)
        # Keep what the error says beyond its body: Allow on a 405, Retry-After on a 429.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status
    return error_page(error.code or 500)


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
