"""The setup services (server/store.py): validation per field, history kept, order, audit."""

from __future__ import annotations

import json

import pytest

from server import audit
from server import store as setup
from server.domain.errors import Conflict, NotFound
from server.domain.store_rules import InvalidFields

BRANCH = {
    "name": "Harbour",
    "slug": "harbour",
    "timezone": "Asia/Kuala_Lumpur",
    "languages": ["ms", "en"],
    "default_language": "ms",
    "day_starts_at": "05:00",
    "opening_hours": {"mon": {"opens": "09:00", "closes": "18:00"}},
    "priority_enabled": False,
}


def test_branch_is_created_with_every_field(db):
    branch_id = setup.create_branch(db, BRANCH)
    branch = setup.row(db, "branch", branch_id)
    assert branch["timezone"] == "Asia/Kuala_Lumpur"
    assert json.loads(branch["languages"]) == ["en", "ms"]
    assert branch["default_language"] == "ms"
    assert json.loads(branch["opening_hours"]) == {"mon": {"opens": "09:00", "closes": "18:00"}}
    assert branch["priority_enabled"] == 0


def test_every_wrong_branch_field_is_named_at_once(db):
    with pytest.raises(InvalidFields) as refused:
        setup.create_branch(
            db,
            {
                "name": " ",
                "slug": "Not A Slug",
                "timezone": "Mars/Olympus",
                "languages": ["xx"],
                "day_starts_at": "25:00",
                "opening_hours": {"tue": {"opens": "18:00", "closes": "09:00"}},
            },
        )
    assert set(refused.value.errors) == {
        "name",
        "slug",
        "timezone",
        "languages",
        "day_starts_at",
        "tue_closes",
    }
    assert db.execute("SELECT count(*) FROM branches").fetchone()[0] == 1


def test_default_language_must_be_offered(db):
    with pytest.raises(InvalidFields) as refused:
        setup.create_branch(db, {**BRANCH, "languages": ["en"], "default_language": "tr"})
    assert "default_language" in refused.value.errors


def test_slug_and_prefix_are_unique(db, store):
    with pytest.raises(InvalidFields) as refused:
        setup.create_branch(db, {**BRANCH, "slug": "test"})
    assert refused.value.field == "slug"
    with pytest.raises(InvalidFields) as refused:
        setup.create_service(db, store.branch_id, {"prefix": "A", "name": "Again"})
    assert refused.value.field == "prefix"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"prefix": "a1", "name": "X"}, "prefix"),
        ({"prefix": "ABCD", "name": "X"}, "prefix"),
        ({"prefix": "Ç", "name": "X"}, "prefix"),
        ({"prefix": "C", "name": ""}, "name"),
        ({"prefix": "C", "name": "x" * 81}, "name"),
        ({"prefix": "C", "name": "Tab\tname"}, "name"),
        ({"prefix": "C", "name": "X", "target_wait_s": 0}, "target_wait_s"),
        ({"prefix": "C", "name": "X", "target_wait_s": "soon"}, "target_wait_s"),
        ({"prefix": "C", "name": "X", "names": {"de": "Kasse"}}, "names"),
        ({"prefix": "C", "name": "X", "priority_allowed": "maybe"}, "priority_allowed"),
    ],
)
def test_service_fields_are_checked(db, store, values, field):
    with pytest.raises(InvalidFields) as refused:
        setup.create_service(db, store.branch_id, values)
    assert field in refused.value.errors


def test_service_with_history_is_deactivated_never_deleted(db, engine, store):
    engine.issue_ticket(store.payments)
    with pytest.raises(Conflict):
        setup.delete(db, "service", store.payments)
    setup.set_active(db, "service", store.payments, False)
    assert setup.row(db, "service", store.payments)["active"] == 0


def test_unused_service_and_counter_can_be_deleted(db, store):
    service_id = setup.create_service(db, store.branch_id, {"prefix": "Z", "name": "Z"})
    counter_id = setup.create_counter(
        db, store.branch_id, {"name": "Spare", "service_ids": [service_id]}
    )
    setup.delete(db, "counter", counter_id)
    setup.delete(db, "service", service_id)
    with pytest.raises(NotFound):
        setup.row(db, "service", service_id)


def test_counter_serves_only_services_of_its_branch(db, store):
    other = setup.create_branch(db, BRANCH)
    foreign = setup.create_service(db, other, {"prefix": "F", "name": "Foreign"})
    with pytest.raises(InvalidFields) as refused:
        setup.update_counter(db, store.counter1, {"name": "Counter 1", "service_ids": [foreign]})
    assert refused.value.field == "service_ids"


def test_move_swaps_neighbours_and_stops_at_the_ends(db, store):
    ids = lambda: [s["id"] for s in setup.rows(db, "service", store.branch_id)]  # noqa: E731
    assert ids() == [store.payments, store.returns]
    setup.move(db, "service", store.returns, -1)
    assert ids() == [store.returns, store.payments]
    setup.move(db, "service", store.returns, -1)
    assert ids() == [store.returns, store.payments]


def test_changes_are_audited_with_who(db, store):
    actor = audit.Actor(user_id=3, address="10.0.0.9")
    setup.update_service(
        db, store.payments, {"prefix": "A", "name": "Pay desk", "target_wait_s": 300}, actor
    )
    entries, _ = audit.entries(db)
    assert entries[0]["action"] == "service.updated"
    assert entries[0]["username"] == "admin"
    assert entries[0]["address"] == "10.0.0.9"
    assert "Pay desk" in entries[0]["summary"]


def test_branding_is_checked_and_kept(db, store):
    with pytest.raises(InvalidFields) as refused:
        setup.set_branding(db, store.branch_id, {"store_name": "", "ticket_footer": "x" * 301})
    assert set(refused.value.errors) == {"store_name", "ticket_footer"}
    setup.set_branding(
        db,
        store.branch_id,
        {"store_name": "Çarşı", "ticket_footer": "Teşekkürler", "ticker_message": "Hoş geldiniz"},
    )
    assert setup.branding(db, store.branch_id) == {
        "store_name": "Çarşı",
        "branch_name": "Test Store",
        "logo_url": None,
        "ticket_footer": "Teşekkürler",
        "ticker_message": "Hoş geldiniz",
    }
