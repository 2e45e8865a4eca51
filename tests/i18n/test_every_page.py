"""Every page of every part, in English, Turkish and Malay: none fails, and on a Turkish or
Malay page no English source string shows (names and codes aside)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import template_rendered
from werkzeug.exceptions import default_exceptions

from server.i18n import PARTS, ROOT
from tests.admin.conftest import ADMIN_PAGES, sign_in
from tests.i18n.catalogs import PLACEHOLDER, source_messages, translations
from tests.i18n.visible import visible_text

LANGUAGES = ("en", "tr", "ms")
RANGE = "from=2026-03-01&to=2026-03-08"
# Templates only ever included in others (or extended by them).
PIECES = {"base.html", "layout.html"}


def pages(history) -> dict[str, list[tuple[str, str, dict | None]]]:
    """Who asks, and for what: (method, path, form)."""
    done, missed = history.tokens["T1"], history.tokens["T2"]
    anonymous = [
        ("GET", path, None)
        for path in (
            "/login",
            "/start",
            "/pair",
            "/display",
            "/feedback",
            "/kiosk",
            f"/t/{done}",
            f"/t/{done}/rate",
            f"/t/{missed}/rate",
            "/join/test",
            "/t/not-a-ticket",
            "/t/not-a-ticket/rate",
            "/no/such/page",
        )
    ]
    staff = [("GET", "/counter", None), ("GET", "/manager", None), ("GET", "/admin/", None)]
    manager = [
        ("GET", path, None)
        for path in (
            "/manager",
            "/manager/live/panel",
            f"/manager/history?{RANGE}",
            f"/manager/tickets?{RANGE}&figure=rating",
            f"/manager/branches?{RANGE}",
            f"/manager/follow-up?{RANGE}&show=all",
        )
    ]
    admin = [("GET", path, None) for path in ADMIN_PAGES] + [
        ("POST", "/admin/branches/1/services/new", {"prefix": "a1", "target_wait_min": "x"}),
        ("POST", "/admin/users/new", {"username": "zeynep", "display_name": "Z", "role": "staff"}),
        ("POST", "/admin/devices/new", {"kind": "display", "name": "Board 2", "branch_id": "1"}),
    ]  # fmt: skip
    return {"anonymous": anonymous, "staff": staff, "manager": manager, "admin": admin}


def english_shown(html: str, language: str) -> list[str]:
    """Source strings shown as they are, where the catalog has a different translation."""
    catalog = translations(language)
    english = {
        message
        for message in source_messages()
        if catalog.get(message, message) != message and not PLACEHOLDER.search(message)
    }
    english |= {error.description for error in default_exceptions.values() if error.description}
    return sorted({text for text in visible_text(html, language) if text in english})


def all_templates() -> set[str]:
    names = set()
    for part in PARTS:
        for folder in (ROOT / part).glob("**/templates"):
            names |= {str(path.relative_to(folder)) for path in folder.glob("**/*.html")}
    return names


@pytest.fixture
def rendered(app):
    names: set[str] = set()

    def record(_sender, template, context, **_extra):
        names.add(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_language(app, history, rendered, language):
    problems = []
    for who, requests in pages(history).items():
        client = app.test_client()
        csrf = sign_in(client, who) if who != "anonymous" else None
        client.get(f"/login?lang={language}")
        for method, path, form in requests:
            if method == "GET":
                response = client.get(path, headers={"Accept": "text/html"})
            else:
                response = client.post(path, data={**form, "csrf_token": csrf})
            if response.status_code >= 500 or response.status_code in (301, 302, 303):
                problems.append((who, path, response.status_code))
                continue
            if language != "en" and response.mimetype == "text/html":
                shown = english_shown(response.get_data(as_text=True), language)
                if shown:
                    problems.append((who, path, shown))
    assert not problems, problems
    pages_left_out = {
        name for name in all_templates() - rendered
        if Path(name).name not in PIECES and not Path(name).name.startswith("_")
    }  # fmt: skip
    assert not pages_left_out, f"no request above renders {sorted(pages_left_out)}"
