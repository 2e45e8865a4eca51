"""Devices: create one and show its pairing code and QR; rename, re-pair, revoke.
And /pair, where a kiosk, board or feedback screen trades the code for its token."""

from __future__ import annotations

import base64
import io
import json

import qrcode
from flask import redirect, render_template, request
from werkzeug.wrappers import Response

from server import store
from server.admin import bp, pairing_bp
from server.admin.common import actor, back_to, form_page, number
from server.auth import accounts
from server.auth.principal import DEVICE_COOKIE
from server.db import get_db
from server.domain.errors import Conflict, ValidationError
from server.domain.validation import LANGUAGES
from server.public_url import public_base_url
from server.realtime.connections import disconnect_device

# Where each kind of device goes once paired.
DEVICE_PAGES = {"kiosk": "/kiosk", "display": "/display", "feedback": "/feedback"}
DEVICE_COOKIE_AGE = 10 * 365 * 86400


def device_choices() -> dict:
    """Branches, counters and services (for boards) to pick from, as (id, label) pairs."""
    db = get_db()
    branches = store.rows(db, "branch")
    return {
        "branch_options": [(b["id"], b["name"]) for b in branches],
        "counter_options": [
            (c["id"], f"{b['name']} · {c['name']}")
            for b in branches
            for c in store.rows(db, "counter", b["id"])
        ],
        "service_options": [
            (s["id"], f"{b['name']} · {s['prefix']} {s['name']}")
            for b in branches
            for s in store.rows(db, "service", b["id"])
        ],
        "languages": LANGUAGES,
    }


def device_values() -> dict:
    form = request.form
    return {
        "kind": form.get("kind"),
        "name": form.get("name"),
        "branch_id": number(form.get("branch_id")) or form.get("branch_id"),
        "counter_id": number(form.get("counter_id")) or form.get("counter_id") or None,
        "printer_uri": form.get("printer_uri"),
        "languages": form.getlist("languages"),
        "service_ids": [number(v) or v for v in form.getlist("service_ids")],
    }


def pair_url(code: str) -> str:
    return f"{public_base_url().rstrip('/')}/pair?code={code}"


def qr_data_uri(text: str) -> str:
    """The QR code as a PNG data: URI (allowed by the CSP's img-src, no extra request)."""
    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def pairing_page(device_id: int, code: str):
    url = pair_url(code)
    return render_template(
        "admin/pairing_code.html",
        device=accounts.device_row(get_db(), device_id),
        code=code,
        url=url,
        qr=qr_data_uri(url),
        minutes=int(accounts.PAIRING_TTL.total_seconds() // 60),
    )


@bp.get("/devices")
def devices():
    return form_page("admin/devices.html", devices=accounts.devices(get_db()))


@bp.route("/devices/new", methods=["GET", "POST"])
def new_device():
    if request.method == "GET":
        return form_page("admin/device_form.html", device={}, **device_choices())
    try:
        device_id, code = accounts.create_device(get_db(), device_values(), actor())
    except ValidationError as error:
        return form_page("admin/device_form.html", error, device={}, **device_choices())
    return pairing_page(device_id, code)


def shown_device(device_id: int) -> dict:
    """A device for its form, with the board's lists read from their JSON."""
    device = accounts.device_row(get_db(), device_id)
    return {
        **device,
        "languages": json.loads(device["languages"]),
        "service_ids": json.loads(device["service_ids"]),
    }


@bp.route("/devices/<int:device_id>", methods=["GET", "POST"])
def edit_device(device_id: int):
    device = shown_device(device_id)
    if request.method == "GET":
        return form_page("admin/device_form.html", device=device, **device_choices())
    try:
        accounts.update_device(get_db(), device_id, device_values(), actor())
    except ValidationError as error:
        return form_page("admin/device_form.html", error, device=device, **device_choices())
    return back_to("admin.devices")


@bp.post("/devices/<int:device_id>/pair")
def repair_device(device_id: int):
    return pairing_page(device_id, accounts.repair_device(get_db(), device_id, actor()))


@bp.post("/devices/<int:device_id>/revoke")
def revoke_device(device_id: int):
    accounts.revoke_device(get_db(), device_id, actor())
    disconnect_device(device_id)
    return back_to("admin.devices")


# -- on the device -------------------------------------------------------------------------------


def paired_response(device: dict, token: str, response: Response) -> Response:
    """Keep the device's token in an HttpOnly cookie, out of reach of page scripts."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@pairing_bp.route("/pair", methods=["GET", "POST"])
def pair():
    if request.method == "GET":
        return form_page("admin/pair.html", code=request.args.get("code", "")[:20])
    try:
        device, token = accounts.pair_device(
            get_db(), request.form.get("code"), request.remote_addr
        )
    except (ValidationError, Conflict) as error:
        return form_page("admin/pair.html", error, code=request.form.get("code", "")[:20])
    return paired_response(device, token, redirect(DEVICE_PAGES[device["kind"]], code=303))
