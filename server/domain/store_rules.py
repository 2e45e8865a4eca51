"""Rules for what an administrator may type into the store's setup, each naming its field.

Checks collect every wrong field of a form at once (InvalidFields), so a page can show a message
beside each field instead of one error at a time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from server.domain.errors import ValidationError
from server.domain.validation import LANGUAGES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_LABEL = 80
MAX_TEXT = 500
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
USERNAME = re.compile(r"^[\w.@-]{1,64}$")  # letters of any language, digits, . _ @ -
MAX_TARGET_WAIT_MIN = 24 * 60


class InvalidFields(ValidationError):
    """Several fields are wrong; `errors` maps each field to its own error (to be translated)."""

    def __init__(self, errors: dict[str, ValidationError]):
        field, first = next(iter(errors.items()))
        super().__init__(first.template, field, **first.params)
        self.errors = errors


class Checks:
    """Collects field errors while values are parsed; `done()` raises them all together."""

    def __init__(self) -> None:
        self.errors: dict[str, ValidationError] = {}

    def __call__(self, rule: Any, value: Any, field: str, *args: Any) -> Any:
        try:
            return rule(value, field, *args)
        except ValidationError as error:
            self.errors.setdefault(error.field or field, error)
            return None

    def fail(self, field: str, message: str, **params: Any) -> None:
        """A refusal found by the caller; `message` is a template like the errors' own."""
        self.errors.setdefault(field, ValidationError(message, field, **params))

    def done(self) -> None:
        if self.errors:
            raise InvalidFields(self.errors)


def label(value: Any, field: str, limit: int = MAX_LABEL) -> str:
    """A required one-line name: trimmed, no control characters, not too long."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("This field must not be empty.", field)
    value = value.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValidationError("Write one line of plain text.", field)
    if len(value) > limit:
        raise too_long(field, limit)
    return value


def too_long(field: str, limit: int) -> ValidationError:
    return ValidationError("Write at most %(limit)d characters.", field, limit=limit)


def free_text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    """Optional text (a footer, a ticker message): may be empty, never control characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError("Write plain text.", field)
    value = value.strip().replace("\r\n", "\n")
    if any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in value):
        raise ValidationError("Remove the control characters.", field)
    if len(value) > limit:
        raise too_long(field, limit)
    return value


def slug(value: Any, field: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG.match(value.strip()):
        raise ValidationError(
            "Use 1–40 small letters, digits or dashes, starting with a letter or digit.",
            field,
        )
    return value.strip()


@cache
def known_timezones() -> frozenset[str]:
    """The IANA names this system knows (read from disk once)."""
    return frozenset(available_timezones())


def timezone(value: Any, field: str = "timezone") -> str:
    """An IANA timezone name such as Europe/Istanbul."""
    if not isinstance(value, str) or value not in known_timezones():
        raise ValidationError("Unknown timezone %(name)s.", field, name=str(value)[:60])
    return value


def languages(value: Any, field: str = "languages") -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError("Choose at least one language.", field)
    if any(code not in LANGUAGES for code in value):
        raise ValidationError(
            "Choose languages among %(choices)s.", field, choices=", ".join(LANGUAGES)
        )
    return [code for code in LANGUAGES if code in value]


def time_of_day(value: Any, field: str) -> str:
    if not isinstance(value, str) or not TIME_OF_DAY.match(value.strip()):
        raise ValidationError("Write a time like 08:30.", field)
    return value.strip()


def opening_hours(value: Any, field: str = "opening_hours") -> dict[str, dict[str, str]]:
    """{"mon": {"opens": "09:00", "closes": "18:00"}, …}; a missing day is closed."""
    if not isinstance(value, dict) or any(day not in WEEKDAYS for day in value):
        raise ValidationError("Name days among %(choices)s.", field, choices=", ".join(WEEKDAYS))
    hours = {}
    for day in WEEKDAYS:
        if not value.get(day):
            continue
        span = value[day]
        if not isinstance(span, dict):
            raise ValidationError("Give both the opening and the closing time.", day)
        opens = time_of_day(span.get("opens"), f"{day}_opens")
        closes = time_of_day(span.get("closes"), f"{day}_closes")
        if closes <= opens:
            raise ValidationError("The store must close after it opens.", f"{day}_closes")
        hours[day] = {"opens": opens, "closes": closes}
    return hours


def prefix(value: Any, field: str = "prefix") -> str:
    value = value.strip() if isinstance(value, str) else value
    letters = isinstance(value, str) and value.isascii() and value.isalpha() and value.isupper()
    if not letters or not 1 <= len(value) <= 3:
        raise ValidationError("Use 1–3 capital letters (A–Z).", field)
    return value


def whole_number(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            "Write a whole number from %(low)d to %(high)d.", field, low=low, high=high
        )
    return value


def target_wait(value: Any, field: str) -> int:
    """A service's target wait in seconds: a minute to a day."""
    try:
        return whole_number(value, field, 60, 86_400)
    except ValidationError:
        raise ValidationError("Choose a target wait from 1 minute to 24 hours.", field) from None


def flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "0", "off", "false", 0):
        return False
    if value in ("1", "on", "true", 1):
        return True
    raise ValidationError("Choose yes or no.", field)


def username(value: Any, field: str = "username") -> str:
    if not isinstance(value, str) or not USERNAME.match(value.strip()):
        raise ValidationError("A username is 1–64 letters, digits or . _ @ - (no spaces).", field)
    return value.strip()


def ids(value: Any, field: str) -> list[int]:
    """A list of record ids (checkboxes or a JSON list)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError("Choose from the list.", field)
    return sorted({whole_number(item, field, 1, 2**62) for item in value})
