"""Words for the domain's codes (pause reasons, audit events), in the reader's language.

Codes are what is stored and sent; each page shows them through these, so a Turkish clerk's
pause reads "Lunch" on an English dashboard."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from flask import Flask, g
from flask_babel import get_locale, lazy_gettext

from server.api.branches import branch_in_scope
from server.db import get_reads
from server.domain.names import service_name


def code_text(labels: dict, code: str) -> str:
    """A code in words from `labels`; a code the list does not know yet is shown as it is."""
    label = labels.get(code)
    return str(label) if label is not None else code


PAUSE_REASON_LABELS = {
    "break": lazy_gettext("Break"),
    "lunch": lazy_gettext("Lunch"),
    "paperwork": lazy_gettext("Paperwork"),
    "helping": lazy_gettext("Helping a colleague"),
    "other": lazy_gettext("Other"),
}


def pause_reason_text(code: str | None, note: str | None = None) -> str:
    """ "Lunch", or the clerk's own words for "other" (as typed: they are not translated)."""
    if code == "other" and note:
        return note
    text = code_text(PAUSE_REASON_LABELS, code or "")
    return f"{text}: {note}" if note else text


# What the audit log's action codes (server/audit.py, and staff moves as "ticket.<kind>") say.
AUDIT_ACTION_LABELS = {
    "auth.login": lazy_gettext("Signed in"),
    "auth.login_failed": lazy_gettext("Sign-in refused"),
    "branch.created": lazy_gettext("Branch created"),
    "branch.updated": lazy_gettext("Branch changed"),
    "branch.activated": lazy_gettext("Branch reactivated"),
    "branch.deactivated": lazy_gettext("Branch deactivated"),
    "branch.reordered": lazy_gettext("Branch moved in the list"),
    "branding.updated": lazy_gettext("Branding changed"),
    "branding.logo_set": lazy_gettext("Logo uploaded"),
    "branding.logo_removed": lazy_gettext("Logo removed"),
    "service.created": lazy_gettext("Service created"),
    "service.updated": lazy_gettext("Service changed"),
    "service.activated": lazy_gettext("Service reactivated"),
    "service.deactivated": lazy_gettext("Service deactivated"),
    "service.deleted": lazy_gettext("Service deleted"),
    "service.reordered": lazy_gettext("Service moved in the list"),
    "counter.created": lazy_gettext("Counter created"),
    "counter.updated": lazy_gettext("Counter changed"),
    "counter.activated": lazy_gettext("Counter reactivated"),
    "counter.deactivated": lazy_gettext("Counter deactivated"),
    "counter.deleted": lazy_gettext("Counter deleted"),
    "counter.reordered": lazy_gettext("Counter moved in the list"),
    "device.created": lazy_gettext("Device added"),
    "device.updated": lazy_gettext("Device changed"),
    "device.pairing_code": lazy_gettext("Pairing code made"),
    "device.paired": lazy_gettext("Device paired"),
    "device.revoked": lazy_gettext("Device revoked"),
    "user.created": lazy_gettext("Account created"),
    "user.updated": lazy_gettext("Account changed"),
    "user.activated": lazy_gettext("Account reactivated"),
    "user.deactivated": lazy_gettext("Account deactivated"),
    "user.password_reset": lazy_gettext("Password reset"),
    "user.token_created": lazy_gettext("API token created"),
    "user.token_revoked": lazy_gettext("API token revoked"),
    "ticket.issued": lazy_gettext("Ticket issued"),
    "ticket.called": lazy_gettext("Ticket called"),
    "ticket.recalled": lazy_gettext("Ticket recalled"),
    "ticket.started": lazy_gettext("Service started"),
    "ticket.finished": lazy_gettext("Service finished"),
    "ticket.no_show": lazy_gettext("Marked as no-show"),
    "ticket.parked": lazy_gettext("Ticket parked"),
    "ticket.transferred": lazy_gettext("Ticket transferred"),
    "ticket.cancelled": lazy_gettext("Ticket cancelled"),
    "ticket.finish_undone": lazy_gettext("Finish undone"),
    "ticket.no_show_undone": lazy_gettext("No-show undone"),
}


def audit_action_text(action: str) -> str:
    return code_text(AUDIT_ACTION_LABELS, action)


def local_service_name(service: dict) -> str:
    """A service's name in the page's language (its `names`), else its main name."""
    return service_name(service, str(get_locale()))


def local_time(timestamp: str | None, timezone: str, locale: str = "en") -> str:
    """A stored UTC timestamp as the store's wall-clock time, written the reader's way
    (Babel's medium format: "1 Ara 2026 08:48:33" in Turkish)."""
    if not timestamp:
        return "–"
    when = datetime.fromisoformat(timestamp)
    return format_datetime(when, "medium", tzinfo=ZoneInfo(timezone), locale=locale)


def local_time_in_branch(timestamp: str | None) -> str:
    """A stored time in the branch's time zone, in the page's language (`|local_time`)."""
    if "branch_timezone" not in g:
        g.branch_timezone = get_reads().branch(g.get("branch_id") or branch_in_scope())["timezone"]
    return local_time(timestamp, g.branch_timezone, str(get_locale()))


def percent(value: float | None) -> str:
    """66.7 → "66.7%" (Turkish "%66,7"): a share to 0.1, written the reader's way."""
    if value is None:
        return "–"
    share = round(value, 1) / 100
    return format_percent(share, locale=str(get_locale()), decimal_quantization=False)


def decimal(value: float | None, places: int = 2) -> str:
    """3.5 → "3.50" (Turkish "3,50")."""
    if value is None:
        return "–"
    return format_decimal(value, "0." + "0" * places, locale=str(get_locale()))


# The statuses of a ticket, as lists of tickets show them.
STATUS_LABELS = {
    "waiting": lazy_gettext("Waiting"),
    "called": lazy_gettext("Called"),
    "serving": lazy_gettext("Being served"),
    "done": lazy_gettext("Served"),
    "no_show": lazy_gettext("No-show"),
    "cancelled": lazy_gettext("Cancelled"),
}


def status_text(status: str) -> str:
    return code_text(STATUS_LABELS, status)


def init_app(app: Flask) -> None:
    app.add_template_global(pause_reason_text)
    app.add_template_global(local_service_name)
    app.add_template_global(audit_action_text)
    app.add_template_filter(local_time_in_branch, "local_time")
    app.add_template_filter(percent)
    app.add_template_filter(decimal)
    app.add_template_global(status_text)
