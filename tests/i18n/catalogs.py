"""Every part's catalogs and source strings, read the way Flask-Babel merges them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from server.i18n import CATALOG_DIRECTORIES, EXTRACT_KEYWORDS, PARTS, ROOT

TRANSLATED = ("tr", "ms")
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def po_files() -> list[Path]:
    return sorted(
        path for directory in CATALOG_DIRECTORIES for path in Path(directory).glob("*/*/*.po")
    )


@cache
def translations(language: str) -> dict[str, str]:
    """msgid → msgstr over every part's catalog of `language` (Flask-Babel merges them)."""
    merged: dict[str, str] = {}
    for path in po_files():
        if path.parts[-3] != language:
            continue
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    value = message.string if isinstance(message.string, str) else message.string[0]
                    merged[key] = value
    return merged


@cache
def source_messages() -> frozenset[str]:
    """Every string the code and templates mark for translation."""
    found = set()
    for part in PARTS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / part), method_map=METHODS, keywords=EXTRACT_KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return frozenset(found)


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%%|\{(\w+)\}")


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def bare_percent(text: str) -> bool:
    """A `%` that is neither a named placeholder nor escaped as `%%` breaks gettext formatting."""
    return "%" in PLACEHOLDER.sub("", text)
