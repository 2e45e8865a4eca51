"""What every API view does: read JSON, check who asks, publish what the engine changed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request

from server.auth.principal import Principal, current_principal
from server.domain.errors import BadRequest, NotAllowed, NotAuthenticated


def json_body() -> dict[str, Any]:
    """The request's JSON object; an empty body counts as {}."""
    if not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", "body")
    return body


def require(*needs: str) -> Callable:
    """Refuse the view unless the caller meets one of `needs` (a role or a device kind)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check(current_principal(), needs)
            return view(*args, **kwargs)

        return guarded

    return decorate


def check(principal: Principal, needs: tuple[str, ...]) -> None:
    if principal.kind == "anonymous":
        raise NotAuthenticated("Sign in or send a valid token.")
    if not principal.allows(*needs):
        raise NotAllowed("This needs one of: %(roles)s.", roles=", ".join(needs))
