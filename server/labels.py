"""Words for the domain's codes (pause reasons, audit events), in the reader's language.

Codes are what is stored and sent; each page shows them through these, so a Turkish clerk's
pause reads "Lunch" on an English dashboard."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale, lazy_gettext

from server.domain.names import service_name

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
    label = PAUSE_REASON_LABELS.get(code or "")
    text = str(label) if label is not None else (code or "")
    return f"{text}: {note}" if note else text


def local_service_name(service: dict) -> str:
    """A service's name in the page's language (its `names`), else its main name."""
    return service_name(service, str(get_locale()))


def init_app(app: Flask) -> None:
    app.add_template_global(pause_reason_text)
    app.add_template_global(local_service_name)
