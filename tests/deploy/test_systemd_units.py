"""deploy/systemd's units pass `systemd-analyze verify`, pointed at this machine's `sira`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import ROOT

UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/sira/venv/bin/sira"


@pytest.fixture
def units(tmp_path) -> Path:
    """The units as a store installs them, with ExecStart on the sira of this environment."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("no systemd-analyze here: apt-get install systemd")
    here = Path(sys.executable).parent / "sira"
    assert here.exists(), f"{here}: `./dev setup` installs the sira command"
    for unit in UNITS.glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(here)))
    return tmp_path


@pytest.mark.parametrize("unit", ["sira@5000.service", "sira-kiosk-agent.service"])
def test_unit_verifies(units, unit):
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(units / unit)],
        capture_output=True,
        text=True,
        cwd=units,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def test_a_broken_unit_is_caught(units):
    """The control: verify does refuse a unit with a bad setting."""
    broken = (units / "sira@.service").read_text().replace("ExecStart=/", "ExecStart=")
    (units / "broken@.service").write_text(broken)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(units / "broken@5000.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 or result.stderr
