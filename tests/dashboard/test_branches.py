"""A manager with several branches: the picker moves every dashboard page to another branch
(and remembers it), and one table compares the branches over a range."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from server.engine import QueueEngine
from server.store import add_branch, add_counter, add_service
from tests.dashboard.test_pages import sign_in


@pytest.fixture
def second_branch(db, store) -> dict:
    """Branch 2 in Kuala Lumpur: one service, one counter, two tickets on 2 March (one served)."""
    branch_id = add_branch(db, "Harbour Branch", "harbour", timezone="Asia/Kuala_Lumpur")
    service_id = add_service(db, branch_id, "K", "Accounts", {"ms": "Akaun"}, 300)
    counter_id = add_counter(db, branch_id, "Desk 9", [service_id])
    engine = QueueEngine(db, lambda: datetime(2026, 3, 2, 4, 0, tzinfo=UTC))
    served = engine.issue_ticket(service_id).ticket
    engine.issue_ticket(service_id)
    engine.call_next(counter_id)
    engine.start(served["id"])
    engine.finish(served["id"])
    return {"id": branch_id, "service": service_id, "counter": counter_id}


def test_the_picker_moves_the_dashboard_to_another_branch(client, store, second_branch):
    sign_in(client)
    first = client.get("/manager").text
    assert 'id="branch-picker"' in first and "Harbour Branch" in first
    assert "A · Payments" in first and "Accounts" not in first
    moved = client.get(f"/manager?branch_id={second_branch['id']}&lang=ms").text
    assert "K · Akaun" in moved and "Payments" not in moved
    assert f'data-branch-id="{second_branch["id"]}"' in moved
    # remembered: the next pages show the same branch
    assert "Desk 9" in client.get("/manager/live/panel").text
    history = client.get("/manager/history?from=2026-03-01&to=2026-03-08").text
    assert re.search(r'data-key="issued">2<', history)


def test_an_unknown_branch_is_refused(client, store):
    sign_in(client)
    assert client.get("/manager?branch_id=99", headers={"Accept": "text/html"}).status_code == 404


def test_the_branches_side_by_side(client, store, second_branch, history):
    sign_in(client)
    page = client.get("/manager/branches?from=2026-03-01&to=2026-03-08").text
    rows = dict(re.findall(r'<tr data-branch-id="(\d+)">(.*?)</tr>', page, flags=re.S))
    assert set(rows) == {str(store.branch_id), str(second_branch["id"])}
    assert 'data-key="issued">6<' in rows[str(store.branch_id)]
    assert 'data-key="issued">2<' in rows[str(second_branch["id"])]
    assert 'data-key="served">1<' in rows[str(second_branch["id"])]


def test_one_branch_shows_no_picker(client, store):
    sign_in(client)
    page = client.get("/manager").text
    assert 'id="branch-picker"' not in page and 'id="nav-branches"' not in page
