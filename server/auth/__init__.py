"""Authentication: sessions through Flask-Login, bearer tokens for staff tools and devices."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager, UserMixin

from server.db import get_db

login_manager = LoginManager()


class User(UserMixin):
    def __init__(self, row: dict):
        self.id = row["id"]
        self.username = row["username"]
        self.display_name = row["display_name"]
        self.role = row["role"]
        self.session_version = row.get("session_version", 0)

    def get_id(self) -> str:
        """The id and session version: a password reset or deactivation ends older sessions."""
        return f"{self.id}.{self.session_version}"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not (version or "0").isdigit():
        return None
    row = (
        get_db()
        .execute(
            "SELECT * FROM users WHERE id = ? AND active AND session_version = ?",
            [int(user_id), int(version or 0)],
        )
        .fetchone()
    )
    return User(dict(row)) if row else None


def init_app(app: Flask) -> None:
    from server.auth.principal import note_device_contact

    login_manager.init_app(app)
    app.after_request(note_device_contact)
