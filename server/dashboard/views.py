"""Dashboard pages: each parses the request, asks server.stats, and renders or exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from babel.dates import get_day_names
from flask import Response, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from server.api.branches import branch_in_scope
from server.auth.principal import current_principal
from server.dashboard import bp
from server.dashboard.format import duration, heat_levels, local_time
from server.db import get_db, get_reads
from server.domain.errors import NotAllowed
from server.stats import StatsFilter, compute_stats, filter_choices
from server.stats.estimates import estimate_accuracy
from server.stats.exports import KPI_COLUMNS, TICKET_COLUMNS, kpi_rows, ticket_rows, to_csv
from server.stats.live import live_state
from server.stats.ratings import follow_up, low_ratings


def manager_required(view: Callable) -> Callable:
    """Managers and admins only; anyone not signed in is sent to the sign-in page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal()
        if principal.kind == "anonymous":
            return redirect("/login?next=" + quote(request.full_path.rstrip("?"), safe="/"))
        if not principal.allows("manager"):
            raise NotAllowed("The dashboard is for managers.")
        return view(*args, **kwargs)

    return guarded


@bp.app_template_filter("duration")
def duration_filter(seconds: float | None) -> str:
    return duration(seconds)


@bp.app_template_filter("signed_duration")
def signed_duration_filter(seconds: float) -> str:
    """A bias: "+1:05" when estimates were long, "−2:30" when customers waited longer."""
    return ("+" if seconds >= 0 else "−") + duration(abs(seconds))


@bp.app_template_filter("local_time")
def local_time_filter(timestamp: str | None) -> str:
    if "branch_timezone" not in g:
        g.branch_timezone = get_reads().branch(branch_in_scope())["timezone"]
    return local_time(timestamp, g.branch_timezone)


def query_from_request() -> StatsFilter:
    branch_id = branch_in_scope()
    today = date.fromisoformat(get_reads().today(branch_id))
    return StatsFilter.from_args(request.args, branch_id, today)


@bp.get("")
@manager_required
def live():
    branch_id = branch_in_scope()
    return render_template("dashboard/live.html", live=live_state(get_reads(), branch_id))


@bp.get("/live/panel")
@manager_required
def live_panel():
    """The live panel alone, redrawn by the page when the branch room reports a change."""
    return render_template(
        "dashboard/_live_panel.html", live=live_state(get_reads(), branch_in_scope())
    )


@bp.get("/history")
@manager_required
def history():
    query = query_from_request()
    stats = compute_stats(get_db(), query)
    day_names = get_day_names("abbreviated", locale=get_locale())
    return render_template(
        "dashboard/history.html",
        stats=stats,
        query=query,
        choices=filter_choices(get_db(), query.branch_id),
        heatmap=heat_levels(stats["arrivals_heatmap"]),
        estimates=estimate_accuracy(get_db(), query),
        weekdays=[day_names[n] for n in range(7)],
        by_channel=[
            {**row, "name": channel_names()[row["channel"]]} for row in stats["by_channel"]
        ],
    )


def channel_names() -> dict[str, str]:
    """Where tickets came from, in the manager's language."""
    return {"kiosk": gettext("Kiosk"), "phone": gettext("Phone"), "staff": gettext("Staff")}


@bp.get("/follow-up")
@manager_required
def follow_ups():
    query = query_from_request()
    show_all = request.args.get("show") == "all"
    return render_template(
        "dashboard/follow_up.html",
        ratings=low_ratings(get_db(), query, open_only=not show_all),
        query=query,
        show_all=show_all,
    )


@bp.post("/follow-up/<int:ticket_id>")
@manager_required
def mark_followed_up(ticket_id: int):
    follow_up(
        get_db(),
        ticket_id,
        current_principal().user_id,
        request.form.get("note"),
        current_app.config["SIRA_CLOCK"],
    )
    return redirect(url_for("dashboard.follow_ups", **request.args))


@bp.get("/export/tickets.csv")
@manager_required
def export_tickets():
    query = query_from_request()
    return csv_response(
        to_csv(TICKET_COLUMNS, ticket_rows(get_db(), query)), f"tickets-{query_label(query)}"
    )


@bp.get("/export/kpis.csv")
@manager_required
def export_kpis():
    query = query_from_request()
    rows = kpi_rows(compute_stats(get_db(), query))
    return csv_response(to_csv(KPI_COLUMNS, rows), f"kpis-{query_label(query)}")


def query_label(query: StatsFilter) -> str:
    return f"{query.day_from}-to-{query.day_to}"


def csv_response(text: str, name: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
