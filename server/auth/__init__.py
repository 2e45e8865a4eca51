"""Authentication: sessions through Flask-Login, bearer tokens for staff tools and devices."""

from __future__ import annotations

import re

from flask import Flask
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from server.db import get_db

login_manager = LoginManager()
# What Flask-Login keeps in the signed cookie: user id, session version, session key.
SESSION_ID = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})\.([A-Za-z0-9_-]{1,64})")


class User(UserMixin):
    def __init__(self, row: dict, session_key: str):
        self.id = row["id"]
        self.username = row["username"]
        self.display_name = row["display_name"]
        self.role = row["role"]
        self.session_version = row.get("session_version", 0)
        self.session_key = session_key

    def get_id(self) -> str:
        """Id, session version and the server-side session's key.

        A password reset or deactivation bumps the version; signing out deletes the session, so
        a copy of the cookie taken before stops working.
        """
        return f"{self.id}.{self.session_version}.{self.session_key}"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    from server.auth.accounts import session_user

    found = SESSION_ID.fullmatch(session_id)
    if found is None:
        return None
    user_id, version, key = int(found[1]), int(found[2]), found[3]
    row = session_user(get_db(), user_id, version, key)
    return User(row, key) if row else None


def start_session(row: dict) -> User:
    """Sign a user in: a new server-side session, remembered in the signed cookie."""
    from server.auth.accounts import open_session

    user = User(row, open_session(get_db(), row["id"]))
    login_user(user)
    return user


def end_session() -> None:
    """Sign out: the server-side session is deleted, then the cookie is cleared."""
    from server.auth.accounts import close_session

    if current_user.is_authenticated:
        close_session(get_db(), current_user.session_key)
    logout_user()


def init_app(app: Flask) -> None:
    from server.auth.principal import note_device_contact

    login_manager.init_app(app)
    app.after_request(note_device_contact)
