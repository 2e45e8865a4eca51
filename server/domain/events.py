"""What happened, as past-tense facts the real-time layer turns into Socket.IO events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketChanged:
    """Any change to a ticket; `kind` is the move (issued, called, started, …)."""

    ticket_id: int
    kind: str
    counter_id: int | None = None  # the counter involved, also when the ticket just left it


@dataclass(frozen=True)
class TicketCalled:
    ticket_id: int
    counter_id: int
    recall: bool


@dataclass(frozen=True)
class TicketRated:
    ticket_id: int


@dataclass(frozen=True)
class CounterChanged:
    """A counter was paused or resumed; `kind` is the move."""

    counter_id: int
    kind: str


Event = TicketChanged | TicketCalled | TicketRated | CounterChanged
