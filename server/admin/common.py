"""What every admin page shares: only admins get in, forms re-shown with a message per field."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server.admin import bp
from server.audit import Actor
from server.auth.principal import current_principal
from server.domain.errors import DomainError, NotAllowed
from server.domain.store_rules import InvalidFields
from server.i18n import translated


@bp.before_request
def admins_only() -> Response | None:
    """Signed-out visitors go to the sign-in page; signed-in non-admins are refused."""
    principal = current_principal()
    if principal.kind == "anonymous":
        return redirect(url_for_login())
    if not (principal.kind == "user" and principal.allows("admin")):
        raise NotAllowed("Only administrators may open the administration pages.")
    return None


def url_for_login() -> str:
    return f"/login?next={request.full_path.rstrip('?')}"


def actor() -> Actor:
    principal = current_principal()
    return Actor(
        user_id=principal.user_id, device_id=principal.device_id, address=request.remote_addr
    )


def field_errors(error: DomainError) -> dict[str, str]:
    if isinstance(error, InvalidFields):
        return {field: translated(each) for field, each in error.errors.items()}
    return {error.field or "form": translated(error)}


def form_page(template: str, error: DomainError | None = None, **context: Any):
    """A form, with the refused values kept and each field's message beside it (422)."""
    errors = field_errors(error) if error else {}
    status = 422 if error else 200
    return render_template(template, errors=errors, form=request.form, **context), status


def back_to(endpoint: str, **values: Any) -> Response:
    """After a successful POST: redirect, so a reload does not submit again."""
    return redirect(url_for(endpoint, **values), code=303)


def checked(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true")


def number(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 18 else None
