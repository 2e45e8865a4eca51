"""Bad input, one validation everywhere: a 4xx naming the field (or a friendly page), never a 500.

Ids and numbers are ASCII digits only ("²" passes `isdigit()` but not `int()`); JSON nested past
Python's recursion limit is a 400; lone surrogates, control characters and bidi overrides are
refused in every text field, and invisible formatting characters in one-line names, rather than
silently changed; dates beyond what a range can count and stray query arguments are refused or
ignored. Nothing is half-written: each refusal leaves the tables as they were.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.commands import cli
from tests.admin.conftest import form_errors, sign_in
from tests.conftest import bearer

SPOOFING = {
    "lone surrogate": "Ali\ud800",
    "right-to-left override": "\u202enhoj",
    "left-to-right isolate": "Ali\u2066x",
    "zero-width space": "A\u200bli",
    "control character": "Ali\x07",
    "newline": "Ali\nVeli",
}


def counts(db) -> tuple[int, int]:
    return tuple(
        db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("tickets", "ratings")
    )


def assert_refused(answer, field: str, status: int = 422) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.json["error"]["field"] == field


@pytest.mark.parametrize("name", SPOOFING.values(), ids=SPOOFING.keys())
def test_customer_names_that_corrupt_or_spoof_are_refused(client, db, store, name):
    before = counts(db)
    answer = client.post(
        "/api/v1/tickets",
        json={"service_id": store.payments, "customer_name": name},
        headers=bearer(store.kiosk_token),
    )
    assert_refused(answer, "customer_name")
    assert counts(db) == before


def test_a_name_in_any_script_is_welcome(client, store):
    for name in ("Ayşe", "Nurul Izzah", "محمد", "李小龙", "Zoë-Ann O'Neil"):
        answer = client.post(
            "/api/v1/tickets",
            json={"service_id": store.payments, "customer_name": name},
            headers=bearer(store.staff_token),
        )
        assert answer.status_code == 201, (name, answer.json)


@pytest.fixture
def served_token(client, store) -> str:
    staff = bearer(store.staff_token)
    ticket = client.post("/api/v1/tickets", json={"service_id": store.payments}, headers=staff)
    client.post(f"/api/v1/counters/{store.counter1}/call-next", headers=staff)
    for move in ("start", "finish"):
        moved = client.post(f"/api/v1/tickets/{ticket.json['id']}/{move}", headers=staff)
        assert moved.status_code == 200
    return ticket.json["token"]


@pytest.mark.parametrize(
    "comment",
    [SPOOFING["lone surrogate"], SPOOFING["right-to-left override"], "bell\x07"],
    ids=["lone surrogate", "bidi override", "control character"],
)
def test_an_anonymous_rating_comment_that_corrupts_is_refused(client, db, served_token, comment):
    before = counts(db)
    answer = client.post(
        f"/api/v1/tickets/{served_token}/rating", json={"score": 4, "comment": comment}
    )
    assert_refused(answer, "comment")
    assert counts(db) == before


def test_a_rating_comment_may_span_lines(client, served_token):
    answer = client.post(
        f"/api/v1/tickets/{served_token}/rating", json={"score": 4, "comment": "Quick.\nKind."}
    )
    assert answer.status_code == 201


@pytest.mark.parametrize("value", ["²", "١٢", "1²", "0x1", "1e3"])
def test_ids_are_ascii_digits_in_json(client, store, value):
    answer = client.post(
        "/api/v1/tickets", json={"service_id": value}, headers=bearer(store.staff_token)
    )
    assert answer.status_code in (404, 422)
    assert answer.json["error"]["field"] == "service_id"


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/auth/login"])
def test_json_nested_5000_deep_is_a_400(client, store, path):
    body = "[" * 5000 + "]" * 5000
    answer = client.post(
        path, data=body, content_type="application/json", headers=bearer(store.staff_token)
    )
    assert_refused(answer, "body", 400)


@pytest.mark.parametrize("day", ["0001-01-03", "9999-12-31", "0001-01-01"])
def test_stats_dates_past_what_a_range_can_count_are_refused(client, store, day):
    for field in ("to", "from"):
        answer = client.get(f"/api/v1/stats?{field}={day}", headers=bearer(store.manager_token))
        assert_refused(answer, field)


@pytest.fixture
def admin(app):
    client = app.test_client()
    client.csrf = sign_in(client, "admin")
    return client


@pytest.mark.parametrize("value", ["²", "1²", "٣"])
def test_admin_forms_refuse_superscript_and_foreign_digits(admin, store, value):
    device = admin.post(
        "/admin/devices/new",
        data={"csrf_token": admin.csrf, "kind": "display", "name": "Board", "branch_id": value},
    )
    assert device.status_code == 422 and form_errors(device.text)
    service = admin.post(
        f"/admin/branches/{store.branch_id}/services/new",
        data={"csrf_token": admin.csrf, "prefix": "C", "name": "Cards", "target_wait_min": value},
    )
    assert service.status_code == 422 and form_errors(service.text)
    counter = admin.post(
        f"/admin/branches/{store.branch_id}/counters/new",
        data={"csrf_token": admin.csrf, "name": "Counter 9", "service_ids": value},
    )
    assert counter.status_code == 422 and form_errors(counter.text)
    assert admin.get(f"/admin/audit?page={value}&user_id={value}").status_code == 200


# A form cannot carry a lone surrogate: its bytes are decoded with replacement characters.
TYPED = {kind: text for kind, text in SPOOFING.items() if kind != "lone surrogate"}


@pytest.mark.parametrize("name", TYPED.values(), ids=TYPED.keys())
def test_admin_labels_that_spoof_are_refused(admin, store, name):
    answer = admin.post(
        f"/admin/branches/{store.branch_id}/counters/new",
        data={"csrf_token": admin.csrf, "name": name, "service_ids": str(store.payments)},
    )
    assert answer.status_code == 422 and form_errors(answer.text)


def test_a_follow_up_ignores_url_fors_own_arguments(app, db, served_token, store):
    manager = app.test_client()
    csrf = sign_in(manager, "manager")
    rated = app.test_client().post(f"/api/v1/tickets/{served_token}/rating", json={"score": 1})
    assert rated.status_code == 201
    ticket_id = db.execute("SELECT id FROM tickets WHERE token = ?", [served_token]).fetchone()[0]
    answer = manager.post(
        f"/manager/follow-up/{ticket_id}?endpoint=x&_external=1&_scheme=javascript&show=all",
        data={"csrf_token": csrf, "note": "Called back"},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/manager/follow-up?show=all"


@pytest.mark.parametrize("value", ["²", "١", "0", "-1", "1.0", "9" * 40])
def test_the_command_line_takes_ids_as_ascii_digits_too(db_path, store, value):
    runner = CliRunner()
    env = {"SIRA_DB": db_path}
    for args in (
        ["device", "add", "--kind", "display", "--name", "Board 3", "--branch", value],
        ["device", "add", "--kind", "feedback", "--name", "Screen", "--counter", value],
        ["token", "revoke", value],
    ):
        answer = runner.invoke(cli, args, env=env)
        assert answer.exit_code == 2, (args, answer.output)
        assert "Traceback" not in answer.output


def test_the_command_line_refuses_a_spoofing_device_name(db_path, store):
    answer = CliRunner().invoke(
        cli,
        ["device", "add", "--kind", "display", "--name", "Board\u202e", "--branch", "1"],
        env={"SIRA_DB": db_path},
    )
    assert answer.exit_code == 1 and "one line of plain text" in answer.output
