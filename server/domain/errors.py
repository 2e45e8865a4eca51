"""Domain errors: what went wrong, in words a counter clerk or an API client can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base for refusals of the queue engine; nothing was changed when one is raised."""

    code = "error"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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
