"""The build step that turns a checkout into an installable store: metadata is in pyproject.toml.

A wheel must carry what a checkout makes at setup time: the front-end files under static/ (with
the npm libraries that `npm ci` copied into static/vendor) and the compiled .mo catalogs.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from server.i18n_compile import compile_catalogs  # noqa: E402  (Babel only, no Flask)

# The npm libraries static/copy-vendor.mjs copies in; a wheel without them has broken pages.
VENDOR_FILES = ("socket.io.min.js", "chart.umd.js")


class BuildWithAssets(build_py):
    """Copy static/ into server/static and compile every translations/*.po next to itself."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # a checkout serves its own static/ and compiles catalogs itself
            return
        vendor = HERE / "static" / "vendor"
        missing = [name for name in VENDOR_FILES if not (vendor / name).is_file()]
        if missing:
            raise SystemExit(
                f"static/vendor lacks {', '.join(missing)}: run `npm ci` first (./dev build does)"
            )
        target = Path(self.build_lib) / "server" / "static"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(HERE / "static", target, ignore=shutil.ignore_patterns("*.mjs"))
        compile_catalogs(Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithAssets})
