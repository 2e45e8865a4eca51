"""The store's setup: branches, services and counters. Writes here, each in one transaction."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

from server.domain.errors import ValidationError
from server.domain.validation import LANGUAGES
from server.storage import transaction


def add_branch(
    db: sqlite_utils.Database,
    name: str,
    slug: str,
    timezone: str = "UTC",
    languages: tuple[str, ...] = LANGUAGES,
    day_starts_at: str = "00:00",
) -> int:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"Unknown timezone {timezone}.", "timezone") from None
    if not languages or any(code not in LANGUAGES for code in languages):
        raise ValidationError(f"languages must be among {', '.join(LANGUAGES)}.", "languages")
    with transaction(db):
        return db.execute(
            "INSERT INTO branches (slug, name, timezone, languages, default_language,"
            " day_starts_at) VALUES (?, ?, ?, ?, ?, ?)",
            [slug, name, timezone, json.dumps(list(languages)), languages[0], day_starts_at],
        ).lastrowid


def add_service(
    db: sqlite_utils.Database,
    branch_id: int,
    prefix: str,
    name: str,
    names: dict[str, str] | None = None,
    target_wait_s: int = 900,
) -> int:
    if not (prefix.isalpha() and prefix.isupper() and 1 <= len(prefix) <= 3):
        raise ValidationError("prefix must be 1–3 capital letters.", "prefix")
    with transaction(db):
        order = db.execute(
            "SELECT coalesce(max(sort_order), 0) + 1 FROM services WHERE branch_id = ?",
            [branch_id],
        ).fetchone()[0]
        return db.execute(
            "INSERT INTO services (branch_id, prefix, name, names, target_wait_s, sort_order)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                branch_id,
                prefix,
                name,
                json.dumps(names or {}, ensure_ascii=False),
                target_wait_s,
                order,
            ],
        ).lastrowid


def add_counter(
    db: sqlite_utils.Database, branch_id: int, name: str, service_ids: list[int]
) -> int:
    with transaction(db):
        counter_id = db.execute(
            "INSERT INTO counters (branch_id, name) VALUES (?, ?)", [branch_id, name]
        ).lastrowid
        for service_id in service_ids:
            db.execute(
                "INSERT INTO counter_services (counter_id, service_id) VALUES (?, ?)",
                [counter_id, service_id],
            )
        return counter_id


def set_counter_active(db: sqlite_utils.Database, counter_id: int, active: bool) -> None:
    with transaction(db):
        db.execute("UPDATE counters SET active = ? WHERE id = ?", [int(active), counter_id])
