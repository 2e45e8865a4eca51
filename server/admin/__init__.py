"""Administration pages (/admin, role admin) and device pairing (/pair, the logo file)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
# Pages for devices and the public: pairing a device, the branch logo on tickets and boards.
pairing_bp = Blueprint("pairing", __name__, template_folder="templates")

from server.admin import (  # noqa: E402, F401
    audit_view,
    branding,
    devices,
    joining,
    people,
    setup,
)
