"""The admin pages are fully translated; no account ever gets a default password."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from server.demo import seed
from server.storage import connect, migrate
from tests.live import ROOT, sira_process

ADMIN = ROOT / "server" / "admin"


def admin_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ADMIN), method_map=method_map
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", ["tr", "ms"])
def test_every_admin_string_is_translated(language):
    with (ADMIN / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = admin_messages() - {key for key, value in translated.items() if value}
    assert not missing, f"untranslated in {language}: {sorted(missing)}"


def test_turkish_catalog_uses_turkish_letters():
    text = (ADMIN / "translations" / "tr" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    for letter in "şğıİçöü":
        assert letter in text


def test_init_creates_no_account_and_says_how(tmp_path):
    db_path = str(tmp_path / "new.db")
    result = sira_process(db_path, "init")
    assert result.returncode == 0, result.stderr
    assert "sira user add NAME --role admin" in result.stdout
    db = connect(db_path)
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_user_add_refuses_a_short_password(tmp_path):
    db_path = str(tmp_path / "new.db")
    sira_process(db_path, "init")
    result = sira_process(db_path, "user", "add", "boss", "--role", "admin", stdin="short\n")
    assert result.returncode == 1
    assert "at least 8 characters" in result.stderr


def test_demo_passwords_are_random(tmp_path):
    logins = []
    for name in ("one.db", "two.db"):
        db = connect(str(tmp_path / name))
        migrate(db)
        logins.append(seed(db).logins)
    assert logins[0].keys() == logins[1].keys()
    for username in logins[0]:
        assert logins[0][username] != logins[1][username]
        assert len(logins[0][username]) >= 24
        assert logins[0][username] not in (username, "password", "admin")
