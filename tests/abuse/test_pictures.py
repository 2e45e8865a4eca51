"""Uploaded pictures: a small file claiming huge dimensions is refused before it is decoded.

A 12,000 × 12,000 PNG compresses to a few kilobytes and would take 1.2 GB to open; its size is
read from the header and refused. Decoding an accepted logo runs off the gevent hub.
"""

from __future__ import annotations

import io
from functools import cache

import pytest
import requests
from PIL import Image

from tests.admin.conftest import form_errors, sign_in
from tests.conftest import PASSWORD


@cache
def blank_png(side: int) -> bytes:
    """side × side black-and-white pixels: a few KB as a PNG however large."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 100), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def admin(app, tmp_path):
    app.config["SIRA_MEDIA_DIR"] = str(tmp_path / "media")
    client = app.test_client()
    client.csrf = sign_in(client, "admin")
    return client


@pytest.mark.parametrize("side", [12_000, 4_000])
def test_a_huge_picture_in_a_small_file_is_refused_before_decoding(admin, store, tmp_path, side):
    """12,000²: past Pillow's own bomb warning; 4,000²: within it, past Sıra's 10 million."""
    data = blank_png(side)
    assert len(data) < 64 * 1024
    response = admin.post(
        f"/admin/branches/{store.branch_id}/logo",
        data={"csrf_token": admin.csrf, "logo": (io.BytesIO(data), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    (message,) = form_errors(response.text)
    assert "too many pixels" in message and "10 million" in message
    assert not (tmp_path / "media").exists(), "nothing was saved"


@pytest.mark.slow
def test_a_logo_is_decoded_and_saved_by_the_gevent_server(live_server, store):
    browser = requests.Session()
    answer = browser.post(
        f"{live_server.url}/api/v1/auth/login",
        json={"username": "admin", "password": PASSWORD},
        timeout=10,
    )
    csrf = answer.json()["csrf_token"]
    uploaded = browser.post(
        f"{live_server.url}/admin/branches/{store.branch_id}/logo",
        data={"csrf_token": csrf},
        files={"logo": ("logo.png", small_png(), "image/png")},
        allow_redirects=False,
        timeout=30,
    )
    assert uploaded.status_code == 303, uploaded.text
    served = requests.get(f"{live_server.url}/media/logo/{store.branch_id}", timeout=10)
    assert Image.open(io.BytesIO(served.content)).size == (400, 100)
