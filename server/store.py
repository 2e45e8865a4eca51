"""The store's setup: branches, services, counters and branding. Writes here, each in one
transaction with its audit entry; records with history are deactivated, never deleted."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from server import audit
from server.audit import Actor
from server.domain import store_rules as rules
from server.domain.errors import N_, Conflict, NotFound, ValidationError
from server.domain.validation import LANGUAGES
from server.storage import transaction

# What can be listed, reordered, deactivated: table, and the column that groups its order.
KINDS = {
    "branch": ("branches", None),
    "service": ("services", "branch_id"),
    "counter": ("counters", "branch_id"),
}
DEFAULT_STORE_NAME = "Sıra"
MISSING = {
    "branch": N_("There is no branch %(id)s."),
    "service": N_("There is no service %(id)s."),
    "counter": N_("There is no counter %(id)s."),
}


def row(db: sqlite_utils.Database, kind: str, record_id: Any) -> dict:
    """One branch, service or counter, or NotFound naming it."""
    table, _ = KINDS[kind]
    found = None
    if isinstance(record_id, int):
        found = db.execute(f"SELECT * FROM {table} WHERE id = ?", [record_id]).fetchone()
    if found is None:
        raise NotFound(MISSING[kind], f"{kind}_id", id=record_id)
    return dict(found)


def rows(db: sqlite_utils.Database, kind: str, branch_id: int | None = None) -> list[dict]:
    """All branches, or a branch's services or counters, in their display order."""
    table, group = KINDS[kind]
    where, params = (f"WHERE {group} = ?", [branch_id]) if group and branch_id else ("", [])
    return [
        dict(found)
        for found in db.execute(
            f"SELECT * FROM {table} {where} ORDER BY sort_order, id", params
        ).fetchall()
    ]


# -- branches ----------------------------------------------------------------------------------


def parse_branch(values: dict[str, Any]) -> dict[str, Any]:
    """A branch's fields from a form or JSON, every wrong one reported at once."""
    check = rules.Checks()
    parsed = {
        "name": check(rules.label, values.get("name"), "name"),
        "slug": check(rules.slug, values.get("slug"), "slug"),
        "timezone": check(rules.timezone, values.get("timezone", "UTC"), "timezone"),
        "languages": check(rules.languages, values.get("languages", list(LANGUAGES)), "languages"),
        "day_starts_at": check(
            rules.time_of_day, values.get("day_starts_at", "00:00"), "day_starts_at"
        ),
        "opening_hours": check(
            rules.opening_hours, values.get("opening_hours", {}), "opening_hours"
        ),
        "priority_enabled": check(
            rules.flag, values.get("priority_enabled", True), "priority_enabled"
        ),
    }
    default = values.get("default_language") or (parsed["languages"] or ["en"])[0]
    if parsed["languages"] and default not in parsed["languages"]:
        check.fail(
            "default_language", "The default language must be one of the branch's languages."
        )
    parsed["default_language"] = default
    check.done()
    return parsed


def branch_columns(parsed: dict[str, Any]) -> dict[str, Any]:
    return {
        **parsed,
        "languages": json.dumps(parsed["languages"]),
        "opening_hours": json.dumps(parsed["opening_hours"]),
        "priority_enabled": int(parsed["priority_enabled"]),
    }


def add_branch(
    db: sqlite_utils.Database,
    name: str,
    slug: str,
    timezone: str = "UTC",
    languages: tuple[str, ...] = LANGUAGES,
    day_starts_at: str = "00:00",
    *,
    actor: Actor | None = None,
) -> int:
    return create_branch(
        db,
        {
            "name": name,
            "slug": slug,
            "timezone": timezone,
            "languages": list(languages),
            "day_starts_at": day_starts_at,
        },
        actor,
    )


def create_branch(
    db: sqlite_utils.Database, values: dict[str, Any], actor: Actor | None = None
) -> int:
    """A new branch from a form or JSON; every wrong field is reported at once."""
    parsed = parse_branch(values)
    columns = branch_columns(parsed)
    with transaction(db):
        unique_slug(db, parsed["slug"], None)
        columns["sort_order"] = next_order(db, "branch", None)
        branch_id = db.execute(
            f"INSERT INTO branches ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            list(columns.values()),
        ).lastrowid
        audit.record(db, actor, "branch.created", ("branch", branch_id), parsed["name"])
        return branch_id


