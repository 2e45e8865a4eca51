"""Names that staff type once per language (services), read back in a reader's language."""

from __future__ import annotations

import json


def service_name(service: dict, language: str | None) -> str:
    """The service's name in `language`, else its main name; `names` as stored (JSON) or parsed."""
    names = service.get("names") or {}
    names = json.loads(names) if isinstance(names, str) else names
    return names.get(language or "") or service["name"]
