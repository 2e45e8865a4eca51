"""The kiosk: touchscreen pages, the paper ticket, the print queue, the print agent and the
virtual printer. `init_app` wires the pages, the kiosk API and the agent's socket events."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")


def init_app(app: Flask) -> None:
    from kiosk import realtime, views  # noqa: F401  (register routes and socket handlers)
    from kiosk.api import api
    from kiosk.printing.dispatch import TicketPrinting
    from server.db import subscribers

    subscribers(app).subscribe(TicketPrinting())
    app.register_blueprint(bp)
    app.register_blueprint(api)
