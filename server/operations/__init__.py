"""Running a store: health and readiness probes, Prometheus metrics, the access log and the
start page that `/` leads to (also the error pages' "back to the start")."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("operations", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from server.operations import probes, start  # noqa: F401  (register routes)
    from server.operations.metrics import observe_requests

    observe_requests(app)
    app.register_blueprint(bp)
