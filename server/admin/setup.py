"""Branches, services and counters: list, create, edit, reorder, open and close."""

from __future__ import annotations

import json
from typing import Any

from flask import redirect, request, url_for

from server import store
from server.admin import bp
from server.admin.common import actor, announces_setup, back_to, checked, form_page, number
from server.db import get_db
from server.domain.errors import ValidationError
from server.domain.store_rules import WEEKDAYS, known_timezones
from server.domain.validation import LANGUAGES, digits

LISTS = {"branch": "admin.branches", "service": "admin.services", "counter": "admin.counters"}
KIND_OF = {"branches": "branch", "services": "service", "counters": "counter"}


@bp.get("/")
def home():
    return redirect(url_for("admin.branches"))


# -- branches ----------------------------------------------------------------------------------


def branch_values() -> dict[str, Any]:
    form = request.form
    return {
        "name": form.get("name"),
        "slug": form.get("slug"),
        "timezone": form.get("timezone"),
        "languages": form.getlist("languages"),
        "default_language": form.get("default_language"),
        "day_starts_at": form.get("day_starts_at"),
        "priority_enabled": checked("priority_enabled"),
        "opening_hours": {
            day: {"opens": form.get(f"{day}_opens", ""), "closes": form.get(f"{day}_closes", "")}
            for day in WEEKDAYS
            if form.get(f"{day}_opens") or form.get(f"{day}_closes")
        },
    }


def branch_form(branch: dict | None, error: ValidationError | None = None):
    shown = dict(branch or {})
    if branch:
        shown["languages"] = json.loads(branch["languages"])
        shown["opening_hours"] = json.loads(branch["opening_hours"])
    return form_page(
        "admin/branch_form.html",
        error,
        branch=shown,
        weekdays=WEEKDAYS,
        timezones=sorted(known_timezones()),
        language_options=[(code, code.upper()) for code in LANGUAGES],
    )


@bp.get("/branches")
def branches():
    return form_page("admin/branches.html", branches=store.rows(get_db(), "branch"))


@bp.route("/branches/new", methods=["GET", "POST"])
@announces_setup
def new_branch():
    if request.method == "GET":
        return branch_form(None)
    try:
        store.create_branch(get_db(), branch_values(), actor())
    except ValidationError as error:
        return branch_form(None, error)
    return back_to("admin.branches")