def update_branch(
    db: sqlite_utils.Database, branch_id: int, values: dict[str, Any], actor: Actor | None = None
) -> None:
    parsed = parse_branch(values)
    columns = branch_columns(parsed)
    with transaction(db):
        row(db, "branch", branch_id)
        unique_slug(db, parsed["slug"], branch_id)
        db.execute(
            f"UPDATE branches SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [*columns.values(), branch_id],
        )
        audit.record(db, actor, "branch.updated", ("branch", branch_id), parsed["name"])


def unique_slug(db: sqlite_utils.Database, slug: str, branch_id: int | None) -> None:
    if db.execute(
        "SELECT 1 FROM branches WHERE slug = ? AND id IS NOT ?", [slug, branch_id]
    ).fetchone():
        refused = rules.Checks()
        refused.fail("slug", "Another branch already uses the slug %(slug)s.", slug=slug)
        refused.done()


# -- services ----------------------------------------------------------------------------------


def parse_service(values: dict[str, Any]) -> dict[str, Any]:
    check = rules.Checks()
    names = values.get("names") or {}
    if not isinstance(names, dict):
        check.fail("names", "names must map language codes to names.")
        names = {}
    parsed = {
        "prefix": check(rules.prefix, values.get("prefix"), "prefix"),
        "name": check(rules.label, values.get("name"), "name"),
        "names": {
            code: check(rules.label, names[code], f"name_{code}")
            for code in LANGUAGES
            if isinstance(names.get(code), str) and names[code].strip()
        },
        "target_wait_s": check(
            rules.target_wait, values.get("target_wait_s", 900), "target_wait_s"
        ),
        "priority_allowed": check(
            rules.flag, values.get("priority_allowed", True), "priority_allowed"
        ),
    }
    if set(names) - set(LANGUAGES):
        check.fail(
            "names", "names may only use the languages %(choices)s.", choices=", ".join(LANGUAGES)
        )
    check.done()
    return parsed


def service_columns(parsed: dict[str, Any]) -> dict[str, Any]:
    return {
        **parsed,
        "names": json.dumps(parsed["names"], ensure_ascii=False),
        "priority_allowed": int(parsed["priority_allowed"]),
    }


def add_service(
    db: sqlite_utils.Database,
    branch_id: int,
    prefix: str,
    name: str,
    names: dict[str, str] | None = None,
    target_wait_s: int = 900,
    *,
    actor: Actor | None = None,
) -> int:
    return create_service(
        db,
        branch_id,
        {"prefix": prefix, "name": name, "names": names, "target_wait_s": target_wait_s},
        actor,
    )


def create_service(
    db: sqlite_utils.Database, branch_id: int, values: dict[str, Any], actor: Actor | None = None
) -> int:
    parsed = parse_service(values)
    columns = service_columns(parsed)
    with transaction(db):
        row(db, "branch", branch_id)
        unique_prefix(db, branch_id, parsed["prefix"], None)
        columns.update(branch_id=branch_id, sort_order=next_order(db, "service", branch_id))
        service_id = db.execute(
            f"INSERT INTO services ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            list(columns.values()),
        ).lastrowid
        audit.record(
            db,
            actor,
            "service.created",
            ("service", service_id),
            f"{parsed['prefix']} {parsed['name']}",
        )
        return service_id


def update_service(
    db: sqlite_utils.Database, service_id: int, values: dict[str, Any], actor: Actor | None = None
) -> None:
    parsed = parse_service(values)
    columns = service_columns(parsed)
    with transaction(db):
        service = row(db, "service", service_id)
        unique_prefix(db, service["branch_id"], parsed["prefix"], service_id)
        db.execute(
            f"UPDATE services SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [*columns.values(), service_id],
        )
        audit.record(
            db,
            actor,
            "service.updated",
            ("service", service_id),
            f"{parsed['prefix']} {parsed['name']}",
        )


def unique_prefix(
    db: sqlite_utils.Database, branch_id: int, prefix: str, service_id: int | None
) -> None:
    if db.execute(
        "SELECT 1 FROM services WHERE branch_id = ? AND prefix = ? AND id IS NOT ?",
        [branch_id, prefix, service_id],
    ).fetchone():
        refused = rules.Checks()
        refused.fail(
            "prefix", "Another service of this branch uses prefix %(prefix)s.", prefix=prefix
        )
        refused.done()


