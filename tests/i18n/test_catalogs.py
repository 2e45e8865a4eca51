"""Catalogs that cannot break a page: placeholders kept, `%` escaped, nothing untranslated."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from babel.messages.pofile import read_po

from tests.i18n.catalogs import (
    TRANSLATED,
    bare_percent,
    placeholders,
    po_files,
    source_messages,
    translations,
)


@pytest.mark.parametrize("path", po_files(), ids=lambda path: "/".join(path.parts[-6:]))
def test_translations_keep_their_placeholders(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            if placeholders(text) != placeholders(ids[-1]) and placeholders(text) != placeholders(
                ids[0]
            ):
                wrong.append((ids[0], text, "placeholders differ"))
            if bare_percent(text):
                wrong.append((ids[0], text, "a bare % (write %%)"))
        if bare_percent(ids[0]):
            wrong.append((ids[0], "", "a bare % in the source (write %%)"))
    assert not wrong, wrong


@pytest.mark.parametrize("path", po_files(), ids=lambda path: "/".join(path.parts[-6:]))
def test_no_msgid_twice_in_a_catalog(path):
    ids = re.findall(r'^msgid ((?:".*"\n)+)', path.read_text("utf-8"), flags=re.MULTILINE)
    twice = [text for text, count in Counter(ids).items() if count > 1]
    assert not twice, twice


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_source_string_is_translated(language):
    missing = source_messages() - translations(language).keys()
    assert not missing, f"untranslated in {language}: {sorted(missing)}"


def test_a_bare_percent_is_caught():
    assert bare_percent("Bekleme, %90'lık dilim")
    assert not bare_percent("%(n)s%% of %(total)d")
    assert placeholders("Hello, %(name)s! {code}") == ["%(name)s", "{code}"]


def test_a_served_app_has_read_every_catalog_before_its_first_call(app, monkeypatch):
    """`sira serve` reads the catalogs first: a board's first call in a language must not read
    and parse files on the event loop."""
    from babel import support

    from display.announce import announcements
    from server.i18n import load_catalogs

    load_catalogs(app)

    def read(*args, **kwargs):
        raise AssertionError(f"a catalog was read while serving: {args}")

    monkeypatch.setattr(support.Translations, "load", read)
    with app.test_request_context():
        said = announcements("A001", "Counter 2", ["en", "tr", "ms"])
    assert [sentence["text"] for sentence in said] == [
        "A001, counter 2",
        "A001 numaralı bilet, 2 numaralı gişeye",
        "Nombor A001, sila ke kaunter 2",
    ]
