"""The manager dashboard at /manager: live queues, history, follow-up of low ratings, exports."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/manager", template_folder="templates")

from server.dashboard import views  # noqa: E402, F401
