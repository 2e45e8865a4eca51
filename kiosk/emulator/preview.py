"""Draw a decoded ticket as a PNG, the way a thermal printer would put it on paper."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from kiosk.emulator.decoder import Block, DecodedTicket

FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
)
LINE_DOTS = 24  # Font A is 12 × 24 dots
MARGIN = 16


@cache
def font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans Mono where installed (it has every Turkish letter), else Pillow's own."""
    path = Path(FONT_FILES[1] if bold else FONT_FILES[0])
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def draw_block(block: Block, width: int) -> Image.Image:
    style = block.style
    if block.kind == "qr":
        code = qrcode.QRCode(border=1, box_size=4)
        code.add_data(block.text)
        picture = code.make_image().get_image().convert("L")
    elif block.kind == "image":
        image_width, image_height = block.image_size or (0, 0)
        picture = Image.frombytes("1", (image_width, image_height), block.image_bits)
        picture = Image.eval(picture.convert("L"), lambda value: 255 - value)
    else:
        height = LINE_DOTS * style.height
        face = font(style.bold, 20)
        text_width = max(1, int(face.getlength(block.text)) + 1)
        line = Image.new("L", (text_width, LINE_DOTS), 255)
        ImageDraw.Draw(line).text((0, 1), block.text, font=face, fill=0)
        picture = line.resize((max(1, text_width * style.width), height))
    if picture.width > width:
        picture = picture.resize((width, max(1, picture.height * width // picture.width)))
    row = Image.new("L", (width, picture.height), 255)
    offset = {"left": 0, "center": (width - picture.width) // 2, "right": width - picture.width}
    row.paste(picture, (offset[style.align], 0))
    return row


def render_png(ticket: DecodedTicket, path: Path, paper_dots: int = 576) -> None:
    """The ticket as a grey-scale PNG, paper width in printer dots, with a margin around it."""
    rows = [draw_block(block, paper_dots) for block in ticket.blocks]
    height = sum(row.height for row in rows) + 2 * MARGIN
    paper = Image.new("L", (paper_dots + 2 * MARGIN, height), 255)
    top = MARGIN
    for row in rows:
        paper.paste(row, (MARGIN, top))
        top += row.height
    paper.save(path)
