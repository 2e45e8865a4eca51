"""What every staff page shares: who is signed in, links between the staff pages their role
opens, signing out, and times in the branch's time zone written the reader's way."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from server.labels import AUDIT_ACTION_LABELS
from tests.admin.conftest import sign_in
from tests.i18n.catalogs import ROOT

PAGES = {"staff": "/counter", "manager": "/manager", "admin": "/admin/branches"}
LINKS = {
    "staff": ["/counter"],
    "manager": ["/counter", "/manager"],
    "admin": ["/counter", "/manager", "/admin/branches"],
}


@pytest.mark.parametrize("role", PAGES)
def test_the_staff_bar_names_the_person_and_links_what_their_role_opens(app, store, role):
    client = app.test_client()
    sign_in(client, role)
    page = client.get(PAGES[role]).text
    bar = page.split('class="staff-bar"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]+)"', bar) == LINKS[role]
    assert 'id="signed-in-as">' in bar and 'action="/logout"' in bar and 'id="sign-out"' in bar


def test_the_audit_log_says_what_happened_in_words_and_local_time(app, db, store):
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/admin/audit?lang=tr").text
    assert "Giriş yaptı" in page
    assert ">auth.login<" not in page
    at = db.execute("SELECT at FROM audit_log WHERE action = 'auth.login'").fetchone()[0]
    istanbul = format_datetime(
        datetime.fromisoformat(at), "medium", tzinfo=ZoneInfo("Europe/Istanbul"), locale="tr"
    )
    assert f'<time datetime="{at}">{istanbul}</time>' in page


def test_every_audit_action_the_code_writes_has_words():
    action = re.compile(r'"((?:auth|branch|branding|device|user)\.[a-z_]+)"')
    written = {
        found
        for path in Path(ROOT, "server").rglob("*.py")
        for found in action.findall(path.read_text())
    }
    assert written and written <= AUDIT_ACTION_LABELS.keys()
