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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    row = get_db().execute("SELECT * FROM users WHERE id = ? AND active", [int(user_id)]).fetchone()
    return User(dict(row)) if row else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
