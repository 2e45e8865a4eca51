"""Fuzz the JSON API from its OpenAPI description (server/api/openapi.yaml) with Schemathesis.

A bounded number of generated requests per operation, valid and invalid, against a real server:
no 500s, documented status codes and content types, and bodies that match the described schemas.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import bearer

SPEC_PATH = Path(__file__).resolve().parents[2] / "server" / "api" / "openapi.yaml"
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES = 15  # per operation and mode: enough to find crashes, short enough for CI
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_served_description_is_the_one_in_the_repository(shared_server):
    served = requests.get(f"{shared_server.url}/api/v1/openapi.json", timeout=5).json()
    assert served == SPEC


def test_every_api_route_is_described(app):
    described = {
        (method.upper(), "/api/v1" + path)
        for path, item in SPEC["paths"].items()
        for method in item
    }
    missing = sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (method, re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule.rule)) not in described
    )
    assert not missing, f"describe these routes in server/api/openapi.yaml: {missing}"


def takes_input(operation) -> bool:
    """Only an operation with parameters or a body can be sent invalid input."""
    described = SPEC["paths"][operation.path][operation.method.lower()]
    return bool(described.get("parameters") or described.get("requestBody"))


CASES = [
    pytest.param(operation, mode, id=f"{operation.label} {mode.value}")
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or takes_input(operation)
]


@pytest.mark.slow
@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_api_answers_conform(shared_server, operation, mode):
    base_url = f"{shared_server.url}/api/v1"
    headers = bearer(shared_server.store.admin_token)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        if "Authorization" not in (case.headers or {}):
            case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=10)

    fuzz()
