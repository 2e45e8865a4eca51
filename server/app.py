"""The Flask app factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

import kiosk
from server import auth, config, db, errors, i18n, labels, operations, security
from server.engine.clock import utc_now
from server.json_input import BoundedJSONProvider
from server.realtime import branch_events, guard, socketio
from server.realtime.message_queue import client_manager_options
from server.realtime.publish import Publisher

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Settings of the home folder (server.config.load), then test overrides."""
    home = config.home_folder()
    app = Flask(
        __name__,
        instance_path=str(home),
        static_folder=str(static_folder()),
        static_url_path="/static",
    )
    app.json = BoundedJSONProvider(app)
    app.config.update(config.load(home))
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("SIRA_CLOCK", utc_now)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))

    db.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    operations.init_app(app)

    from server.api import bp as api_bp

    app.register_blueprint(api_bp)
    # After each commit: Socket.IO first, then what the kiosk package subscribes (its printer).
    branch_events.init_app(app)
    db.subscribers(app).subscribe(Publisher())
    kiosk.init_app(app)

    from server.dashboard import bp as dashboard_bp

    app.register_blueprint(dashboard_bp)

    from display.feedback import bp as feedback_bp

    app.register_blueprint(feedback_bp)

    from display.board import bp as display_bp
    from server.workstation import bp as workstation_bp

    app.register_blueprint(display_bp)

    from display.join import bp as join_bp

    app.register_blueprint(join_bp)
    app.register_blueprint(workstation_bp)

    from server.admin import bp as admin_bp
    from server.admin import pairing_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(pairing_bp)

    from server.realtime import handlers, heartbeat  # noqa: F401  (registers the handlers)

    socketio.init_app(
        app,
        async_mode=app.config["SIRA_ASYNC_MODE"],
        **client_manager_options(
            app.config["SIRA_MESSAGE_QUEUE"],
            app.config["SIRA_MESSAGE_CHANNEL"],
            float(app.config["SIRA_MQ_RETRY_S"]),
        ),
    )
    guard.install(app)
    return app


def static_folder() -> Path:
    """The checkout's static/, or in an installed wheel the copy its build put inside server/."""
    installed = Path(__file__).resolve().parent / "static"
    return installed if installed.is_dir() else ROOT / "static"


def instance_secret(home: Path) -> str:
    """A secret key kept in the home folder, so sessions survive restarts and span processes.

    Written once, readable by its owner only (0600) from the first byte, and linked into place
    so that processes starting together all read the same key.
    """
    path = home / "secret_key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        draft = home / f".secret_key.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
