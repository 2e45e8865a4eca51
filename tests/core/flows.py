"""Bringing tickets to a given state through the engine's own legal moves."""

from __future__ import annotations

from server.domain.tickets import Status
from server.engine import QueueEngine
from tests.conftest import Store


def ticket_in(status: Status, engine: QueueEngine, store: Store) -> int:
    """A payments ticket brought to `status` at counter 2; returns its id."""
    ticket_id = engine.issue_ticket(store.payments).ticket["id"]
    if status == Status.CANCELLED:
        engine.cancel(ticket_id)
    if status in (Status.CALLED, Status.SERVING, Status.DONE, Status.NO_SHOW):
        engine.call_next(store.counter2)
    if status == Status.NO_SHOW:
        engine.no_show(ticket_id)
    if status in (Status.SERVING, Status.DONE):
        engine.start(ticket_id)
    if status == Status.DONE:
        engine.finish(ticket_id)
    assert engine.reads.ticket_row(ticket_id)["status"] == status
    return ticket_id
