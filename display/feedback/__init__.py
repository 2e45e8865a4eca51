"""The counter-top feedback screen (/feedback) and the phone rating page (/t/<token>/rate)."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, template_folder="templates")

from display.feedback import views  # noqa: E402, F401
