"""Screens that watch the queue: the display board and the customer's phone page."""

from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates")

from display import views  # noqa: E402, F401
