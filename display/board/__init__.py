"""The display board (/display, /api/v1/board) and the customer's phone page (/t/<token>)."""

from flask import Blueprint

from display.announce import announcements
from server.realtime.publish import ANNOUNCER

bp = Blueprint("display", __name__, template_folder="templates")
# The realtime layer words each `called` event with the board's own sentences.
bp.record_once(lambda state: state.app.extensions.setdefault(ANNOUNCER, announcements))

from display.board import views  # noqa: E402, F401
