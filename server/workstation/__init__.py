"""The counter workstation staff use all day, and the staff sign-in page it starts from."""

from flask import Blueprint

bp = Blueprint("workstation", __name__, template_folder="templates")

from server.workstation import views  # noqa: E402, F401
