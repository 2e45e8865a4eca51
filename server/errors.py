"""One error type, one handler: JSON under /api/, a friendly page elsewhere."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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
        return error_response(status, error.code, error.message, error.field)
    return render_template("error.html", status=status, message=error.message), status


def handle_http_error(error: HTTPException):
    if wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        response, status = error_response(error.code or 500, code, error.description or error.name)
        # Keep what the error says beyond its body: Allow on a 405, Retry-After on a 429.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status
    return (
        render_template("error.html", status=error.code, message=error.description),
        error.code,
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
