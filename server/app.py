"""The Flask app factory."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

import kiosk
from server import auth, db, errors, i18n, security
from server.config import DEFAULTS, from_environment
from server.engine.clock import utc_now
from server.realtime import socketio

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then instance/config.py, then SIRA_* environment variables, then test overrides."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("SIRA_CLOCK", utc_now)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))

    db.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    from server.api import bp as api_bp

    app.register_blueprint(api_bp)
    kiosk.init_app(app)

    from server.dashboard import bp as dashboard_bp

    app.register_blueprint(dashboard_bp)

    from display.feedback import bp as feedback_bp

    app.register_blueprint(feedback_bp)

    from display.board import bp as display_bp
    from server.workstation import bp as workstation_bp

    app.register_blueprint(display_bp)
    app.register_blueprint(workstation_bp)

    from server.admin import bp as admin_bp
    from server.admin import pairing_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(pairing_bp)

    from server.realtime import handlers, heartbeat  # noqa: F401  (registers the handlers)

    socketio.init_app(
        app,
        async_mode=app.config["SIRA_ASYNC_MODE"],
        message_queue=app.config["SIRA_MESSAGE_QUEUE"],
        channel=app.config["SIRA_MESSAGE_CHANNEL"],
    )
    return app


def instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, so sessions survive restarts and span processes."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
