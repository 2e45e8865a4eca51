"""The join poster as a PNG: an A4 page (150 dpi) with the store's name, the join QR code,
the address under it, and short instructions in each of the branch's languages.

Pure drawing with Pillow, no Flask: the caller gathers the words (in their languages) and
runs this off the gevent hub (server/offload.py).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

A4_PIXELS = (1240, 1754)  # 210 × 297 mm at 150 dpi
MARGIN = 90
QR_SIZE = 620
FONT_FILES = {
    False: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
INK = (17, 17, 17)
MUTED = (85, 85, 85)


@cache
def font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where installed (every Turkish and Malay letter), else Pillow's own."""
    path = FONT_FILES[bold]
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def wrap(text: str, face: ImageFont.ImageFont, width: int) -> list[str]:
    """Words laid into lines no wider than `width` pixels."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def qr_image(url: str) -> Image.Image:
    code = qrcode.QRCode(border=2, box_size=10, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    return code.make_image().get_image().convert("RGB").resize((QR_SIZE, QR_SIZE), Image.NEAREST)


def render_poster(
    store_name: str, branch_name: str, url: str, texts: list[dict[str, str]]
) -> bytes:
    """The poster's PNG; `texts` holds each language's heading and steps (poster_texts)."""
    page = Image.new("RGB", A4_PIXELS, "white")
    draw = ImageDraw.Draw(page)
    width = A4_PIXELS[0] - 2 * MARGIN
    y = MARGIN

    def centred(line: str, face: ImageFont.ImageFont, colour: tuple, gap: int) -> None:
        nonlocal y
        draw.text(((A4_PIXELS[0] - face.getlength(line)) / 2, y), line, font=face, fill=colour)
        y += face.size + gap

    for line in wrap(store_name, font(True, 72), width):
        centred(line, font(True, 72), INK, 12)
    for line in wrap(branch_name, font(False, 44), width):
        centred(line, font(False, 44), MUTED, 10)
    y += 20
    first, *others = texts
    for line in wrap(first["heading"], font(True, 48), width):
        centred(line, font(True, 48), INK, 8)
    y += 20
    page.paste(qr_image(url), ((A4_PIXELS[0] - QR_SIZE) // 2, y))
    y += QR_SIZE + 10
    centred(url, font(False, 30), MUTED, 30)
    for number, step in enumerate((first["scan"], first["choose"], first["wait"]), start=1):
        for line in wrap(f"{number}. {step}", font(False, 34), width):
            centred(line, font(False, 34), INK, 6)
    y += 24
    for other in others:
        for line in wrap(other["heading"], font(True, 30), width):
            centred(line, font(True, 30), INK, 4)
        steps = " ".join((other["scan"], other["choose"], other["wait"]))
        for line in wrap(steps, font(False, 26), width):
            centred(line, font(False, 26), MUTED, 4)
        y += 18
    out = io.BytesIO()
    page.save(out, format="PNG", optimize=True)
    return out.getvalue()
