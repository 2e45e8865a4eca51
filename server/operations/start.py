"""`/` leads to a small start page: the store's screens, and where staff sign in."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from server.operations import bp


@bp.get("/")
def root():
    return redirect(url_for("operations.start"))


@bp.get("/start")
def start():
    return render_template("start.html")
