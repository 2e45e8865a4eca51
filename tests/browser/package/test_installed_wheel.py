"""The store as a store gets it: a wheel built from this checkout, installed into a fresh
virtual environment outside any checkout, run by its own `sira` command from an unrelated
folder, and loaded in Chromium in Turkish with no request failing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import record_http_errors
from tests.live import ROOT, LiveServer, free_port

pytestmark = pytest.mark.slow


def run(command: list[str], **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)
    assert result.returncode == 0, f"{command}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sdist, then a wheel built from that sdist (so the sdist is proven complete)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    return next(out.glob("sira-*.whl"))


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> Iterator[dict]:
    """A fresh venv with the wheel installed, a home folder, and a clean environment."""
    place = tmp_path_factory.mktemp("store")
    run([sys.executable, "-m", "venv", str(place / "venv")])
    run([str(place / "venv" / "bin" / "pip"), "install", "--quiet", str(built)])
    elsewhere = place / "elsewhere"
    elsewhere.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SIRA_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["SIRA_HOME"] = str(place / "home")
    yield {"sira": str(place / "venv" / "bin" / "sira"), "cwd": elsewhere, "env": env}


def test_the_wheel_holds_the_front_end_and_compiled_catalogs(built):
    names = zipfile.ZipFile(built).namelist()
    assert "server/static/vendor/socket.io.min.js" in names
    assert "server/static/vendor/chart.umd.js" in names
    assert "server/static/vendor/simple-keyboard.js" in names  # the kiosk's on-screen keyboard
    assert "server/static/js/kiosk.js" in names
    catalogs = [name for name in names if name.endswith("LC_MESSAGES/messages.mo")]
    assert {re.search(r"/(\w+)/LC_MESSAGES", name)[1] for name in catalogs} == {"tr", "ms"}
    assert not any(name.startswith(("tests/", "node_modules/")) for name in names)


def test_installed_store_serves_the_kiosk_in_turkish_with_every_asset(installed, built, new_page):
    sira, cwd, env = installed["sira"], installed["cwd"], installed["env"]
    assert run([sira, "--version"], cwd=cwd, env=env).stdout.strip() == "sira, version 0.1.0"
    demo = run([sira, "demo", "--no-serve"], cwd=cwd, env=env)
    home = Path(env["SIRA_HOME"])
    assert f"database {home / 'sira.db'}" in demo.stderr
    kiosk = re.search(r"/kiosk#token=(\S+)", demo.stdout)[1]
    board = re.search(r"/display#token=(\S+)", demo.stdout)[1]

    port = free_port()
    server = subprocess.Popen(
        [sira, "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        live = LiveServer(str(home / "sira.db"), port=port)
        live.process = server
        live.log_path = cwd / "server.log"  # only read if it fails to start
        live.wait_ready()
        base = f"http://127.0.0.1:{port}"
        # the demo's database, served: its services are there
        assert requests.get(f"{base}/api/v1/services", timeout=5).json()
        assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
        for page in ("/start", "/login", "/pair", "/kiosk", "/display", "/feedback"):
            assert requests.get(f"{base}{page}?lang=ms", timeout=5).status_code == 200, page
        for name in zipfile.ZipFile(built).namelist():
            if name.startswith("server/static/"):
                asset = f"{base}/static/{name.removeprefix('server/static/')}"
                assert requests.get(asset, timeout=5).status_code == 200, asset

        failures = []
        page = new_page(locale="tr-TR")
        page.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))
        record_http_errors(page, failures)
        page.goto(f"{base}/kiosk#token={kiosk}")
        page.get_by_role("button", name="Türkçe").click()
        expect(page.locator("#choose-service")).to_have_text("Lütfen bir hizmet seçin")
        malay = new_page(locale="ms-MY")
        malay.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))
        malay.goto(f"{base}/display#token={board}&lang=ms")
        expect(malay.locator("html")).to_have_attribute("lang", "ms")
        expect(malay.locator(".latest-label")).to_have_text("Sedang dipanggil")
        page.wait_for_load_state("networkidle")
        assert failures == []
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"database {home / 'sira.db'}" in output
