"""One error type, one handler: JSON under /api/, a friendly page elsewhere."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext
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


# What SQLite or the file system says when storage fails, and what we tell the person waiting.
STORAGE_FULL = (
    "storage_full",
    lazy_gettext("The server's disk is full, so nothing was saved. Please tell the administrator."),
)
STORAGE_READ_ONLY = (
    "storage_read_only",
    lazy_gettext(
        "The server's storage is read-only, so nothing was saved. Please tell the administrator."
    ),
)
STORAGE_BUSY = (
    "storage_busy",
    lazy_gettext("The server is busy and saved nothing. Please try again in a moment."),
)
STORAGE_FAILED = (
    "storage_error",
    lazy_gettext(
        "The server could not write to its storage, so nothing was saved."
        " Please tell the administrator."
    ),
)
# By SQLite's extended error name (Python 3.11+): what kind of failure it was.
SQLITE_FAULTS = {
    "SQLITE_FULL": STORAGE_FULL,
    "SQLITE_READONLY": STORAGE_READ_ONLY,
    "SQLITE_CANTOPEN": STORAGE_READ_ONLY,
    "SQLITE_BUSY": STORAGE_BUSY,
    "SQLITE_LOCKED": STORAGE_BUSY,
    "SQLITE_IOERR": STORAGE_FAILED,
}
OS_FAULTS = {errno.ENOSPC: STORAGE_FULL, errno.EDQUOT: STORAGE_FULL, errno.EROFS: STORAGE_READ_ONLY}
# Less free space than this where the database lives: an I/O error is the disk being full
# (SQLite reports a full disk as an I/O error when the WAL index cannot grow).
NEARLY_FULL_BYTES = 256 * 1024


def storage_fault(error: Exception) -> tuple[str, str] | None:
    """The code and message of a storage failure, or None for any other error."""
    if isinstance(error, sqlite3.OperationalError):
        name = getattr(error, "sqlite_errorname", None) or ""
        fault = next((f for prefix, f in SQLITE_FAULTS.items() if name.startswith(prefix)), None)
        if fault is STORAGE_FAILED and database_disk_full():
            return STORAGE_FULL
        return fault
    if isinstance(error, OSError):
        return OS_FAULTS.get(error.errno)
    return None


def database_disk_full() -> bool:
    folder = Path(current_app.config["SIRA_DB"]).resolve().parent
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def handle_storage_fault(error: Exception):
    """503 with a clear message: the write was rolled back, and retrying later may work."""
    fault = storage_fault(error)
    if fault is None:
        raise error
    code, message = fault
    if wants_json():
        response, status = error_response(503, code, str(message))
    else:
        response, status = render_template("error.html", status=503, message=message), 503
    return response, status, {"Retry-After": "30"}


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sqlite3.OperationalError, handle_storage_fault)
    app.register_error_handler(OSError, handle_storage_fault)
