"""The store's name, each branch's logo, ticket footer and board ticker; and the logo file."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import current_app, request, send_from_directory
from PIL import Image, UnidentifiedImageError

from server import store
from server.admin import bp, pairing_bp
from server.admin.common import actor, back_to, form_page
from server.db import get_db
from server.domain.errors import NotFound, ValidationError

LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP", "BMP"}
LOGO_BOX = (800, 300)  # pixels: wide enough for an 80 mm ticket, small enough for a board


def logo_folder() -> Path:
    """Uploaded logos live in SIRA_MEDIA_DIR (by default the instance folder's media/)."""
    media = current_app.config.get("SIRA_MEDIA_DIR") or Path(current_app.instance_path) / "media"
    return Path(media) / "logos"


@bp.url_value_preprocessor
def allow_logo_upload(endpoint: str | None, _values: dict | None) -> None:
    """Uploads are bigger than the app's usual 64 KB body limit (runs before the CSRF check)."""
    if endpoint == "admin.upload_logo":
        request.max_content_length = current_app.config["SIRA_MAX_LOGO_BYTES"] + 16 * 1024


def branding_page(branch_id: int, error=None):
    db = get_db()
    return form_page(
        "admin/branding.html",
        error,
        branch=store.row(db, "branch", branch_id),
        branches=store.rows(db, "branch"),
        branding=store.branding(db, branch_id),
    )


@bp.route("/branches/<int:branch_id>/branding", methods=["GET", "POST"])
def branding(branch_id: int):
    if request.method == "GET":
        return branding_page(branch_id)
    try:
        store.set_branding(get_db(), branch_id, request.form, actor())
    except ValidationError as error:
        return branding_page(branch_id, error)
    return back_to("admin.branding", branch_id=branch_id)


def clean_logo(data: bytes) -> bytes:
    """Re-encode the upload as a plain PNG: only pixels survive (no SVG, no scripts, no EXIF)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LOGO_FORMATS:
                raise ValidationError("The logo must be a PNG, JPEG, GIF or WebP picture.", "logo")
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError("This file is not a picture Sıra can read.", "logo") from None
    picture.thumbnail(LOGO_BOX)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@bp.post("/branches/<int:branch_id>/logo")
def upload_logo(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    upload = request.files.get("logo")
    try:
        if upload is None or not upload.filename:
            raise ValidationError("Choose a picture file to upload.", "logo")
        data = upload.read(current_app.config["SIRA_MAX_LOGO_BYTES"] + 1)
        if len(data) > current_app.config["SIRA_MAX_LOGO_BYTES"]:
            limit_kb = current_app.config["SIRA_MAX_LOGO_BYTES"] // 1024
            raise ValidationError("The logo may be at most %(kb)d KB.", "logo", kb=limit_kb)
        png = clean_logo(data)
    except ValidationError as error:
        return branding_page(branch_id, error)
    folder = logo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"branch-{branch_id}-{secrets.token_hex(6)}.png"
    (folder / filename).write_bytes(png)
    store.set_logo(get_db(), branch_id, filename, actor())
    remove_file(branch["logo_path"])
    return back_to("admin.branding", branch_id=branch_id)


@bp.post("/branches/<int:branch_id>/logo/delete")
def delete_logo(branch_id: int):
    branch = store.row(get_db(), "branch", branch_id)
    store.set_logo(get_db(), branch_id, None, actor())
    remove_file(branch["logo_path"])
    return back_to("admin.branding", branch_id=branch_id)


def remove_file(filename: str | None) -> None:
    if filename:
        (logo_folder() / Path(filename).name).unlink(missing_ok=True)


@pairing_bp.get("/media/logo/<int:branch_id>")
def logo(branch_id: int):
    """The branch's logo for kiosks, tickets and boards (public, like the store sign)."""
    filename = store.row(get_db(), "branch", branch_id)["logo_path"]
    if not filename:
        raise NotFound("This branch has no logo.", "branch_id")
    response = send_from_directory(logo_folder(), Path(filename).name, max_age=300)
    response.headers["Content-Disposition"] = "inline"
    return response