# -- counters ----------------------------------------------------------------------------------


def parse_counter(db: sqlite_utils.Database, branch_id: int, values: dict[str, Any]) -> dict:
    check = rules.Checks()
    name = check(rules.label, values.get("name"), "name")
    service_ids = check(rules.ids, values.get("service_ids"), "service_ids") or []
    known = {
        found[0] for found in db.execute("SELECT id FROM services WHERE branch_id = ?", [branch_id])
    }
    if set(service_ids) - known:
        check.fail("service_ids", "Choose services of this branch only.")
    check.done()
    return {"name": name, "service_ids": service_ids}


def add_counter(
    db: sqlite_utils.Database,
    branch_id: int,
    name: str,
    service_ids: list[int],
    *,
    actor: Actor | None = None,
) -> int:
    return create_counter(db, branch_id, {"name": name, "service_ids": list(service_ids)}, actor)


def create_counter(
    db: sqlite_utils.Database, branch_id: int, values: dict[str, Any], actor: Actor | None = None
) -> int:
    with transaction(db):
        row(db, "branch", branch_id)
        parsed = parse_counter(db, branch_id, values)
        counter_id = db.execute(
            "INSERT INTO counters (branch_id, name, sort_order) VALUES (?, ?, ?)",
            [branch_id, parsed["name"], next_order(db, "counter", branch_id)],
        ).lastrowid
        set_counter_services(db, counter_id, parsed["service_ids"])
        audit.record(db, actor, "counter.created", ("counter", counter_id), parsed["name"])
        return counter_id


def update_counter(
    db: sqlite_utils.Database, counter_id: int, values: dict[str, Any], actor: Actor | None = None
) -> None:
    with transaction(db):
        counter = row(db, "counter", counter_id)
        parsed = parse_counter(db, counter["branch_id"], values)
        db.execute("UPDATE counters SET name = ? WHERE id = ?", [parsed["name"], counter_id])
        set_counter_services(db, counter_id, parsed["service_ids"])
        audit.record(db, actor, "counter.updated", ("counter", counter_id), parsed["name"])


def set_counter_services(
    db: sqlite_utils.Database, counter_id: int, service_ids: list[int]
) -> None:
    db.execute("DELETE FROM counter_services WHERE counter_id = ?", [counter_id])
    for service_id in service_ids:
        db.execute(
            "INSERT INTO counter_services (counter_id, service_id) VALUES (?, ?)",
            [counter_id, service_id],
        )


def counter_service_ids(db: sqlite_utils.Database, counter_id: int) -> list[int]:
    return [
        found[0]
        for found in db.execute(
            "SELECT service_id FROM counter_services WHERE counter_id = ?", [counter_id]
        )
    ]


def set_counter_active(
    db: sqlite_utils.Database, counter_id: int, active: bool, actor: Actor | None = None
) -> None:
    set_active(db, "counter", counter_id, active, actor)


# -- shared by branches, services and counters -------------------------------------------------


def set_active(
    db: sqlite_utils.Database, kind: str, record_id: int, active: bool, actor: Actor | None = None
) -> None:
    """Open or close a branch, service or counter; its history stays."""
    table, _ = KINDS[kind]
    with transaction(db):
        found = row(db, kind, record_id)
        db.execute(f"UPDATE {table} SET active = ? WHERE id = ?", [int(active), record_id])
        action = "activated" if active else "deactivated"
        audit.record(db, actor, f"{kind}.{action}", (kind, record_id), found["name"])


def has_history(db: sqlite_utils.Database, kind: str, record_id: int) -> bool:
    """True when tickets or devices refer to it: then it may only be deactivated."""
    checks = {
        "branch": [
            "SELECT 1 FROM tickets WHERE branch_id = ?",
            "SELECT 1 FROM services WHERE branch_id = ?",
        ],
        "service": ["SELECT 1 FROM tickets WHERE service_id = ?"],
        "counter": [
            "SELECT 1 FROM tickets WHERE counter_id = ?",
            "SELECT 1 FROM ticket_events WHERE counter_id = ?",
            "SELECT 1 FROM devices WHERE counter_id = ?",
        ],
    }[kind]
    return any(db.execute(f"{sql} LIMIT 1", [record_id]).fetchone() for sql in checks)


