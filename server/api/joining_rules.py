"""The admin API of the rules for joining from a phone: one `remote_joining` object per
branch and per service (a service's null field follows its branch)."""

from __future__ import annotations

from flask import jsonify

from server import store
from server.api import bp
from server.api.admin import api_actor
from server.api.helpers import json_body, require
from server.db import get_db
from server.joining import remote_joining, set_remote_joining


def branch_rules(branch_id: int) -> dict:
    db = get_db()
    return {
        "branch_id": branch_id,
        "remote_joining": remote_joining(store.row(db, "branch", branch_id)),
        "services": [
            {"id": s["id"], "name": s["name"], "remote_joining": remote_joining(s)}
            for s in store.rows(db, "service", branch_id)
        ],
    }


@bp.get("/branches/<int:branch_id>/remote-joining")
@require("admin")
def get_branch_rules(branch_id: int):
    return jsonify(branch_rules(branch_id))


@bp.post("/branches/<int:branch_id>/remote-joining")
@require("admin")
def set_branch_rules(branch_id: int):
    set_remote_joining(
        get_db(), "branch", branch_id, json_body().get("remote_joining"), api_actor()
    )
    return jsonify(branch_rules(branch_id))


@bp.get("/services/<int:service_id>/remote-joining")
@require("admin")
def get_service_rules(service_id: int):
    service = store.row(get_db(), "service", service_id)
    return jsonify(service_id=service_id, remote_joining=remote_joining(service))


@bp.post("/services/<int:service_id>/remote-joining")
@require("admin")
def set_service_rules(service_id: int):
    set_remote_joining(
        get_db(), "service", service_id, json_body().get("remote_joining"), api_actor()
    )
    return get_service_rules(service_id)
