"""The board's spoken sentences, per language: the words come from the server's catalogs."""

from __future__ import annotations

import pytest

from display.announce import announcement, announcements, counter_number


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A042, counter 3"),
        ("tr", "A042 numaralı bilet, 3 numaralı gişeye"),
        ("ms", "Nombor A042, sila ke kaunter 3"),
    ],
)
def test_a_numbered_counter_is_announced_by_its_number(app, language, expected):
    with app.app_context():
        assert announcement("A042", "Counter 3", language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "B007, Returns desk"),
        ("tr", "B007 numaralı bilet, Returns desk"),
        ("ms", "Nombor B007, sila ke Returns desk"),
    ],
)
def test_a_named_counter_is_announced_by_its_name(app, language, expected):
    with app.app_context():
        assert announcement("B007", "Returns desk", language) == expected


def test_announcements_follow_the_branch_languages_in_order(app):
    with app.app_context():
        assert announcements("C010", "Gişe 12", ["tr", "en"]) == [
            {"language": "tr", "voice": "tr-TR", "text": "C010 numaralı bilet, 12 numaralı gişeye"},
            {"language": "en", "voice": "en-GB", "text": "C010, counter 12"},
        ]


@pytest.mark.parametrize(
    ("name", "number"),
    [("Counter 3", "3"), ("Gişe 12 ", "12"), ("Kaunter3", "3"), ("Front desk", None), ("", None)],
)
def test_counter_number(name, number):
    assert counter_number(name) == number


def test_a_counter_named_per_language_is_announced_in_each(app):
    """Counter names can be translated: each sentence uses the name in its own language."""
    names = {"tr": "İade masası", "ms": "Kaunter pemulangan"}
    with app.app_context():
        said = announcements("B007", "Returns desk", ["en", "tr", "ms"], names)
    assert [sentence["text"] for sentence in said] == [
        "B007, Returns desk",
        "B007 numaralı bilet, İade masası",
        "Nombor B007, sila ke Kaunter pemulangan",
    ]
