"""The join page a phone opens from the poster's QR code, and that QR code itself."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Response, render_template
from flask_babel import force_locale, get_locale, gettext

from display.join import bp
from display.join.texts import refusal_texts
from display.wait_words import wait_labels
from kiosk.printing.dispatch import public_base_url
from server import store
from server.db import get_db, get_engine
from server.domain.tickets import PRIORITY_NEEDS

# Each language named in itself, for the language links.
LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe", "ms": "Bahasa Melayu"}


def join_url(slug: str) -> str:
    return f"{public_base_url().rstrip('/')}/join/{slug}"


def join_info(slug: str) -> dict:
    """The engine's join_info and the branch's logo (from its branding)."""
    info = get_engine().join_info(slug)
    return {**info, "logo_url": store.branding(get_db(), info["branch_id"])["logo_url"]}


def page_language(info: dict) -> str:
    """The phone's language (?lang=, then its choice, then its browser) where the branch
    speaks it, else the branch's default."""
    asked = str(get_locale() or "")
    return asked if asked in info["languages"] else info["default_language"]


@bp.get("/join/<slug>")
def join_page(slug: str):
    """Public: the store, its open services with their queues, and the join form."""
    info = join_info(slug)
    language = page_language(info)
    with force_locale(language):
        return render_template(
            "join/join.html",
            info=info,
            language=language,
            language_names={code: LANGUAGE_NAMES[code] for code in info["languages"]},
            store_name=store.store_name(get_db()),
            service_names={
                s["id"]: s["names"].get(language) or s["name"] for s in info["services"]
            },
            priority_needs=PRIORITY_NEEDS,
            labels=join_labels(),
        )


def join_labels() -> dict[str, str]:
    """Words the page's script fills in; `{n}` stands for a number."""
    return {
        **refusal_texts(),
        **wait_labels(),
        "choose": gettext("Please choose a service."),
        "offline": gettext("No connection. Check your network and try again."),
        "failed": gettext("Sorry, that did not work. Please try again."),
    }


@bp.get("/join/<slug>/qr.svg")
def join_qr(slug: str):
    """The join page's QR code, for the poster and the kiosk screen."""
    get_engine().reads.branch_by_slug(slug)
    code = qrcode.make(join_url(slug), image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    code.save(out)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
