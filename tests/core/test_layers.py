"""One way out of a commit: the API does not reach into the kiosk (its printing subscribes to
committed changes), and the realtime layer and the engine import neither the kiosk nor the
display package (the board's words come through an app extension)."""

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


@pytest.mark.parametrize(
    ("layer", "kept_out"),
    [
        ("server/api", {"kiosk"}),
        ("server/realtime", {"kiosk", "display"}),
        ("server/engine", {"kiosk", "display"}),
    ],
)
def test_layer_does_not_reach_into_the_packages_that_subscribe(layer, kept_out):
    for path in sorted((ROOT / layer).glob("*.py")):
        assert not imported_packages(path) & kept_out, path
