"""Compile every part's .po catalogs to .mo (run by `./dev setup`); .mo files are not committed."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from server.i18n import CATALOG_DIRECTORIES


def compile_catalogs() -> list[Path]:
    compiled = []
    for directory in CATALOG_DIRECTORIES:
        for po_path in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
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
