"""The store's rules for joining the queue from a phone, as admins read and set them.

Kept apart from the branch and service forms: one `remote_joining` object per branch and per
service, each write one transaction with its audit entry. A service's empty field follows
its branch.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from server import audit, store
from server.audit import Actor
from server.domain import store_rules as rules
from server.domain.remote_joining import MAX_CAP, MAX_CLOSES_BEFORE_MIN
from server.storage import transaction

# The API's field names and the columns that keep them.
COLUMNS = {
    "enabled": "remote_joining",
    "closes_before_min": "remote_closes_before_min",
    "max_waiting": "remote_max_waiting",
    "max_queue": "remote_max_queue",
}
TABLES = {"branch": "branches", "service": "services"}


def remote_joining(record: dict) -> dict[str, Any]:
    """The `remote_joining` object of a branch or service row."""
    return {
        name: bool(record[column]) if name == "enabled" else record[column]
        for name, column in COLUMNS.items()
    }


def optional_number(value: Any, field: str, high: int) -> int | None:
    """A cap or a time, or None (no cap, or as the branch) when left empty."""
    if value in (None, ""):
        return None
    return rules.whole_number(value, field, 0, high)


def parse(kind: str, values: Any) -> dict[str, Any]:
    """The rules from a form or JSON, every wrong field reported at once."""
    if not isinstance(values, dict):
        raise rules.InvalidFields({"remote_joining": "remote_joining must be an object."})
    check = rules.Checks()
    closes = check(
        optional_number, values.get("closes_before_min"), "closes_before_min", MAX_CLOSES_BEFORE_MIN
    )
    if kind == "branch" and closes is None and "closes_before_min" not in check.errors:
        check.fail("closes_before_min", "closes_before_min must be a whole number of minutes.")
    parsed = {
        "enabled": check(rules.flag, values.get("enabled", False), "enabled"),
        "closes_before_min": closes,
        "max_waiting": check(optional_number, values.get("max_waiting"), "max_waiting", MAX_CAP),
        "max_queue": check(optional_number, values.get("max_queue"), "max_queue", MAX_CAP),
    }
    check.done()
    return parsed


def set_remote_joining(
    db: sqlite_utils.Database,
    kind: str,
    record_id: int,
    values: Any,
    actor: Actor | None = None,
) -> dict[str, Any]:
    """Replace a branch's or service's rules; returns them as stored."""
    parsed = parse(kind, values)
    with transaction(db):
        write(db, kind, record_id, parsed, actor)
    return parsed


def set_branch_rules(
    db: sqlite_utils.Database,
    branch_id: int,
    branch_values: Any,
    service_values: dict[int, Any],
    actor: Actor | None = None,
) -> None:
    """The admin page's one form: the branch's rules and each service's, all checked before
    any is written (a wrong field names its service: `s<id>_<field>`)."""
    errors: dict[str, str] = {}
    parsed_branch = parsed_or_errors("branch", branch_values, "", errors)
    parsed_services = {
        service_id: parsed_or_errors("service", values, f"s{service_id}_", errors)
        for service_id, values in service_values.items()
    }
    if errors:
        raise rules.InvalidFields(errors)
    with transaction(db):
        for service_id in parsed_services:
            if store.row(db, "service", service_id)["branch_id"] != branch_id:
                raise rules.InvalidFields({"form": "Choose services of this branch only."})
        write(db, "branch", branch_id, parsed_branch, actor)
        for service_id, parsed in parsed_services.items():
            write(db, "service", service_id, parsed, actor)


def parsed_or_errors(kind: str, values: Any, prefix: str, errors: dict[str, str]) -> dict | None:
    try:
        return parse(kind, values)
    except rules.InvalidFields as error:
        errors.update({prefix + field: message for field, message in error.errors.items()})
        return None


def write(
    db: sqlite_utils.Database, kind: str, record_id: int, parsed: dict, actor: Actor | None
) -> None:
    """Inside a transaction: store the parsed rules and audit the change."""
    found = store.row(db, kind, record_id)
    db.execute(
        f"UPDATE {TABLES[kind]} SET {', '.join(f'{COLUMNS[n]} = ?' for n in parsed)} WHERE id = ?",
        [*(int(v) if isinstance(v, bool) else v for v in parsed.values()), record_id],
    )
    audit.record(
        db,
        actor,
        f"{kind}.remote_joining_updated",
        (kind, record_id),
        f"{found['name']}: {'on' if parsed['enabled'] else 'off'}",
    )
