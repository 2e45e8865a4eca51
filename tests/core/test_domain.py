"""The domain's pure rules, without a database: states, codes, service days, input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.domain import validation
from server.domain.errors import InvalidTransition, Term, ValidationError
from server.domain.tickets import MOVES, WORDS, Status, format_code, next_status
from server.domain.timing import service_day

# -- the ticket state machine ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("move", "current", "after"),
    [
        ("call", "waiting", "called"),
        ("recall", "called", "called"),
        ("start", "called", "serving"),
        ("finish", "serving", "done"),
        ("no_show", "called", "no_show"),
        ("park", "called", "waiting"),
        ("park", "serving", "waiting"),
        ("transfer", "called", "waiting"),
        ("transfer", "serving", "waiting"),
        ("cancel", "waiting", "cancelled"),
    ],
)
def test_the_legal_moves_of_design_md(move, current, after):
    assert next_status(move, current, "A001") == after


def test_done_no_show_and_cancelled_are_final():
    final = {Status.DONE, Status.NO_SHOW, Status.CANCELLED}
    assert not any(final & allowed_from for allowed_from, _ in MOVES.values())


def test_an_illegal_move_says_what_the_ticket_is_and_what_it_must_be():
    with pytest.raises(InvalidTransition) as refused:
        next_status("finish", "waiting", "A042")
    assert refused.value.message == (
        "Cannot finish ticket A042: it is waiting, and only a serving ticket can be."
    )


def test_a_move_from_two_states_names_both():
    with pytest.raises(InvalidTransition, match="only a called or serving ticket"):
        next_status("park", "done", "A001")


@pytest.mark.parametrize(
    ("prefix", "number", "code"), [("A", 1, "A001"), ("A", 42, "A042"), ("BC", 1000, "BC1000")]
)
def test_a_code_is_the_prefix_and_a_zero_padded_number(prefix, number, code):
    assert format_code(prefix, number) == code


# -- service days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "timezone", "starts_at", "day"),
    [
        (datetime(2026, 3, 2, 12, 0, tzinfo=UTC), "UTC", "00:00", "2026-03-02"),
        (datetime(2026, 3, 2, 21, 30, tzinfo=UTC), "Europe/Istanbul", "00:00", "2026-03-03"),
        (datetime(2026, 3, 2, 15, 59, tzinfo=UTC), "Asia/Kuala_Lumpur", "00:00", "2026-03-02"),
        (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), "Asia/Kuala_Lumpur", "00:00", "2026-03-03"),
        (datetime(2026, 3, 3, 0, 59, tzinfo=UTC), "Europe/Istanbul", "04:00", "2026-03-02"),
        (datetime(2026, 3, 3, 1, 0, tzinfo=UTC), "Europe/Istanbul", "04:00", "2026-03-03"),
        (datetime(2026, 3, 2, 7, 0, tzinfo=UTC), "America/New_York", "00:00", "2026-03-02"),
        (datetime(2026, 3, 2, 4, 59, tzinfo=UTC), "America/New_York", "00:00", "2026-03-01"),
    ],
)
def test_the_service_day_is_the_branch_local_business_day(utc, timezone, starts_at, day):
    assert service_day(utc, timezone, starts_at) == day


def test_a_service_day_follows_daylight_saving_time():
    # Berlin moves from UTC+1 to UTC+2 on 29 March 2026: local midnight moves an hour earlier.
    assert service_day(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "Europe/Berlin") == "2026-03-29"
    assert service_day(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "Europe/Berlin") == "2026-03-30"


# -- input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "number"), [(7, 7), ("7", 7), (" 12 ", 12), (0, 0)])
def test_an_integer_may_come_as_a_number_or_its_digits(value, number):
    assert validation.integer(value, "service_id") == number


@pytest.mark.parametrize("value", [None, True, 1.0, "1.5", "-1", "²", "", [1], 2**63])
def test_anything_else_is_not_an_integer(value):
    with pytest.raises(ValidationError) as refused:
        validation.integer(value, "counter_id")
    assert refused.value.field == "counter_id"


def test_text_is_trimmed_and_empty_text_is_none():
    assert validation.text("  hello ", "note", 10) == "hello"
    assert validation.text("   ", "note", 10) is None
    assert validation.text(None, "note", 10) is None


def test_text_keeps_line_breaks_and_tabs_but_no_other_control_characters():
    assert validation.note("line one\n\tline two") == "line one\n\tline two"
    with pytest.raises(ValidationError, match="control characters"):
        validation.note("bell\x07")


def test_a_customer_name_is_one_short_line():
    assert validation.customer_name("Şükrü Öztürk") == "Şükrü Öztürk"
    for bad in ("x" * (validation.MAX_NAME + 1), "two\nlines"):
        with pytest.raises(ValidationError):
            validation.customer_name(bad)


def test_a_priority_is_one_of_the_stated_needs_or_none():
    assert validation.priority("pregnancy") == "pregnancy"
    assert [validation.priority(empty) for empty in (None, "", False)] == [None, None, None]
    with pytest.raises(ValidationError, match="elderly, disability, pregnancy"):
        validation.priority("vip")


def test_a_language_must_be_offered_by_the_branch():
    branch = {"languages": ["en", "tr"], "default_language": "tr"}
    assert validation.language(None, branch) == "tr"
    assert validation.language("en", branch) == "en"
    with pytest.raises(ValidationError, match="en, tr"):
        validation.language("ms", branch)


@pytest.mark.parametrize("score", [1, 3, 5])
def test_a_score_is_a_whole_number_from_one_to_five(score):
    assert validation.score(score) == score


@pytest.mark.parametrize("score", [0, 6, 4.0, "4", True, None])
def test_other_scores_are_refused(score):
    with pytest.raises(ValidationError):
        validation.score(score)


def test_every_word_of_a_refused_move_is_in_the_catalogs_list():
    shown = set()
    for move, (allowed_from, _to) in MOVES.items():
        for status in set(Status) - allowed_from:
            with pytest.raises(InvalidTransition) as refused:
                next_status(move, status, "A001")
            params = refused.value.params
            shown |= {params["move"], params["status"], params["allowed"]}
    assert shown <= set(WORDS)
    assert all(isinstance(word, Term) for word in shown)
