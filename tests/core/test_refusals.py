"""Every illegal move or bad input raises the right domain error and changes nothing at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from server.domain.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    ValidationError,
)
from server.domain.tickets import MOVES, Status
from server.store import add_branch, add_service
from tests.core.flows import ticket_in
from tests.core.state import database_state

# How the engine makes each move of the state machine ("call" is call_next, tested apart).
MOVE_CALLS: dict[str, Callable] = {
    "recall": lambda engine, ticket_id, store: engine.recall(ticket_id),
    "start": lambda engine, ticket_id, store: engine.start(ticket_id),
    "finish": lambda engine, ticket_id, store: engine.finish(ticket_id),
    "no_show": lambda engine, ticket_id, store: engine.no_show(ticket_id),
    "park": lambda engine, ticket_id, store: engine.park(ticket_id),
    "transfer": lambda engine, ticket_id, store: engine.transfer(ticket_id, store.returns),
    "cancel": lambda engine, ticket_id, store: engine.cancel(ticket_id),
}

ILLEGAL = [
    (status, move)
    for move, (allowed_from, _) in MOVES.items()
    if move in MOVE_CALLS
    for status in Status
    if status not in allowed_from
]


def refused(db, error: type[DomainError], attempt: Callable[[], object]) -> DomainError:
    """Run `attempt`, expect `error`, and check the database is exactly as it was."""
    before = database_state(db)
    with pytest.raises(error) as raised:
        attempt()
    assert database_state(db) == before
    return raised.value


def test_every_move_of_the_state_machine_is_covered():
    assert set(MOVE_CALLS) == set(MOVES) - {"call"}


@pytest.mark.parametrize(("status", "move"), ILLEGAL, ids=[f"{m}-{s}" for s, m in ILLEGAL])
def test_an_illegal_move_is_refused_and_changes_nothing(status, move, engine, store, db):
    ticket_id = ticket_in(status, engine, store)
    error = refused(db, InvalidTransition, lambda: MOVE_CALLS[move](engine, ticket_id, store))
    assert error.message.startswith(f"Cannot {move.replace('_', '-')} ticket A001: it is {status}")


@pytest.mark.parametrize("move", sorted(MOVE_CALLS))
def test_a_move_on_an_unknown_ticket_is_not_found(move, engine, store, db):
    error = refused(db, NotFound, lambda: MOVE_CALLS[move](engine, 999, store))
    assert error.field in ("ticket_id", "service_id")


# -- issuing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"priority": "vip"}, "priority"),
        ({"priority": ["elderly"]}, "priority"),
        ({"language": "de"}, "language"),
        ({"language": 1}, "language"),
        ({"customer_name": "x" * 41}, "customer_name"),
        ({"customer_name": "Ayşe\nYılmaz"}, "customer_name"),
        ({"customer_name": "Ayşe\x07"}, "customer_name"),
        ({"customer_name": 42}, "customer_name"),
        ({"idempotency_key": "k" * 201}, "Idempotency-Key"),
    ],
)
def test_issuing_with_a_bad_field_is_refused_naming_it(fields, field, engine, store, db):
    error = refused(db, ValidationError, lambda: engine.issue_ticket(store.payments, **fields))
    assert error.field == field


@pytest.mark.parametrize("service_id", [None, "abc", "²", True, 1.5, [1], -1, 999, 2**70])
def test_issuing_for_no_such_service_is_refused(service_id, engine, store, db):
    error = refused(db, ValidationError, lambda: engine.issue_ticket(service_id))
    assert error.field == "service_id"


def test_a_service_id_given_as_digits_is_accepted(engine, store):
    assert engine.issue_ticket(str(store.payments)).ticket["code"] == "A001"


def test_a_kiosk_may_not_issue_for_another_branchs_service(engine, store, db, other_branch):
    error = refused(
        db,
        ValidationError,
        lambda: engine.issue_ticket(other_branch.service, branch_id=store.branch_id),
    )
    assert (error.field, error.message) == ("service_id", "Service 3 belongs to another branch.")


def test_a_closed_service_issues_no_tickets(engine, store, db):
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.payments])
    error = refused(db, ValidationError, lambda: engine.issue_ticket(store.payments))
    assert error.field == "service_id"


def test_a_language_the_branch_does_not_offer_is_refused(engine, db):
    branch_id = add_branch(db, "English only", "en-only", languages=("en",))
    service = add_service(db, branch_id, "E", "English desk")
    error = refused(db, ValidationError, lambda: engine.issue_ticket(service, language="tr"))
    assert (error.field, error.message) == ("language", "language must be one of en.")


# -- transfer ------------------------------------------------------------------------------


@pytest.fixture
def called_id(engine, store) -> int:
    return ticket_in(Status.CALLED, engine, store)


def test_transfer_to_another_branchs_service_is_refused(engine, db, called_id, other_branch):
    error = refused(db, ValidationError, lambda: engine.transfer(called_id, other_branch.service))
    assert error.field == "service_id"


def test_transfer_to_a_closed_service_is_refused(engine, store, db, called_id):
    db.execute("UPDATE services SET active = 0 WHERE id = ?", [store.returns])
    error = refused(db, ValidationError, lambda: engine.transfer(called_id, store.returns))
    assert error.field == "service_id"


@pytest.mark.parametrize(
    ("service_id", "note", "field"),
    [
        (999, None, "service_id"),
        ("two", None, "service_id"),
        (None, None, "service_id"),
        (2, "n" * 501, "note"),
        (2, {"text": "hi"}, "note"),
    ],
)
def test_transfer_with_a_bad_field_is_refused_naming_it(
    service_id, note, field, engine, db, called_id
):
    error = refused(db, ValidationError, lambda: engine.transfer(called_id, service_id, note))
    assert error.field == field


# -- rating --------------------------------------------------------------------------------


def token_of(engine, ticket_id: int) -> str:
    return engine.reads.ticket(ticket_id)["token"]


@pytest.mark.parametrize("status", [s for s in Status if s != Status.DONE])
def test_a_ticket_not_served_cannot_be_rated(status, engine, store, db):
    token = token_of(engine, ticket_in(status, engine, store))
    error = refused(db, ValidationError, lambda: engine.rate(token, 5))
    assert error.field == "token"


def test_a_ticket_is_rated_once(engine, store, db):
    token = token_of(engine, ticket_in(Status.DONE, engine, store))
    engine.rate(token, 4)
    error = refused(db, Conflict, lambda: engine.rate(token, 5))
    assert "already been rated" in error.message


@pytest.mark.parametrize(
    ("score", "comment", "field"),
    [
        (0, None, "score"),
        (6, None, "score"),
        ("5", None, "score"),
        (4.5, None, "score"),
        (True, None, "score"),
        (None, None, "score"),
        (5, "c" * 1001, "comment"),
        (5, 7, "comment"),
    ],
)
def test_a_bad_rating_is_refused_naming_the_field(score, comment, field, engine, store, db):
    token = token_of(engine, ticket_in(Status.DONE, engine, store))
    error = refused(db, ValidationError, lambda: engine.rate(token, score, comment))
    assert error.field == field


def test_rating_an_unknown_token_is_not_found(engine, store, db):
    refused(db, NotFound, lambda: engine.rate("no-such-token", 5))
