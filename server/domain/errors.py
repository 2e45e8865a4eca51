"""Domain errors: what went wrong, in words a counter clerk or an API client can act on.

An error carries a stable `code` (per kind), the `field` it is about, and its message as an
English template with named parameters (`"Service %(name)s is closed."`, name=…). The template is
the catalog's msgid: pages and the API translate it into the reader's language where they show
it (server/errors.py); `message` is the English text, for logs, the CLI and tests.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks an English text for the translation catalogs; it is translated where it is shown."""
    return message


class Term(str):
    """A word of the domain inside a message (a status, a move), translated with the message."""

    __slots__ = ()


class DomainError(Exception):
    """Base for refusals of the queue engine; nothing was changed when one is raised."""

    code = "error"

    def __init__(self, message: str, field: str | None = None, **params: Any):
        self.template = message
        self.params = params
        self.message = message % params if params else message
        self.field = field
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"


class InvalidTransition(DomainError):
    """The ticket or counter is not in a state where this move applies."""

    code = "invalid_transition"


class Conflict(DomainError):
    """The request clashes with what already happened (a second rating, a busy counter)."""

    code = "conflict"


class ValidationError(DomainError):
    """The input names something that cannot be used here (a field is wrong)."""

    code = "invalid"


class BadRequest(DomainError):
    """The request itself is malformed (not JSON, wrong shape)."""

    code = "bad_request"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class NotAllowed(DomainError):
    code = "forbidden"


class RateLimited(DomainError):
    code = "rate_limited"
