"""How long a queue's wait is, in words both the board and the join page fill in."""

from __future__ import annotations

from flask_babel import gettext


def wait_labels() -> dict[str, str]:
    """A queue's length and estimate in the current language; `{n}`, `{lo}`, `{hi}` stand for
    numbers (the scripts' etaText picks one from the API's eta_minutes)."""
    return {
        "waiting": gettext("{n} waiting"),
        "eta": gettext("about {n} min"),
        "eta_range": gettext("{lo}–{hi} min"),
        "eta_closed": gettext("waiting for a counter to open"),
        "no_wait": gettext("no wait"),
    }
