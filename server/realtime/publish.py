"""Turn a committed Change into Socket.IO events. Called only after the engine has committed."""

from __future__ import annotations

from display.announce import announcements
from server.db import get_reads
from server.domain.events import CounterChanged, TicketCalled, TicketChanged
from server.engine import Change
from server.engine.reads import public_view
from server.realtime import socketio
from server.realtime.rooms import branch_room, counter_room, ticket_room

# Moves after which the rest of the ticket's queue has moved up or down.
# A plain new ticket joins at the back and moves nobody; one with a priority need does.
QUEUE_MOVES = {"called", "parked", "transferred", "cancelled", "left", "more_time"}


def publish(change: Change) -> None:
    if change.replayed:
        return
    seq = change.seq
    ticket = change.ticket
    socketio.emit("queue", {"seq": seq, **change.queue}, to=branch_room(change.branch_id))
    for event in change.events:
        if isinstance(event, CounterChanged):
            publish_counter(seq, change.branch_id, event)
        elif isinstance(event, TicketCalled):
            called = {
                "seq": seq,
                "ticket": {
                    "code": ticket["code"],
                    "service": ticket["service"],
                    "language": ticket["language"],
                },
                "counter": ticket["counter"],
                "recall": event.recall,
                "at": change.at,
                "announcements": announcements(
                    ticket["code"],
                    ticket["counter"]["name"],
                    get_reads().branch(change.branch_id)["languages"],
                ),
            }
            for room in (
                branch_room(change.branch_id),
                counter_room(event.counter_id),
                ticket_room(ticket["token"]),
            ):
                socketio.emit("called", called, to=room)
        elif isinstance(event, TicketChanged):
            publish_ticket(seq, ticket, event)
            if event.kind == "finished" and event.counter_id is not None:
                prompt = {"seq": seq, "token": ticket["token"], "code": ticket["code"]}
                socketio.emit("rate", prompt, to=counter_room(event.counter_id))
                socketio.emit("rate", prompt, to=ticket_room(ticket["token"]))
            if event.kind in QUEUE_MOVES or (event.kind == "issued" and ticket["priority"]):
                publish_positions(seq, ticket)


def publish_counter(seq: int, branch_id: int, event: CounterChanged) -> None:
    """A pause, a resume, an opening or a closing: the counter's screens and the branch
    (managers) see it, and the phones of everyone waiting for what it serves get their new
    estimate (or learn that no counter serving them is open)."""
    reads = get_reads()
    counter = reads.counter_summary(event.counter_id)
    data = {"seq": seq, "kind": event.kind, "counter": counter}
    socketio.emit("counter", data, to=counter_room(event.counter_id))
    socketio.emit("counter", data, to=branch_room(branch_id))
    day = reads.today(branch_id)
    for service_id in counter["service_ids"]:
        tell_waiting(seq, service_id, day)


def publish_ticket(seq: int, ticket: dict, event: TicketChanged) -> None:
    counters = {event.counter_id, (ticket["counter"] or {}).get("id")} - {None}
    for counter_id in counters:
        socketio.emit(
            "ticket",
            {"seq": seq, "kind": event.kind, "ticket": ticket},
            to=counter_room(counter_id),
        )
    socketio.emit(
        "ticket",
        {"seq": seq, "kind": event.kind, "ticket": public_view(ticket)},
        to=ticket_room(ticket["token"]),
    )


def publish_positions(seq: int, changed: dict) -> None:
    """Everyone else waiting in that service moved: tell each phone its new place."""
    tell_waiting(seq, changed["service_id"], changed["service_day"], changed["id"])


def tell_waiting(seq: int, service_id: int, day: str, except_id: int | None = None) -> None:
    """Send each phone waiting in the service its place and estimate as they are now."""
    for waiting in get_reads().waiting_tickets(service_id, day):
        if waiting["id"] != except_id:
            socketio.emit(
                "ticket",
                {"seq": seq, "kind": "moved", "ticket": public_view(waiting)},
                to=ticket_room(waiting["token"]),
            )
