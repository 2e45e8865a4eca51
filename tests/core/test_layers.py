"""One way out of a commit: the API, the realtime layer and the engine import neither the kiosk
nor the display package; those subscribe to committed changes instead."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", ["server/api", "server/realtime", "server/engine"])
def test_layer_does_not_reach_into_kiosk_or_display(layer):
    for path in sorted((ROOT / layer).glob("*.py")):
        assert not imported_packages(path) & {"kiosk", "display"}, path
