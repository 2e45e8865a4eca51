"""Joining the queue from a phone: the join page (/join/<slug>), its QR code, and the words
of each refusal in the customer's language."""

from flask import Blueprint

bp = Blueprint("join", __name__, template_folder="templates")

from display.join import views  # noqa: E402, F401
