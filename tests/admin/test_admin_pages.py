"""The administration pages through HTTP: who gets in, forms with a message per field, effects."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta

import pytest
from PIL import Image

from server import store as setup
from server.auth import accounts
from tests.admin.conftest import ADMIN_PAGES, form_errors, sign_in
from tests.conftest import bearer

PAGES = ["/admin/", *ADMIN_PAGES]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=/admin")


@pytest.mark.parametrize("username", ["staff", "manager"])
def test_staff_and_managers_are_refused(app, username):
    client = app.test_client()
    sign_in(client, username)
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_devices_are_refused(client, store):
    for token in (store.kiosk_token, store.display_token, store.feedback_token):
        assert client.get("/admin/branches", headers=bearer(token)).status_code == 403


def test_admins_see_every_page(admin_client):
    for url in PAGES:
        response = admin_client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert 'name="csrf-token"' in response.text


def test_service_form_shows_a_message_per_field_and_writes_nothing(admin_client, db, store):
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/services/new",
        data={"csrf_token": admin_client.csrf, "prefix": "a1", "name": "", "target_wait_min": "x"},
    )
    assert response.status_code == 422
    errors = form_errors(response.text)
    # Beside each field, in words: no internal field names such as prefix or target_wait_s.
    assert errors == [
        "Use 1–3 capital letters (A–Z).",
        "This field must not be empty.",
        "Choose a target wait from 1 minute to 24 hours.",
    ]
    assert 'aria-invalid="true"' in response.text
    assert db.execute("SELECT count(*) FROM services").fetchone()[0] == 2


def test_service_is_created_edited_and_deactivated(admin_client, db, store):
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/services/new",
        data={
            "csrf_token": admin_client.csrf,
            "prefix": "c",
            "name": "Collections",
            "name_tr": "Teslimat",
            "name_ms": "Kutipan",
            "target_wait_min": "5",
            "priority_allowed": "1",
        },
    )
    assert response.status_code == 303
    service = db.execute("SELECT * FROM services WHERE prefix = 'C'").fetchone()
    assert service["target_wait_s"] == 300
    assert '"tr": "Teslimat"' in service["names"]
    response = admin_client.post(
        f"/admin/services/{service['id']}/active", data={"csrf_token": admin_client.csrf}
    )
    assert response.status_code == 303
    assert setup.row(db, "service", service["id"])["active"] == 0


def test_counter_services_are_chosen(admin_client, db, store):
    response = admin_client.post(
        f"/admin/counters/{store.counter2}",
        data={
            "csrf_token": admin_client.csrf,
            "name": "Counter 2",
            "name_tr": "Gişe 2",
            "name_ms": "",
            "service_ids": [str(store.payments), str(store.returns)],
        },
    )
    assert response.status_code == 303
    assert setup.counter_service_ids(db, store.counter2) == [store.payments, store.returns]
    # A name per language, blanks left out; the form shows it again.
    assert setup.row(db, "counter", store.counter2)["names"] == '{"tr": "Gişe 2"}'
    assert 'value="Gişe 2"' in admin_client.get(f"/admin/counters/{store.counter2}").text


def test_branch_is_edited_with_opening_hours(admin_client, db, store):
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}",
        data={
            "csrf_token": admin_client.csrf,
            "name": "Test Store",
            "slug": "test",
            "timezone": "Europe/Istanbul",
            "languages": ["tr", "en"],
            "default_language": "tr",
            "day_starts_at": "06:00",
            "mon_opens": "09:00",
            "mon_closes": "17:30",
        },
    )
    assert response.status_code == 303
    branch = setup.row(db, "branch", store.branch_id)
    assert branch["default_language"] == "tr"
    assert branch["day_starts_at"] == "06:00"
    assert "17:30" in branch["opening_hours"]


def test_reorder_by_buttons(admin_client, db, store):
    admin_client.post(
        f"/admin/services/{store.returns}/move",
        data={"csrf_token": admin_client.csrf, "step": "up"},
    )
    assert setup.rows(db, "service", store.branch_id)[0]["id"] == store.returns


def test_forms_without_csrf_token_are_refused(admin_client, db, store):
    response = admin_client.post(f"/admin/services/{store.payments}/active", data={"active": "0"})
    assert response.status_code == 403
    assert setup.row(db, "service", store.payments)["active"] == 1


def test_new_account_password_is_shown_once_and_works(admin_client, app):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "csrf_token": admin_client.csrf,
            "username": "zeynep",
            "display_name": "Zeynep",
            "role": "staff",
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', response.text).group(1)
    assert len(password) >= 24
    sign_in(app.test_client(), "zeynep", password)


def test_password_reset_and_deactivation_end_sessions(admin_client, app, db):
    staff = app.test_client()
    sign_in(staff, "staff")
    assert staff.get("/api/v1/auth/me").status_code == 200
    response = admin_client.post("/admin/users/1/password", data={"csrf_token": admin_client.csrf})
    assert response.status_code == 200
    assert staff.get("/api/v1/auth/me").status_code == 401
    password = re.search(r'id="new-password">([^<]+)<', response.text).group(1)
    sign_in(staff, "staff", password)
    admin_client.post("/admin/users/1/active", data={"csrf_token": admin_client.csrf})
    assert staff.get("/api/v1/auth/me").status_code == 401


def test_the_last_admin_stays(admin_client, db):
    response = admin_client.post(
        "/admin/users/3",
        data={"csrf_token": admin_client.csrf, "display_name": "Admin", "role": "staff"},
    )
    assert response.status_code == 422
    assert "last active administrator" in " ".join(form_errors(response.text))
    assert accounts.user_row(db, 3)["role"] == "admin"


def pair(client, code: str):
    client.get("/pair")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/pair").text).group(1)
    return client.post("/pair", data={"csrf_token": token, "code": code})


def test_device_is_created_paired_once_and_revoked(admin_client, app, db, store):
    response = admin_client.post(
        "/admin/devices/new",
        data={
            "csrf_token": admin_client.csrf,
            "kind": "feedback",
            "name": "Counter 2 screen",
            "branch_id": str(store.branch_id),
            "counter_id": str(store.counter2),
        },
    )
    assert response.status_code == 200
    code = re.search(r'id="pairing-code">([A-Z0-9-]+)<', response.text).group(1)
    assert 'src="data:image/png;base64,' in response.text
    device = app.test_client()
    paired = pair(device, code.lower().replace("-", " "))
    assert paired.status_code == 303
    assert paired.headers["Location"] == "/feedback"
    cookie = paired.headers["Set-Cookie"]
    assert "sira_device=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = device.get("/api/v1/auth/me").json
    assert (me["role"], me["counter_id"]) == ("feedback", store.counter2)
    again = pair(app.test_client(), code)
    assert again.status_code == 422
    assert "wrong or has expired" in again.text
    device_id = me["device_id"]
    assert db.execute("SELECT last_seen_at FROM devices WHERE id = ?", [device_id]).fetchone()[0]
    admin_client.post(f"/admin/devices/{device_id}/revoke", data={"csrf_token": admin_client.csrf})
    assert device.get("/api/v1/auth/me").status_code == 401


def test_pairing_codes_expire(app, db, store, monkeypatch):
    device_id, code = accounts.create_device(
        db, {"kind": "display", "name": "Late board", "branch_id": store.branch_id}
    )
    db.execute(
        "UPDATE devices SET pairing_expires_at = ? WHERE id = ?",
        ["2000-01-01T00:00:00+00:00", device_id],
    )
    assert pair(app.test_client(), code).status_code == 422
    assert timedelta(minutes=15) == accounts.PAIRING_TTL


def test_device_form_errors(admin_client):
    response = admin_client.post(
        "/admin/devices/new",
        data={"csrf_token": admin_client.csrf, "kind": "feedback", "name": "", "branch_id": "99"},
    )
    assert response.status_code == 422
    text = " ".join(form_errors(response.text))
    assert "This field must not be empty" in text
    assert "There is no branch 99" in text
    assert "feedback screen belongs to a counter" in text


def test_a_board_gets_its_languages_and_services_when_paired(admin_client, client, db, store):
    """Set in the device form; the board reads them from /api/v1/board."""
    response = admin_client.post(
        "/admin/devices/new",
        data={
            "csrf_token": admin_client.csrf,
            "kind": "display",
            "name": "Returns board",
            "branch_id": str(store.branch_id),
            "languages": ["ms", "tr"],
            "service_ids": [str(store.returns)],
        },
    )
    assert response.status_code == 200
    device = db.execute("SELECT * FROM devices WHERE name = 'Returns board'").fetchone()
    assert (device["languages"], device["service_ids"]) == ('["tr", "ms"]', f"[{store.returns}]")
    form = admin_client.get(f"/admin/devices/{device['id']}").text
    assert 'value="tr" checked' in form and 'value="en">' in form
    refused = admin_client.post(
        f"/admin/devices/{device['id']}",
        data={"csrf_token": admin_client.csrf, "name": "Board", "service_ids": ["999"]},
    )
    assert refused.status_code == 422
    assert "services of this board" in " ".join(form_errors(refused.text))
    board = client.get("/api/v1/board", headers=bearer(store.display_token)).json
    assert board["board"] == {"languages": [], "service_ids": []}  # the test board: defaults


def png(size=(40, 20), noise: bool = False) -> bytes:
    buffer = io.BytesIO()
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, "red")
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_logo_is_uploaded_cleaned_and_served(admin_client, client, db, store):
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/logo",
        data={"csrf_token": admin_client.csrf, "logo": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with client.get(f"/media/logo/{store.branch_id}") as served:
        assert served.status_code == 200
        assert served.mimetype == "image/png"
        assert Image.open(io.BytesIO(served.data)).size == (40, 20)
    branding = client.get(f"/api/v1/branches/{store.branch_id}/branding").json
    assert branding["logo_url"] == f"/media/logo/{store.branch_id}"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a picture",
        ),
        (b"GIF89a" + b"\x00" * 10, "picture"),
    ],
)
def test_logo_that_is_not_a_picture_is_refused(admin_client, store, payload, message):
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/logo",
        data={"csrf_token": admin_client.csrf, "logo": (io.BytesIO(payload), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.text


def test_oversize_logo_is_refused(admin_client, app, store):
    app.config["SIRA_MAX_LOGO_BYTES"] = 1000
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/logo",
        data={
            "csrf_token": admin_client.csrf,
            "logo": (io.BytesIO(png((300, 300), noise=True)), "big.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (413, 422)


def test_audit_log_lists_who_did_what(admin_client, store):
    admin_client.post(
        f"/admin/branches/{store.branch_id}/branding",
        data={"csrf_token": admin_client.csrf, "store_name": "Kedai Sıra", "ticket_footer": ""},
    )
    page = admin_client.get("/admin/audit").text
    assert "branding.updated" in page
    assert "auth.login" in page
    assert "Kedai Sıra" in page


def test_field_errors_are_in_the_page_language(admin_client, store):
    admin_client.get("/admin/branches?lang=tr")
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/services/new",
        data={"csrf_token": admin_client.csrf, "prefix": "A", "name": "", "target_wait_min": "5"},
    )
    assert form_errors(response.text) == ["Bu alan boş bırakılamaz."]
