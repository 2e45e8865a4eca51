"""The store's rules for joining from a phone (admin API and page), the join poster with its
QR code decoded back to the join address, and every text of the join part translated."""

from __future__ import annotations

import io

import pytest
import requests
import zxingcpp
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from PIL import Image

from server.demo import seed
from server.engine import QueueEngine
from server.storage import connect, migrate
from tests.admin.conftest import form_errors
from tests.api.calls import assert_error
from tests.conftest import PASSWORD, bearer
from tests.core.state import database_state
from tests.live import ROOT

RULES = {"enabled": True, "closes_before_min": 45, "max_waiting": 20, "max_queue": 30}


def decoded(png: bytes) -> list[str]:
    """The texts of the QR codes a real decoder finds in a picture."""
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


# -- admin API --------------------------------------------------------------------------------


def test_admins_set_and_read_branch_and_service_rules(client, store):
    admin = bearer(store.admin_token)
    response = client.post(
        f"/api/v1/branches/{store.branch_id}/remote-joining",
        json={"remote_joining": RULES},
        headers=admin,
    )
    assert response.status_code == 200, response.json
    assert response.json["remote_joining"] == RULES
    service = client.post(
        f"/api/v1/services/{store.returns}/remote-joining",
        json={"remote_joining": {"enabled": False, "max_queue": 5}},
        headers=admin,
    ).json
    assert service["remote_joining"] == {
        "enabled": False,
        "closes_before_min": None,
        "max_waiting": None,
        "max_queue": 5,
    }
    listed = client.get(f"/api/v1/branches/{store.branch_id}/remote-joining", headers=admin).json
    assert [s["remote_joining"]["enabled"] for s in listed["services"]] == [True, False]
    join = client.get("/api/v1/join/test").json
    assert [s["open"] for s in join["services"]] == [True, False]


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"enabled": "maybe", "closes_before_min": 30}, "enabled"),
        ({"enabled": True}, "closes_before_min"),
        ({"enabled": True, "closes_before_min": -1}, "closes_before_min"),
        ({"enabled": True, "closes_before_min": 721}, "closes_before_min"),
        ({"enabled": True, "closes_before_min": 30, "max_waiting": "lots"}, "max_waiting"),
        ({"enabled": True, "closes_before_min": 30, "max_queue": 10_001}, "max_queue"),
    ],
)
def test_bad_rules_are_named_and_nothing_is_written(client, store, db, rules, field):
    before = database_state(db)
    response = client.post(
        f"/api/v1/branches/{store.branch_id}/remote-joining",
        json={"remote_joining": rules},
        headers=bearer(store.admin_token),
    )
    assert_error(response, 422, "invalid", field)
    assert database_state(db) == before


def test_only_admins_set_rules(client, store):
    for token in (store.staff_token, store.manager_token, store.kiosk_token):
        response = client.post(
            f"/api/v1/branches/{store.branch_id}/remote-joining",
            json={"remote_joining": RULES},
            headers=bearer(token),
        )
        assert_error(response, 403, "forbidden")
    assert_error(
        client.get(f"/api/v1/services/{store.payments}/remote-joining"),
        401,
        "not_authenticated",
    )


def test_unknown_records_are_404(client, store):
    response = client.post(
        "/api/v1/services/999/remote-joining",
        json={"remote_joining": {"enabled": True}},
        headers=bearer(store.admin_token),
    )
    assert_error(response, 404, "not_found", "service_id")


# -- admin page -------------------------------------------------------------------------------


def test_the_admin_page_saves_branch_and_service_rules(admin_client, store, db):
    page = admin_client.get(f"/admin/branches/{store.branch_id}/joining")
    assert page.status_code == 200
    assert "/join/test" in page.get_data(as_text=True)
    form = {
        "csrf_token": admin_client.csrf,
        "enabled": "1",
        "closes_before_min": "20",
        "max_waiting": "",
        "max_queue": "12",
        f"s{store.payments}_enabled": "1",
        f"s{store.payments}_max_waiting": "3",
    }
    response = admin_client.post(f"/admin/branches/{store.branch_id}/joining", data=form)
    assert response.status_code == 303
    branch = db.execute(
        "SELECT remote_joining, remote_closes_before_min, remote_max_waiting, remote_max_queue"
        " FROM branches WHERE id = ?",
        [store.branch_id],
    ).fetchone()
    assert tuple(branch) == (1, 20, None, 12)
    services = db.execute(
        "SELECT remote_joining, remote_max_waiting FROM services ORDER BY id"
    ).fetchall()
    assert [tuple(s) for s in services] == [(1, 3), (0, None)]


