"""What the customer reads when a phone may not join or move: one sentence per rule."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from server.domain.errors import DomainError
from server.i18n import translated


def refusal_texts() -> dict[str, str]:
    """Each rule's refusal, keyed by the error code the API gives, in the current language."""
    return {
        "remote_joining_off": gettext(
            "This service cannot be joined from a phone. Please take a ticket at the kiosk."
        ),
        "remote_joining_closed": gettext(
            "Joining from a phone is closed at this hour. Please take a ticket at the kiosk."
        ),
        "remote_tickets_full": gettext(
            "Many people are already waiting from their phones. Please try again in a"
            " few minutes or take a ticket at the kiosk."
        ),
        "queue_too_long": gettext(
            "The queue is too long to join from a phone right now. Please try again later."
        ),
        "one_ticket_per_phone": gettext(
            "This phone already holds a ticket here. Leave that queue first to join another."
        ),
        "rate_limited": gettext("Too many tries from this network. Please wait a minute."),
        "more_time_used_up": gettext("You have already asked for more time twice."),
        "nobody_behind": gettext("Nobody is behind you yet: take your time."),
        "not_waiting": gettext("Your ticket is no longer waiting in the queue."),
    }


def in_language(refusal: DomainError, language: str) -> DomainError:
    """The same refusal in the customer's language: the rule's own sentence where it has one,
    else its message translated. Kept as the refusal's text, so the error handler (which
    translates into the request's language) shows it as it is."""
    with force_locale(language):
        text = refusal_texts().get(refusal.code) or translated(refusal)
    refusal.template, refusal.params, refusal.message = text, {}, text
    return refusal


def poster_texts() -> dict[str, str]:
    """The poster's words in the current language: a heading and three steps."""
    return {
        "heading": gettext("Skip the queue at the kiosk: join from your phone"),
        "scan": gettext("Scan the code with your phone's camera."),
        "choose": gettext("Choose a service and join the queue."),
        "wait": gettext("Wait wherever you like: your phone tells you when it is your turn."),
    }
