"""Dashboard pages: each parses the request, asks server.stats, and renders or exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from babel.dates import get_day_names
from flask import Response, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext

from server import store
from server.api.branches import branch_in_scope
from server.auth.principal import current_principal
from server.dashboard import bp
from server.dashboard.drill import figure, tickets_behind
from server.dashboard.format import duration, heat_levels
from server.db import get_db, get_reads, read_off_the_loop
from server.domain.errors import NotAllowed
from server.domain.validation import integer
from server.labels import local_service_name
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


def chosen_branch() -> int:
    """The branch a manager looks at: ?branch_id= (remembered for the next pages), else the one
    chosen before, else the store's own. Managers and admins may look at every branch."""
    reads = get_reads()
    asked = request.args.get("branch_id")
    if asked:
        branch_id = reads.branch(integer(asked, "branch_id"))["id"]
        session["manager_branch"] = branch_id
    else:
        remembered = session.get("manager_branch")
        known = remembered and reads.row("SELECT 1 FROM branches WHERE id = ?", [remembered])
        branch_id = remembered if known else branch_in_scope()
    g.branch_id = branch_id
    return branch_id


@bp.context_processor
def branch_choice() -> dict:
    """The branches a manager may switch between (the picker shows when there are several)."""
    if current_principal().kind != "user" or "branch_id" not in g:
        return {}
    active = [branch for branch in store.rows(get_db(), "branch") if branch["active"]]
    return {"branches": active, "branch_id": g.branch_id}


def service_names(branch_id: int) -> dict[int, str]:
    """Every service of the branch (closed ones too: history has them) in the page's language."""
    rows = get_db().execute("SELECT id, name, names FROM services WHERE branch_id = ?", [branch_id])
    return {row["id"]: local_service_name(dict(row)) for row in rows}


def query_from_request() -> StatsFilter:
    branch_id = chosen_branch()
    today = date.fromisoformat(get_reads().today(branch_id))
    return StatsFilter.from_args(request.args, branch_id, today)


@bp.get("")
@manager_required
def live():
    branch_id = chosen_branch()
    return render_template("dashboard/live.html", live=live_state(get_reads(), branch_id))


@bp.get("/live/panel")
@manager_required
def live_panel():
    """The live panel alone, redrawn by the page when the branch room reports a change."""
    return render_template(
        "dashboard/_live_panel.html", live=live_state(get_reads(), chosen_branch())
    )


@bp.get("/history")
@manager_required
def history():
    query = query_from_request()
    stats = read_off_the_loop(lambda db: compute_stats(db, query))
    day_names = get_day_names("abbreviated", locale=get_locale())
    # Today is not over: drawn with the other days it would plot as a steep drop.
    today = get_reads().today(query.branch_id)
    return render_template(
        "dashboard/history.html",
        stats=stats,
        trend=[day for day in stats["daily"] if day["day"] != today],
        today=next((day for day in stats["daily"] if day["day"] == today), None),
        query=query,
        choices=filter_choices(get_db(), query.branch_id),
        heatmap=heat_levels(stats["arrivals_heatmap"]),
        service_names=service_names(query.branch_id),
        estimates=read_off_the_loop(lambda db: estimate_accuracy(db, query)),
        weekdays=[day_names[n] for n in range(7)],
        by_channel=[
            {**row, "name": channel_names()[row["channel"]]} for row in stats["by_channel"]
        ],
    )


def channel_names() -> dict[str, str]:
    """Where tickets came from, in the manager's language."""
    return {"kiosk": gettext("Kiosk"), "phone": gettext("Phone"), "staff": gettext("Staff")}


@bp.get("/tickets")
@manager_required
def tickets():
    """The tickets behind a figure of the history page (a KPI tile or a table row)."""
    query = query_from_request()
    shown = figure(request.args.get("figure"))
    rows, total = read_off_the_loop(lambda db: tickets_behind(db, query, shown))
    return render_template(
        "dashboard/tickets.html",
        rows=rows,
        total=total,
        figure=shown,
        query=query,
        choices=filter_choices(get_db(), query.branch_id),
        service_names=service_names(query.branch_id),
    )


@bp.get("/branches")
@manager_required
def branches():
    """The branches side by side over one range: how many, how fast, how well rated."""
    query = query_from_request()
    active = [branch for branch in store.rows(get_db(), "branch") if branch["active"]]
    rows = read_off_the_loop(
        lambda db: [
            {"branch": branch, "stats": compute_stats(db, replace(query, branch_id=branch["id"]))}
            for branch in active
        ]
    )
    return render_template("dashboard/branches.html", rows=rows, query=query)


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
        service_names=service_names(query.branch_id),
    )


# The list's own query, kept across a follow-up; never url_for's (endpoint, _external, …).
FOLLOW_UP_ARGS = ("from", "to", "service_id", "counter_id", "user_id", "show")


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
    kept = {key: request.args[key] for key in FOLLOW_UP_ARGS if key in request.args}
    return redirect(url_for("dashboard.follow_ups", **kept))


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
    rows = kpi_rows(read_off_the_loop(lambda db: compute_stats(db, query)))
    return csv_response(to_csv(KPI_COLUMNS, rows), f"kpis-{query_label(query)}")


def query_label(query: StatsFilter) -> str:
    return f"{query.day_from}-to-{query.day_to}"


def csv_response(text: str, name: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
