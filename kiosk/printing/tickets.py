"""From a ticket row to what its paper says: a JSON snapshot kept with the print job, and back.

The snapshot is taken when the job is queued, so a ticket printed after a retry still shows the
people ahead and the wait the customer was told at the kiosk.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.support import NullTranslations, Translations

from kiosk.printing.layout import TicketLabels, TicketPrint
from server.domain.names import service_name
from server.engine.clock import parse
from server.engine.reads import QueueReads

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def translations(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def ticket_labels(language: str) -> TicketLabels:
    """The ticket's fixed words in the customer's language (kiosk/translations)."""
    _ = translations(language).gettext
    return TicketLabels(
        people_ahead=_("People ahead"),
        estimated_wait=_("Estimated wait"),
        minutes=_("{minutes} min"),
        minutes_range=_("{low}–{high} min"),
        no_counter=_("Waiting for a counter to open"),
        now=_("You are next"),
        scan=_("Scan and keep the page open to follow your turn"),
        reprint=_("Reprint"),
    )


def priority_line(need: str | None, language: str) -> str:
    """The stated priority need as the paper says it ("Öncelik: Yaşlı"), or "" for none."""
    if not need:
        return ""
    _ = translations(language).gettext
    words = {"elderly": _("Elderly"), "disability": _("Disability"), "pregnancy": _("Pregnancy")}
    return _("Priority: %(need)s") % {"need": words.get(need, need)}


def ticket_snapshot(reads: QueueReads, ticket: dict, base_url: str) -> dict:
    """What the ticket's paper says, as JSON-able data (for print_jobs.data)."""
    branch = reads.branch(ticket["branch_id"])
    service = reads.service(ticket["service_id"])
    return {
        "store_name": branch["name"],
        "logo_path": branch["logo_path"],
        "footer": branch["ticket_footer"],
        "timezone": branch["timezone"],
        "code": ticket["code"],
        "service_name": service_name(service, ticket["language"]),
        "language": ticket["language"],
        "priority": ticket["priority"],
        "people_ahead": ticket["position"] or 0,
        "eta_s": ticket["eta_s"],
        "eta_minutes": ticket["eta_minutes"],
        "created_at": ticket["created_at"],
        "url": f"{base_url.rstrip('/')}/t/{ticket['token']}",
    }


def snapshot_minutes(snapshot: dict) -> list[int] | None:
    """The wait as told; snapshots stored before eta_minutes existed had only whole seconds."""
    if "eta_minutes" in snapshot:
        return snapshot["eta_minutes"]
    minutes = math.ceil(snapshot["eta_s"] / 60)
    return [minutes, minutes]


def ticket_print(snapshot: dict, reprint: bool = False) -> TicketPrint:
    """The layout's input from a stored snapshot, with the time in the branch's timezone."""
    return TicketPrint(
        store_name=snapshot["store_name"],
        code=snapshot["code"],
        service_name=snapshot["service_name"],
        people_ahead=snapshot["people_ahead"],
        eta_minutes=snapshot_minutes(snapshot),
        issued_at=parse(snapshot["created_at"]).astimezone(ZoneInfo(snapshot["timezone"])),
        url=snapshot["url"],
        footer=snapshot["footer"] or "",
        logo_path=snapshot["logo_path"],
        reprint=reprint,
        priority=priority_line(snapshot.get("priority"), snapshot["language"]),
        labels=ticket_labels(snapshot["language"]),
    )
