"""The display board (/display, /api/v1/board) and the customer's phone page (/t/<token>)."""

from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates")

from display.board import views  # noqa: E402, F401
