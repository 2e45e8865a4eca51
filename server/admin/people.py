"""Staff accounts: add, change role, deactivate, reset a password (shown once)."""

from __future__ import annotations

from flask import render_template, request

from server.admin import bp
from server.admin.common import actor, back_to, checked, form_page
from server.auth import accounts
from server.auth.passwords import new_secret
from server.db import get_db
from server.domain.errors import Conflict, ValidationError
from server.realtime.connections import disconnect_user


@bp.get("/users")
def users():
    return form_page("admin/users.html", users=accounts.users(get_db()))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    if request.method == "GET":
        return form_page("admin/user_form.html", user={}, roles=accounts.ROLES)
    password = new_secret()
    try:
        user_id = accounts.add_user(
            get_db(),
            request.form.get("username", ""),
            request.form.get("role", ""),
            password,
            request.form.get("display_name") or None,
            actor=actor(),
        )
    except ValidationError as error:
        return form_page("admin/user_form.html", error, user={}, roles=accounts.ROLES)
    return render_template(
        "admin/password.html", user=accounts.user_row(get_db(), user_id), password=password
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = accounts.user_row(get_db(), user_id)
    if request.method == "GET":
        return form_page("admin/user_form.html", user=user, roles=accounts.ROLES)
    try:
        accounts.update_user(get_db(), user_id, request.form, actor())
    except (ValidationError, Conflict) as error:
        return form_page("admin/user_form.html", error, user=user, roles=accounts.ROLES)
    if request.form.get("role") != user["role"]:
        disconnect_user(user_id)  # the role their live pages were opened with is gone
    return back_to("admin.users")


@bp.post("/users/<int:user_id>/active")
def set_user_active(user_id: int):
    active = checked("active")
    accounts.set_user_active(get_db(), user_id, active, actor())
    if not active:
        disconnect_user(user_id)
    return back_to("admin.users")


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    password = accounts.reset_password(get_db(), user_id, actor())
    disconnect_user(user_id)
    return render_template(
        "admin/password.html", user=accounts.user_row(get_db(), user_id), password=password
    )
