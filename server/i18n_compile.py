"""Compile every part's .po catalogs to .mo (run by `./dev setup` and by the wheel's build).

It needs only Babel, so that setup.py can run it in an isolated build; .mo files are not committed.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("server", "kiosk", "display")


def compile_catalogs(root: Path = ROOT) -> list[Path]:
    """Write each part's messages.mo beside its .po, under root (a checkout or a build folder)."""
    compiled = []
    for part in PARTS:
        for po_path in sorted((root / part).glob("**/translations/*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            compiled.append(mo_path)
    return compiled


if __name__ == "__main__":
    for path in compile_catalogs():
        print(f"compiled {path}")
