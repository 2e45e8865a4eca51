"""One home folder (SIRA_HOME) and one set of settings for the server and every command."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from server import __version__
from server.app import create_app
from server.commands import cli
from server.config import home_folder, load


def test_the_home_file_may_use_the_sira_names_and_the_environment_wins(tmp_path):
    (tmp_path / "config.py").write_text(
        'SIRA_DB = "/srv/store.db"\n'
        'SIRA_SECRET_KEY = "from-the-file"\n'
        'SIRA_RATELIMIT_STORAGE = "redis://127.0.0.1:6379/3"\n'
        "SIRA_PROXY_HOPS = 1\n"
    )
    settings = load(tmp_path, environ={})
    assert settings["SIRA_DB"] == "/srv/store.db"
    assert settings["SECRET_KEY"] == "from-the-file"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert settings["SIRA_PROXY_HOPS"] == 1
    overridden = load(tmp_path, environ={"SIRA_DB": "/elsewhere.db", "SIRA_PROXY_HOPS": "2"})
    assert (overridden["SIRA_DB"], overridden["SIRA_PROXY_HOPS"]) == ("/elsewhere.db", 2)


def test_the_database_defaults_to_the_home_folder(tmp_path):
    assert load(tmp_path, environ={})["SIRA_DB"] == str(tmp_path / "sira.db")
    assert home_folder({"SIRA_HOME": str(tmp_path)}) == tmp_path


def test_the_app_keeps_its_secret_key_and_logos_in_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SIRA_HOME", str(tmp_path))
    monkeypatch.delenv("SIRA_SECRET_KEY", raising=False)
    first = create_app({"TESTING": True})
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key.read_text()
    assert create_app({"TESTING": True}).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert first.instance_path == str(tmp_path)
    assert first.config["SIRA_DB"] == str(tmp_path / "sira.db")


def test_every_command_names_the_home_and_database_it_uses(tmp_path):
    runner = CliRunner()
    env = {"SIRA_HOME": str(tmp_path / "home"), "SIRA_DB": None}
    result = runner.invoke(cli, ["init"], env=env)
    assert result.exit_code == 0, result.output
    database = tmp_path / "home" / "sira.db"
    assert result.stderr.splitlines()[0] == (
        f"Sıra {__version__}: home {tmp_path / 'home'}, database {database}"
    )
    assert database.exists()
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700


def test_demo_replaces_an_existing_database_only_when_asked(tmp_path):
    runner = CliRunner()
    env = {"SIRA_HOME": str(tmp_path), "SIRA_DB": None}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    refused = runner.invoke(cli, ["demo", "--no-serve"], env=env)
    assert refused.exit_code == 1
    assert "sira demo --replace" in refused.stderr
    replaced = runner.invoke(cli, ["demo", "--no-serve", "--replace"], env=env)
    assert replaced.exit_code == 0, replaced.output
    assert f"Sıra demo store ({tmp_path / 'sira.db'})" in replaced.stdout


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"sira, version {__version__}\n")
