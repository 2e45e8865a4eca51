"""Administration over JSON: devices and their pairing, the audit log, branding, the API's spec."""

from __future__ import annotations

from pathlib import Path

import yaml
from flask import jsonify, request

from server import audit, store
from server.admin.devices import DEVICE_PAGES, pair_url, paired_response
from server.api import bp
from server.api.helpers import json_body, require
from server.audit import Actor
from server.auth import accounts
from server.auth.principal import current_principal
from server.db import get_db
from server.domain.store_rules import whole_number
from server.domain.validation import MAX_INTEGER
from server.engine.clock import iso, utc_now
from server.realtime.connections import disconnect_device

SPEC = Path(__file__).with_name("openapi.yaml")
DEVICE_FIELDS = (
    "id",
    "kind",
    "name",
    "branch_id",
    "counter_id",
    "printer_uri",
    "printer_status",
    "printer_status_at",
    "last_seen_at",
    "created_at",
    "paired_at",
    "revoked_at",
)


def device_json(device_id: int) -> dict:
    device = accounts.device_row(get_db(), device_id)
    return {
        **{key: device[key] for key in DEVICE_FIELDS},
        "state": accounts.device_state(device, iso(utc_now())),
        "connected": bool(device["connected"]),
    }


def api_actor() -> Actor:
    principal = current_principal()
    return Actor(user_id=principal.user_id, address=request.remote_addr)


def code_json(device_id: int, code: str) -> dict:
    return {
        "device": device_json(device_id),
        "pairing_code": code,
        "pair_url": pair_url(code),
        "expires_at": accounts.device_row(get_db(), device_id)["pairing_expires_at"],
    }


@bp.get("/devices")
@require("admin")
def list_devices():
    return jsonify([device_json(device["id"]) for device in accounts.devices(get_db())])


@bp.post("/devices")
@require("admin")
def create_device():
    device_id, code = accounts.create_device(get_db(), json_body(), api_actor())
    return jsonify(code_json(device_id, code)), 201


@bp.post("/devices/<int:device_id>")
@require("admin")
def update_device(device_id: int):
    accounts.update_device(get_db(), device_id, json_body(), api_actor())
    return jsonify(device_json(device_id))


@bp.post("/devices/<int:device_id>/pairing-code")
@require("admin")
def new_pairing_code(device_id: int):
    code = accounts.repair_device(get_db(), device_id, api_actor())
    return jsonify(code_json(device_id, code)), 201


@bp.post("/devices/<int:device_id>/revoke")
@require("admin")
def revoke_device(device_id: int):
    accounts.revoke_device(get_db(), device_id, api_actor())
    disconnect_device(device_id)
    return jsonify(device_json(device_id))


@bp.post("/device/pair")
def device_pair():
    """A device trades its pairing code for its token (also set as the HttpOnly cookie)."""
    device, token = accounts.pair_device(get_db(), json_body().get("code"), request.remote_addr)
    body = {
        "token": token,
        "device_id": device["id"],
        "kind": device["kind"],
        "branch_id": device["branch_id"],
        "counter_id": device["counter_id"],
        "page": DEVICE_PAGES[device["kind"]],
    }
    return paired_response(device, token, jsonify(body))


@bp.get("/audit")
@require("admin")
def audit_log():
    page = whole_number(request.args.get("page", "1"), "page", 1, audit.MAX_PAGE)
    user_id = request.args.get("user_id")
    if user_id is not None:
        user_id = whole_number(user_id, "user_id", 1, MAX_INTEGER)
    entries, more = audit.entries(get_db(), page, user_id)
    return jsonify(entries=entries, page=page, more=more)


@bp.get("/branches/<int:branch_id>/branding")
def branding(branch_id: int):
    """Store name, logo, ticket footer and ticker: public, like the sign over the door."""
    return jsonify(store.branding(get_db(), branch_id))


@bp.get("/openapi.json")
def openapi():
    return jsonify(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
