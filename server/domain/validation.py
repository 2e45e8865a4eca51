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
        raise ValidationError(f"{field} must be a whole number.", field)
    return value


def plain(value: str, field: str, one_line: bool) -> str:
    """Refuse what would corrupt or spoof text, rather than silently changing it.

    Never: lone surrogates (they cannot be stored or encoded), control characters other than
    line breaks and tabs in multi-line text, bidi overrides. In one-line text (names, labels) no
    invisible formatting character at all (zero-width spaces and joiners included).
    """
    for ch in value:
        kind = unicodedata.category(ch)
        if kind == "Cs":
            raise ValidationError(f"{field} contains an invalid character.", field)
        if kind == "Cc" and (one_line or ch not in "\n\t"):
            raise ValidationError(f"{field} contains control characters.", field)
        if ch in BIDI_CONTROLS or (one_line and kind == "Cf"):
            raise ValidationError(f"{field} contains invisible formatting characters.", field)
    return value


def text(value: Any, field: str, limit: int, one_line: bool = False) -> str | None:
    """Optional free text: trimmed, plain (see `plain`), at most `limit` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", field)
    value = plain(value.strip(), field, one_line)
    if len(value) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters.", field)
    return value or None


def customer_name(value: Any) -> str | None:
    return text(value, "customer_name", MAX_NAME, one_line=True)


def note(value: Any) -> str | None:
    return text(value, "note", MAX_NOTE)


def comment(value: Any) -> str | None:
    return text(value, "comment", MAX_COMMENT)


def pause_reason(value: Any) -> str:
    """Why a counter stops calling (a break, lunch): required, one short line."""
    reason = text(value, "reason", MAX_PAUSE_REASON, one_line=True)
    if not reason:
        raise ValidationError("reason must be one line saying why the counter pauses.", "reason")
    return reason


def idempotency_key(value: Any) -> str | None:
    return text(value, "Idempotency-Key", MAX_IDEMPOTENCY_KEY, one_line=True)


def priority(value: Any) -> str | None:
    if value in (None, "", False):
        return None
    if value not in PRIORITY_NEEDS:
        raise ValidationError(f"priority must be one of {', '.join(PRIORITY_NEEDS)}.", "priority")
    return value


def language(value: Any, branch: dict) -> str:
    """One of the branch's languages; the branch default when none is given."""
    if value in (None, ""):
        return branch["default_language"]
    offered = [code for code in branch["languages"] if code in LANGUAGES]
    if value not in offered:
        raise ValidationError(f"language must be one of {', '.join(offered)}.", "language")
    return value


def score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError("score must be a whole number from 1 to 5.", "score")
    return value
