"""Turn a committed Change into Socket.IO events: the realtime layer's subscriber to every change
(server/engine/subscribers.py), so it runs only after the commit."""

from __future__ import annotations

from typing import Any

from flask import current_app

from server.db import get_reads
from server.domain.estimates import BranchEstimates
from server.domain.events import CounterChanged, TicketCalled, TicketChanged
from server.engine import Change
from server.engine.reads import WITHDRAWING_MOVES, feedback_view, public_view
from server.engine.subscribers import Subscriber
from server.realtime import socketio
from server.realtime.branch_events import branch_events
from server.realtime.listeners import emit, phones_listening
from server.realtime.rooms import (
    counter_room,
    counter_rooms,
    feedback_room,
    ticket_room,
)
from server.storage.handoff import off_the_loop

# Moves after which the rest of the ticket's queue has moved up or down.
# A plain new ticket joins at the back and moves nobody; one with a priority need does.
QUEUE_MOVES = {"called", "parked", "transferred", "cancelled", "left", "more_time"}
# Position updates sent before the event loop gets a turn (publish_positions).
POSITIONS_PER_TURN = 50
# The app extension that words a call for the boards: registered by the package that draws
# them (display/), so this layer carries the sentences without importing it.
ANNOUNCER = "sira_announcer"


class Publisher(Subscriber):
    def committed(self, change: Change, context: Any) -> None:
        publish(change)


def announcements(
    code: str, counter_name: str, languages: list[str], counter_names: dict
) -> list[dict]:
    announce = current_app.extensions.get(ANNOUNCER)
    return announce(code, counter_name, languages, counter_names) if announce else []


def publish(change: Change) -> None:
    """`called` first (the boards wait for it), then the queue if it is due, then everything
    else. The change's queue is held before any of its events goes to the branch room, so that
    each of them stands for the changes of a queue still waiting (branch_events.py)."""
    if change.replayed:
        return
    seq = change.seq
    ticket = change.ticket
    room_events = branch_events()
    room_events.hold_queue(change.branch_id, seq, change.queue)
    calls = [event for event in change.events if isinstance(event, TicketCalled)]
    for event in calls:
        publish_called(change, event)
    if calls:
        # Let each display's connection send `called` before a `queue` joins it.
        socketio.sleep(0)
    room_events.send_queue_when_due(change.branch_id)
    for event in change.events:
        if isinstance(event, CounterChanged):
            publish_counter(seq, change.branch_id, event, change.estimates)
        elif isinstance(event, TicketChanged):
            publish_ticket(seq, ticket, event)
            if event.kind in WITHDRAWING_MOVES and event.counter_id is not None:
                publish_withdrawn(seq, change.branch_id, ticket["code"], event)
            if event.kind == "finished" and event.counter_id is not None:
                prompt = {"seq": seq, "token": ticket["token"], "code": ticket["code"]}
                emit("rate", prompt, to=counter_rooms(event.counter_id))
                emit("rate", prompt, to=ticket_room(ticket["token"]))
            if event.kind in QUEUE_MOVES or (event.kind == "issued" and ticket["priority"]):
                publish_positions(seq, ticket, change.estimates)


def publish_withdrawn(seq: int, branch_id: int, code: str, event: TicketChanged) -> None:
    """The counter no longer expects this customer: boards stop showing the call at once."""
    branch_events().emit(
        branch_id,
        "withdrawn",
        {"seq": seq, "code": code, "counter_id": event.counter_id, "kind": event.kind},
    )


def publish_setup() -> None:
    """An admin changed a branch, service, counter or branding: every open kiosk, board and
    feedback screen reloads its setup. Rare, so every branch and counter room is told."""
    reads = get_reads()
    for branch in reads.rows("SELECT id, seq FROM branches"):
        data = {"seq": branch["seq"], "branch_id": branch["id"]}
        branch_events().emit(branch["id"], "setup", data)
        for counter in reads.rows("SELECT id FROM counters WHERE branch_id = ?", [branch["id"]]):
            emit("setup", data, to=counter_rooms(counter["id"]))


def publish_called(change: Change, event: TicketCalled) -> None:
    """A call or a recall: the branch's boards, the counter's screens and the ticket's phone."""
    ticket = change.ticket
    called = {
        "seq": change.seq,
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
            ticket["counter"]["names"],
        ),
    }
    branch_events().emit(change.branch_id, "called", called)
    for room in (*counter_rooms(event.counter_id), ticket_room(ticket["token"])):
        emit("called", called, to=room)


def publish_counter(
    seq: int, branch_id: int, event: CounterChanged, estimates: BranchEstimates | None
) -> None:
    """A pause, a resume, an opening or a closing: the counter's screens and the branch
    (managers) see it, and the phones of everyone waiting for what it serves get their new
    estimate (or learn that no counter serving them is open)."""
    reads = get_reads()
    counter = reads.counter_summary(event.counter_id)
    data = {"seq": seq, "kind": event.kind, "counter": counter}
    emit("counter", data, to=counter_rooms(event.counter_id))
    branch_events().emit(branch_id, "counter", data)
    day = reads.today(branch_id)
    for service_id in counter["service_ids"]:
        tell_waiting(seq, service_id, day, estimates)


def publish_ticket(seq: int, ticket: dict, event: TicketChanged) -> None:
    counters = {event.counter_id, (ticket["counter"] or {}).get("id")} - {None}
    for counter_id in counters:
        emit(
            "ticket",
            {"seq": seq, "kind": event.kind, "ticket": ticket},
            to=counter_room(counter_id),
        )
        emit(
            "ticket",
            {"seq": seq, "kind": event.kind, "ticket": feedback_view(ticket)},
            to=feedback_room(counter_id),
        )
    emit(
        "ticket",
        {"seq": seq, "kind": event.kind, "ticket": public_view(ticket)},
        to=ticket_room(ticket["token"]),
    )


def publish_positions(seq: int, changed: dict, estimates: BranchEstimates | None) -> None:
    """Everyone else waiting in that service moved: tell each phone its new place."""
    tell_waiting(seq, changed["service_id"], changed["service_day"], estimates, changed["id"])


def tell_waiting(
    seq: int,
    service_id: int,
    day: str,
    estimates: BranchEstimates | None,
    except_id: int | None = None,
) -> None:
    """Send each phone waiting in the service its place and estimate as they are now. The
    queue is read and its estimates made on a worker thread, and a long queue's emits go out in
    batches with the event loop getting a turn between them, so nobody else waits for all."""
    listening = phones_listening()
    if listening is not None and not listening:
        return  # no phone follows a ticket: nothing to read, nothing to send
    reads = get_reads()
    waiting_tickets = off_the_loop(lambda: reads.waiting_tickets(service_id, day, estimates))
    for number, waiting in enumerate(waiting_tickets, start=1):
        if number % POSITIONS_PER_TURN == 0:
            socketio.sleep(0)
        if waiting["id"] != except_id and (listening is None or waiting["token"] in listening):
            socketio.emit(
                "ticket",
                {"seq": seq, "kind": "moved", "ticket": public_view(waiting)},
                to=ticket_room(waiting["token"]),
            )
