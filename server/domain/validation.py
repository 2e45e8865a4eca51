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


# Characters that reorder or hide text around them: a name written with them can spoof what a
# clerk reads on screen ("\u202e" turns the rest of a line around).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def digits(value: str) -> bool:
    """Only the ASCII digits 0–9: `isdigit()` also passes "²", which int() then refuses."""
    return value.isascii() and value.isdecimal()


def integer(value: Any, field: str) -> int:
    """A whole number, or its decimal digits as text (from a URL or a form)."""
    if isinstance(value, str) and digits(value.strip()) and len(value.strip()) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
        raise ValidationError("%(name)s must be a whole number.", field, name=field)
    return value


def unsafe_characters(value: str, one_line: bool) -> str | None:
    """What would corrupt or spoof text, so it is refused rather than silently changed:
    "invalid" (a lone surrogate: it cannot be stored or encoded), "control" (control characters
    other than line breaks and tabs in multi-line text), "formatting" (bidi overrides anywhere;
    in one-line text, any invisible formatting character, zero-width ones included). None if
    the text is plain."""
    for ch in value:
        kind = unicodedata.category(ch)
        if kind == "Cs":
            return "invalid"
        if kind == "Cc" and (one_line or ch not in "\n\t"):
            return "control"
        if ch in BIDI_CONTROLS or (one_line and kind == "Cf"):
            return "formatting"
    return None


UNSAFE_MESSAGES = {
    "invalid": "%(name)s contains an invalid character.",
    "control": "%(name)s contains control characters.",
    "formatting": "%(name)s contains invisible formatting characters.",
}


def plain(value: str, field: str, one_line: bool) -> str:
    """The text itself, or a ValidationError naming the field and what is wrong with it."""
    problem = unsafe_characters(value, one_line)
    if problem:
        raise ValidationError(UNSAFE_MESSAGES[problem], field, name=field)
    return value


def text(value: Any, field: str, limit: int, one_line: bool = False) -> str | None:
    """Optional free text: trimmed, plain (see `plain`), at most `limit` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("%(name)s must be text.", field, name=field)
    value = plain(value.strip(), field, one_line)
    if len(value) > limit:
        raise ValidationError(
            "%(name)s is longer than %(limit)d characters.", field, name=field, limit=limit
        )
    return value or None


def customer_name(value: Any) -> str | None:
    return text(value, "customer_name", MAX_NAME, one_line=True)


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
    return text(value, "Idempotency-Key", MAX_IDEMPOTENCY_KEY, one_line=True)


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
