"""What the board says when a ticket is called, in each of the branch's languages.

The words come from the server (and its catalogs), so every board speaks the same sentence and
the sentence can be tested; the board only hands it to the browser's speech synthesis.
"""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

# The speech-synthesis voice asked for each language.
VOICES = {"en": "en-GB", "tr": "tr-TR", "ms": "ms-MY"}


def counter_number(counter_name: str) -> str | None:
    """`Counter 3` and `Gişe 3` both end in their number, which is what is spoken."""
    found = re.search(r"(\d+)\s*$", counter_name or "")
    return found.group(1) if found else None


def announcement(code: str, counter_name: str, language: str) -> str:
    """One language's sentence: "A042, counter 3" / "A042 numaralı bilet, 3 numaralı gişeye"."""
    number = counter_number(counter_name)
    with force_locale(language):
        if number:
            return gettext("%(code)s, counter %(number)s", code=code, number=number)
        return gettext("%(code)s, %(counter)s", code=code, counter=counter_name)


def announcements(
    code: str, counter_name: str, languages: list[str], counter_names: dict | None = None
) -> list[dict]:
    """The sentences to speak one after another, in the branch's order of languages; each
    names the counter in its language where the counter has a name in it."""
    names = counter_names or {}
    return [
        {
            "language": language,
            "voice": VOICES.get(language, language),
            "text": announcement(code, names.get(language) or counter_name, language),
        }
        for language in languages
    ]