def test_a_wrong_field_is_shown_beside_it_and_nothing_is_saved(admin_client, store, db):
    before = database_state(db, ("branches", "services"))
    response = admin_client.post(
        f"/admin/branches/{store.branch_id}/joining",
        data={
            "csrf_token": admin_client.csrf,
            "enabled": "1",
            "closes_before_min": "30",
            f"s{store.returns}_max_queue": "many",
        },
    )
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True)) == ["Write a whole number from 0 to 10000."]
    assert database_state(db, ("branches", "services")) == before


# -- the poster -------------------------------------------------------------------------------


def test_the_poster_png_carries_the_join_qr_and_is_a4(admin_client, store):
    response = admin_client.get(f"/admin/branches/{store.branch_id}/poster.png")
    assert (response.status_code, response.mimetype) == (200, "image/png")
    picture = Image.open(io.BytesIO(response.data))
    width, height = picture.size
    assert round(height / width, 2) == round(297 / 210, 2)
    assert decoded(response.data) == ["http://localhost/join/test"]


def test_the_poster_page_shows_the_code_and_every_branch_language(admin_client, store):
    html = admin_client.get(f"/admin/branches/{store.branch_id}/poster").get_data(as_text=True)
    assert 'src="/join/test/qr.svg"' in html
    assert "Skip the queue at the kiosk: join from your phone" in html
    assert "Telefonunuzdan" in html or "telefonunuzdan" in html
    assert "telefon anda" in html


def test_the_public_address_goes_into_the_qr(admin_client, app, store):
    app.config["SIRA_PUBLIC_URL"] = "https://queue.example.com"
    response = admin_client.get(f"/admin/branches/{store.branch_id}/poster.png")
    assert decoded(response.data) == ["https://queue.example.com/join/test"]


def test_the_poster_is_for_admins(client, store):
    assert client.get(f"/admin/branches/{store.branch_id}/poster.png").status_code == 302


def test_the_join_qr_svg_is_public_and_404_for_an_unknown_store(client):
    assert client.get("/join/test/qr.svg").mimetype == "image/svg+xml"
    assert client.get("/join/nowhere/qr.svg").status_code == 404


# -- translations -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["tr", "ms"])
def test_every_join_text_is_translated(language):
    join = ROOT / "display" / "join"
    used = {
        message
        for _, _, message, *_ in extract_from_dir(
            str(join), [("**.py", "python"), ("**/templates/**.html", "jinja2")]
        )
    }
    with (join / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert used and used <= translated, sorted(used - translated)


def test_the_demo_store_takes_phones_and_its_history_has_phone_tickets(tmp_path):
    db = connect(str(tmp_path / "demo.db"))
    migrate(db)
    seed(db, history_days=2)
    info = QueueEngine(db).join_info("demo")
    assert all(service["open"] for service in info["services"])
    channels = dict(db.execute("SELECT channel, count(*) FROM tickets GROUP BY channel"))
    assert channels["phone"] and channels["kiosk"] > channels["phone"]


def test_a_real_gevent_server_draws_the_poster(live_server, store):
    """`sira serve` runs on gevent: the PNG is drawn in its thread pool, and still decodes."""
    session = requests.Session()
    csrf = session.get(f"{live_server.url}/api/v1/auth/csrf").json()["csrf_token"]
    signed_in = session.post(
        f"{live_server.url}/api/v1/auth/login",
        json={"username": "admin", "password": PASSWORD},
        headers={"X-CSRFToken": csrf},
    )
    assert signed_in.status_code == 200
    response = session.get(f"{live_server.url}/admin/branches/{store.branch_id}/poster.png")
    assert response.status_code == 200
    assert decoded(response.content) == [f"{live_server.url}/join/test"]


def test_the_join_page_shows_the_branch_logo(admin_client, client, store):
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(picture, format="PNG")
    uploaded = admin_client.post(
        f"/admin/branches/{store.branch_id}/logo",
        data={"csrf_token": admin_client.csrf, "logo": (io.BytesIO(picture.getvalue()), "l.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    logo = f"/media/logo/{store.branch_id}"
    assert client.get("/api/v1/join/test").json["logo_url"] == logo
    assert f'src="{logo}"' in client.get("/join/test").get_data(as_text=True)