def delete(
    db: sqlite_utils.Database, kind: str, record_id: int, actor: Actor | None = None
) -> None:
    """Remove a service or counter that was never used; one with history is refused."""
    if kind not in ("service", "counter"):
        raise ValidationError("Only unused services and counters can be deleted.", "kind")
    table, _ = KINDS[kind]
    with transaction(db):
        found = row(db, kind, record_id)
        if has_history(db, kind, record_id):
            raise Conflict(
                "%(name)s has history, so it can only be deactivated.",
                f"{kind}_id",
                name=found["name"],
            )
        column = "counter_id" if kind == "counter" else "service_id"
        db.execute(f"DELETE FROM counter_services WHERE {column} = ?", [record_id])
        if kind == "service":
            db.execute("DELETE FROM number_sequences WHERE service_id = ?", [record_id])
        db.execute(f"DELETE FROM {table} WHERE id = ?", [record_id])
        audit.record(db, actor, f"{kind}.deleted", (kind, record_id), found["name"])


def next_order(db: sqlite_utils.Database, kind: str, branch_id: int | None) -> int:
    table, group = KINDS[kind]
    where, params = (f"WHERE {group} = ?", [branch_id]) if group else ("", [])
    return db.execute(
        f"SELECT coalesce(max(sort_order), 0) + 1 FROM {table} {where}", params
    ).fetchone()[0]


def move(
    db: sqlite_utils.Database, kind: str, record_id: int, step: int, actor: Actor | None = None
) -> None:
    """Move a record one place up (step -1) or down (+1) in its list; renumbers the list."""
    if step not in (-1, 1):
        raise ValidationError("step must be -1 or 1.", "step")
    table, group = KINDS[kind]
    with transaction(db):
        found = row(db, kind, record_id)
        siblings = [r["id"] for r in rows(db, kind, found[group] if group else None)]
        place = siblings.index(record_id)
        other = place + step
        if 0 <= other < len(siblings):
            siblings[place], siblings[other] = siblings[other], siblings[place]
        for order, sibling in enumerate(siblings, start=1):
            db.execute(f"UPDATE {table} SET sort_order = ? WHERE id = ?", [order, sibling])
        audit.record(db, actor, f"{kind}.reordered", (kind, record_id), found["name"])


# -- branding ----------------------------------------------------------------------------------


def store_name(db: sqlite_utils.Database) -> str:
    found = db.execute("SELECT value FROM settings WHERE key = 'store_name'").fetchone()
    return found[0] if found else DEFAULT_STORE_NAME


def set_branding(
    db: sqlite_utils.Database, branch_id: int, values: dict[str, Any], actor: Actor | None = None
) -> None:
    """The store name, and the branch's ticket footer and board ticker."""
    check = rules.Checks()
    name = check(rules.label, values.get("store_name"), "store_name")
    footer = check(rules.free_text, values.get("ticket_footer"), "ticket_footer", 300)
    ticker = check(rules.free_text, values.get("ticker_message"), "ticker_message", 500)
    check.done()
    with transaction(db):
        row(db, "branch", branch_id)
        db.execute(
            "INSERT INTO settings (key, value) VALUES ('store_name', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [name],
        )
        db.execute(
            "UPDATE branches SET ticket_footer = ?, ticker_message = ? WHERE id = ?",
            [footer, ticker, branch_id],
        )
        audit.record(db, actor, "branding.updated", ("branch", branch_id), name)


def set_logo(
    db: sqlite_utils.Database, branch_id: int, filename: str | None, actor: Actor | None = None
) -> None:
    """Point the branch at its logo file in the instance folder (None removes it)."""
    with transaction(db):
        row(db, "branch", branch_id)
        db.execute("UPDATE branches SET logo_path = ? WHERE id = ?", [filename, branch_id])
        action = "branding.logo_set" if filename else "branding.logo_removed"
        audit.record(db, actor, action, ("branch", branch_id))


def branding(db: sqlite_utils.Database, branch_id: int) -> dict[str, Any]:
    """What kiosks, tickets and boards show besides the queue."""
    branch = row(db, "branch", branch_id)
    return {
        "store_name": store_name(db),
        "branch_name": branch["name"],
        "logo_url": f"/media/logo/{branch_id}" if branch["logo_path"] else None,
        "ticket_footer": branch["ticket_footer"],
        "ticker_message": branch["ticker_message"],
    }
