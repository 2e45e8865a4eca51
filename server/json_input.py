"""JSON request bodies nested too deeply are bad input (400), not a RecursionError (500)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with nesting past Python's recursion limit reported as invalid JSON.

    Flask's `get_json` turns a ValueError into a 400 (or None when silent), so every reader of a
    body, the rate limiter's included, refuses `[[[[…]]]]` alike.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None
