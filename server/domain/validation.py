"""Checks on what customers and staff type, each naming the field it refuses."""

from __future__ import annotations

import unicodedata
from typing import Any

from server.domain.errors import ValidationError
from server.domain.tickets import PRIORITY_NEEDS

LANGUAGES = ("en", "tr", "ms")
MAX_NAME = 40
MAX_NOTE = 500
MAX_COMMENT = 1000
MAX_IDEMPOTENCY_KEY = 200
MAX_PAUSE_REASON = 100


# SQLite's integers have 64 bits: a larger id names nothing and must not reach a query.
MAX_INTEGER = 2**63 - 1


def integer(value: Any, field: str) -> int:
    """A whole number, or its decimal digits as text (from a URL or a form)."""
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
        raise ValidationError("%(name)s must be a whole number.", field, name=field)
    return value


def text(value: Any, field: str, limit: int) -> str | None:
    """Optional free text: trimmed, no control characters, at most `limit` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("%(name)s must be text.", field, name=field)
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValidationError("%(name)s contains control characters.", field, name=field)
    if len(value) > limit:
        raise ValidationError(
            "%(name)s is longer than %(limit)d characters.", field, name=field, limit=limit
        )
    return value or None


def customer_name(value: Any) -> str | None:
    name = text(value, "customer_name", MAX_NAME)
    if name and "\n" in name:
        raise ValidationError("customer_name must be on one line.", "customer_name")
    return name


def note(value: Any) -> str | None:
    return text(value, "note", MAX_NOTE)


def comment(value: Any) -> str | None:
    return text(value, "comment", MAX_COMMENT)


# Why a counter pauses, as codes each reader sees in their own language; "other" has a note.
PAUSE_REASONS = ("break", "lunch", "paperwork", "helping", "other")


def pause_reason(value: Any, note: Any = None) -> tuple[str, str | None]:
    """Why a counter stops calling: a reason code and an optional note (required for "other").

    Text that is not a code (what older clients send) is kept as the note of "other"."""
    note = text(note, "note", MAX_PAUSE_REASON)
    if value in PAUSE_REASONS and value != "other":
        return value, note
    typed = note if value == "other" else text(value, "reason", MAX_PAUSE_REASON)
    if not typed or "\n" in typed:
        raise ValidationError(
            "reason must be one line saying why the counter pauses.",
            "note" if value == "other" else "reason",
        )
    return "other", typed


def idempotency_key(value: Any) -> str | None:
    return text(value, "Idempotency-Key", MAX_IDEMPOTENCY_KEY)


def priority(value: Any) -> str | None:
    if value in (None, "", False):
        return None
    if value not in PRIORITY_NEEDS:
        raise ValidationError(
            "priority must be one of %(choices)s.", "priority", choices=", ".join(PRIORITY_NEEDS)
        )
    return value


def language(value: Any, branch: dict) -> str:
    """One of the branch's languages; the branch default when none is given."""
    if value in (None, ""):
        return branch["default_language"]
    offered = [code for code in branch["languages"] if code in LANGUAGES]
    if value not in offered:
        raise ValidationError(
            "language must be one of %(choices)s.", "language", choices=", ".join(offered)
        )
    return value


def score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError("score must be a whole number from 1 to 5.", "score")
    return value
