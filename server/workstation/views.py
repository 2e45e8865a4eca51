"""Sign in, sign out, and the counter workstation page."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from server.api.branches import branch_in_scope
from server.api.staffing import leave_counters
from server.auth import end_session, login_manager, start_session
from server.auth.accounts import sign_in
from server.db import get_db, get_reads
from server.labels import PAUSE_REASON_LABELS
from server.security import slow_down_guessing
from server.workstation import bp


class LoginForm(FlaskForm):
    """Username and password; FlaskForm adds and checks the CSRF token."""

    username = StringField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


@bp.record_once
def use_this_sign_in_page(_state) -> None:
    """Pages marked @login_required send people to this form (with ?next=)."""
    login_manager.login_view = "workstation.login"


def safe_next(default: str) -> str:
    """Where to go after signing in: only a path on this site, never another one.

    Browsers drop tabs and line breaks from a Location, so `/\t/evil` would become `//evil`
    (another site): any control character or space, like a backslash, refuses the target.
    """
    target = request.args.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and not any(ch.isspace() or ch == "\\" for ch in target)
    ):
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The staff sign-in form; other pages send people here with ?next=."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        slow_down_guessing(get_db(), form.username.data)
        row = sign_in(get_db(), form.username.data, form.password.data, request.remote_addr)
        if row is not None:
            start_session(row)
            return redirect(safe_next(url_for("workstation.counter")))
        error = gettext("Wrong username or password.")
    elif request.method == "POST" and form.csrf_token.errors:
        error = gettext("This form had expired. Please sign in again.")
    elif request.method == "POST":
        error = gettext("Please enter your username and password.")
    status = 401 if error else 200
    return render_template("workstation/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    """Signing out closes the counter this person was at."""
    if current_user.is_authenticated:
        leave_counters(current_user.id)
    end_session()
    return redirect(url_for("workstation.login"))


@bp.get("/counter")
def counter():
    """The workstation. Which counter this device is at is remembered by the page itself."""
    if not current_user.is_authenticated:
        return redirect(url_for("workstation.login", next=request.full_path.rstrip("?")))
    reads = get_reads()
    branch_id = branch_in_scope()
    return render_template(
        "workstation/counter.html",
        branch_id=branch_id,
        timezone=reads.branch(branch_id)["timezone"],
        counters=reads.counters(branch_id),
        services=reads.services(branch_id),
        labels=labels(),
        pause_reasons=PAUSE_REASON_LABELS,
    )


def labels() -> dict[str, object]:
    """Words the workstation's script fills in; `{x}` stands for a value."""
    return {
        "why_paused": gettext("The counter is paused."),
        "why_busy": gettext("Finish, park or transfer {code} first."),
        "why_nobody": gettext("Nobody is waiting."),
        "why_no_ticket": gettext("No ticket in hand."),
        "why_serving": gettext("{code} is already being served."),
        "why_not_started": gettext("Start serving {code} first."),
        "why_working": gettext("Working…"),
        "status_called": gettext("Called"),
        "status_serving": gettext("Being served"),
        "waited": gettext("Waited {time}"),
        "at_counter": gettext("At the counter for {time}"),
        "recalled": gettext("Recalled {n}×"),
        "recall_n": gettext("Recall ({n})"),
        "waiting_count": gettext("{n} waiting"),
        "target": gettext("target {time}"),
        "transferred": gettext("Transferred"),
        "note": gettext("Note from {who}: {note}"),
        "priority": gettext("Priority"),
        "priority_elderly": gettext("Priority: elderly customer"),
        "priority_disability": gettext("Priority: disability (you may need to go to the customer)"),
        "priority_pregnancy": gettext("Priority: pregnant customer"),
        "undo_finished": gettext("{code} finished."),
        "undo_no_show": gettext("{code} marked as no-show."),
        "undo_left": gettext("Undo within {n} s"),
        "someone_joined": gettext("{service}: someone is waiting"),
        "call_this": gettext("Call"),
        "nobody_waiting": gettext("Nobody is waiting."),
        "paused_since": gettext("Paused since {time}: {reason}"),
        "counter_closed": gettext(
            "This counter is closed: nobody is signed in at it, so customers are not sent here."
        ),
        "counter_taken": gettext("{name} is signed in at this counter now."),
        "open_counter": gettext("Open this counter"),
        "pause": gettext("Pause"),
        "resume": gettext("Resume"),
        "served_today": gettext("{n} served today"),
        "avg_service": gettext("average {time}"),
        "nobody_to_call": gettext("Nobody is waiting right now."),
        "kind_issued": gettext("Ticket taken"),
        "kind_called": gettext("Called"),
        "kind_recalled": gettext("Recalled"),
        "kind_started": gettext("Service started"),
        "kind_finished": gettext("Finished"),
        "kind_no_show": gettext("No-show"),
        "kind_parked": gettext("Parked"),
        "kind_transferred": gettext("Transferred"),
        "kind_cancelled": gettext("Cancelled"),
        "kind_finish_undone": gettext("Finish undone"),
        "kind_no_show_undone": gettext("No-show undone"),
        "out_of_turn": gettext("out of turn"),
        "pause_reasons": {code: str(label) for code, label in PAUSE_REASON_LABELS.items()},
        "phone": gettext("Phone"),
        "more_time": gettext("More time {n}×"),
        "kind_more_time": gettext("Asked for more time"),
        "kind_left": gettext("Left the queue"),
        "on_my_way": gettext("On the way"),
        "kind_on_my_way": gettext("Said they are on the way"),
    }