@bp.route("/branches/<int:branch_id>", methods=["GET", "POST"])
@announces_setup
def edit_branch(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    if request.method == "GET":
        return branch_form(branch)
    try:
        store.update_branch(get_db(), branch_id, branch_values(), actor())
    except ValidationError as error:
        return branch_form(branch, error)
    return back_to("admin.branches")


# -- services ----------------------------------------------------------------------------------


def service_values() -> dict[str, Any]:
    form = request.form
    minutes = form.get("target_wait_min", "")
    return {
        "prefix": form.get("prefix", "").upper(),
        "name": form.get("name"),
        "names": {code: form.get(f"name_{code}", "") for code in LANGUAGES},
        "target_wait_s": int(minutes) * 60 if digits(minutes) and len(minutes) < 6 else minutes,
        "priority_allowed": checked("priority_allowed"),
    }


def service_form(branch: dict, service: dict | None, error: ValidationError | None = None):
    shown = dict(service or {})
    if service:
        shown["names"] = json.loads(service["names"])
    return form_page(
        "admin/service_form.html", error, branch=branch, service=shown, languages=LANGUAGES
    )


@bp.get("/branches/<int:branch_id>/services")
def services(branch_id: int):
    db = get_db()
    return form_page(
        "admin/services.html",
        branch=store.row(db, "branch", branch_id),
        branches=store.rows(db, "branch"),
        services=[
            {**s, "history": store.has_history(db, "service", s["id"])}
            for s in store.rows(db, "service", branch_id)
        ],
    )


@bp.route("/branches/<int:branch_id>/services/new", methods=["GET", "POST"])
@announces_setup
def new_service(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    if request.method == "GET":
        return service_form(branch, None)
    try:
        store.create_service(get_db(), branch_id, service_values(), actor())
    except ValidationError as error:
        return service_form(branch, None, error)
    return back_to("admin.services", branch_id=branch_id)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@announces_setup
def edit_service(service_id: int):
    db = get_db()
    service = store.row(db, "service", service_id)
    branch = store.row(db, "branch", service["branch_id"])
    if request.method == "GET":
        return service_form(branch, service)
    try:
        store.update_service(db, service_id, service_values(), actor())
    except ValidationError as error:
        return service_form(branch, service, error)
    return back_to("admin.services", branch_id=branch["id"])


# -- counters ----------------------------------------------------------------------------------


def counter_values() -> dict[str, Any]:
    return {
        "name": request.form.get("name"),
        "names": {code: request.form.get(f"name_{code}", "") for code in LANGUAGES},
        "service_ids": [number(v) or v for v in request.form.getlist("service_ids")],
    }


def counter_form(branch: dict, counter: dict | None, error: ValidationError | None = None):
    db = get_db()
    shown = dict(counter or {})
    if counter:
        shown["service_ids"] = store.counter_service_ids(db, counter["id"])
        shown["names"] = json.loads(counter["names"])
    if error:
        shown["service_ids"] = [number(v) for v in request.form.getlist("service_ids")]
    return form_page(
        "admin/counter_form.html",
        error,
        branch=branch,
        counter=shown,
        services=store.rows(db, "service", branch["id"]),
        languages=LANGUAGES,
    )


@bp.get("/branches/<int:branch_id>/counters")
def counters(branch_id: int):
    db = get_db()
    names = {s["id"]: s["prefix"] for s in store.rows(db, "service", branch_id)}
    return form_page(
        "admin/counters.html",
        branch=store.row(db, "branch", branch_id),
        branches=store.rows(db, "branch"),
        counters=[
            {
                **c,
                "history": store.has_history(db, "counter", c["id"]),
                "prefixes": [names[i] for i in store.counter_service_ids(db, c["id"])],
            }
            for c in store.rows(db, "counter", branch_id)
        ],
    )


@bp.route("/branches/<int:branch_id>/counters/new", methods=["GET", "POST"])
@announces_setup
def new_counter(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    if request.method == "GET":
        return counter_form(branch, None)
    try:
        store.create_counter(get_db(), branch_id, counter_values(), actor())
    except ValidationError as error:
        return counter_form(branch, None, error)
    return back_to("admin.counters", branch_id=branch_id)


@bp.route("/counters/<int:counter_id>", methods=["GET", "POST"])
@announces_setup
def edit_counter(counter_id: int):
    db = get_db()
    counter = store.row(db, "counter", counter_id)
    branch = store.row(db, "branch", counter["branch_id"])
    if request.method == "GET":
        return counter_form(branch, counter)
    try:
        store.update_counter(db, counter_id, counter_values(), actor())
    except ValidationError as error:
        return counter_form(branch, counter, error)
    return back_to("admin.counters", branch_id=branch["id"])


# -- shared moves: reorder, open and close, delete an unused record ------------------------------


def list_of(kind: str, record: dict):
    if kind == "branch":
        return back_to(LISTS[kind])
    return back_to(LISTS[kind], branch_id=record["branch_id"])


@bp.post("/<any(branches, services, counters):kinds>/<int:record_id>/move")
@announces_setup
def move(kinds: str, record_id: int):
    kind = KIND_OF[kinds]
    step = -1 if request.form.get("step") == "up" else 1
    store.move(get_db(), kind, record_id, step, actor())
    return list_of(kind, store.row(get_db(), kind, record_id))


@bp.post("/<any(branches, services, counters):kinds>/<int:record_id>/active")
@announces_setup
def set_active(kinds: str, record_id: int):
    kind = KIND_OF[kinds]
    store.set_active(get_db(), kind, record_id, checked("active"), actor())
    return list_of(kind, store.row(get_db(), kind, record_id))


@bp.post("/<any(services, counters):kinds>/<int:record_id>/delete")
@announces_setup
def delete(kinds: str, record_id: int):
    kind = KIND_OF[kinds]
    record = store.row(get_db(), kind, record_id)
    store.delete(get_db(), kind, record_id, actor())
    return list_of(kind, record)
