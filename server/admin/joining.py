"""Admin → branch → joining from phones: the rules per branch and service, and the poster."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template, request
from flask_babel import force_locale

from display.join.poster import render_poster
from display.join.texts import poster_texts
from display.join.views import join_url
from server import store
from server.admin import bp
from server.admin.common import actor, back_to, checked, form_page
from server.db import get_db
from server.domain.errors import ValidationError
from server.domain.remote_joining import MAX_CAP, MAX_CLOSES_BEFORE_MIN
from server.joining import remote_joining, set_branch_rules
from server.offload import off_hub

RULE_FIELDS = ("closes_before_min", "max_waiting", "max_queue")


def rules_from_form(prefix: str) -> dict[str, Any]:
    return {
        "enabled": checked(f"{prefix}enabled"),
        **{field: request.form.get(f"{prefix}{field}", "").strip() for field in RULE_FIELDS},
    }


def joining_page(branch: dict, error: ValidationError | None = None):
    services = store.rows(get_db(), "service", branch["id"])
    return form_page(
        "admin/joining.html",
        error,
        branch=branch,
        branches=store.rows(get_db(), "branch"),
        rules=remote_joining(branch),
        services=[{**s, "rules": remote_joining(s)} for s in services],
        join_url=join_url(branch["slug"]),
        max_closes_before=MAX_CLOSES_BEFORE_MIN,
        max_cap=MAX_CAP,
    )


@bp.route("/branches/<int:branch_id>/joining", methods=["GET", "POST"])
def joining(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    if request.method == "GET":
        return joining_page(branch)
    services = store.rows(get_db(), "service", branch_id)
    try:
        set_branch_rules(
            get_db(),
            branch_id,
            rules_from_form(""),
            {s["id"]: rules_from_form(f"s{s['id']}_") for s in services},
            actor(),
        )
    except ValidationError as error:
        return joining_page(branch, error)
    return back_to("admin.joining", branch_id=branch_id)


def poster_words(branch: dict) -> list[dict[str, str]]:
    """The poster's heading and steps in each of the branch's languages, its default first."""
    default = branch["default_language"]
    ordered = [default, *(c for c in json.loads(branch["languages"]) if c != default)]
    words = []
    for language in ordered:
        with force_locale(language):
            words.append({"language": language, **poster_texts()})
    return words


@bp.get("/branches/<int:branch_id>/poster")
def poster(branch_id: int):
    """The printable A4 poster for the door and the window."""
    branch = store.row(get_db(), "branch", branch_id)
    return render_template(
        "admin/poster.html",
        branch=branch,
        store_name=store.store_name(get_db()),
        join_url=join_url(branch["slug"]),
        words=poster_words(branch),
    )


@bp.get("/branches/<int:branch_id>/poster.png")
def poster_png(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    png = off_hub(
        render_poster,
        store.store_name(get_db()),
        branch["name"],
        join_url(branch["slug"]),
        poster_words(branch),
    )
    response = Response(png, mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="join-{branch["slug"]}.png"'
    return response
