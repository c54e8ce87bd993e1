"""Pillow drawings of the kit: the 900 × 383 share cover and the 1920 × 1080 TV lower third."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.media.palette import COLOURS, FontInfo, pil_font, rgb
from pipeline.media.text import fit_name

COVER_SIZE = (900, 383)
"""WeChat article cover (2.35 : 1)."""
FRAME_SIZE = (1920, 1080)
"""HD video frame."""


def _png(image: Image.Image) -> bytes:
    """A Pillow image → PNG bytes without metadata (stable)."""
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def _fit_font(fonts: FontInfo, role: str, text: str, size: int, max_width: int, min_size: int = 12) -> ImageFont.FreeTypeFont:
    """The role's font at `size`, made smaller until `text` is at most max_width pixels wide."""
    file, index = fonts.files[role]
    while True:
        font = pil_font(file, index, size)
        if font.getlength(text) <= max_width or size <= min_size:
            return font
        size = max(min_size, int(size * 0.92))


def _fit_text(fonts: FontInfo, role: str, text: str, size: int, max_width: int,
              min_size: int = 12) -> tuple[ImageFont.FreeTypeFont, str]:
    """(font, text) that fit max_width: smaller type first, then the text cut with '…' as a last resort."""
    font = _fit_font(fonts, role, text, size, max_width, min_size)
    while len(text) > 1 and font.getlength(text) > max_width:
        text = text[:-2] + "…"
    return font, text


def _fit_name(fonts: FontInfo, role: str, name: str, size: int, max_width: int, floor: int, smallest: int,
              max_lines: int) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...]]:
    """(font, lines) of a name in max_width pixels: one line down to `floor`, then wrapped between its
    words (text.fit_name) down to `smallest`; a name is never cut."""
    file, index = fonts.files[role]
    faces: dict[int, ImageFont.FreeTypeFont] = {}

    def face(px: float) -> ImageFont.FreeTypeFont:
        """The role's font at px pixels (loaded once)."""
        if int(px) not in faces:
            faces[int(px)] = pil_font(file, index, int(px))
        return faces[int(px)]

    sizes = list(range(size, smallest - 1, -2))
    fit = fit_name(name, max_width, sizes, floor, lambda text, px: face(px).getlength(text), max_lines)
    return face(fit.size), fit.lines


def _text_width(font: ImageFont.FreeTypeFont, text: str) -> int:
    """Font and text → advance width in pixels."""
    return int(round(font.getlength(text)))


CENTRE = ((COVER_SIZE[0] - COVER_SIZE[1]) // 2, 0, (COVER_SIZE[0] + COVER_SIZE[1]) // 2, COVER_SIZE[1])
"""The centre square (383 × 383) a WeChat chat share crops the cover to: every word goes inside it."""
CENTRE_MARGIN = 22
"""Room kept between the words and the edges of the centre square."""


def _ground() -> Image.Image:
    """The red cover ground with fine gold diagonals."""
    w, h = COVER_SIZE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    top = np.array(rgb(COLOURS["red"])[:3], np.float32)
    deep = np.array(rgb(COLOURS["deep"])[:3], np.float32)
    t = np.clip((xx / w) * 0.7 + (yy / h) * 0.3, 0, 1)[:, :, None]
    ground = top * (1 - t) + deep * t
    stripes = ((xx + yy) % 46 < 2)[:, :, None]
    ground = np.where(stripes, ground * 0.93 + np.array([216, 162, 58], np.float32) * 0.07, ground)
    return Image.fromarray(np.clip(ground + 0.5, 0, 255).astype(np.uint8), "RGB").convert("RGBA")


def _framed(image: Image.Image, photo: Path, box: tuple[int, int, int, int]) -> None:
    """Paste the photo scaled into box (left, top, width, height) inside a gold frame."""
    x, y, w, h = box
    with Image.open(photo) as im:
        pic = im.convert("RGB").resize((w, h), Image.Resampling.LANCZOS)
    ImageDraw.Draw(image).rectangle((x - 4, y - 4, x + w + 3, y + h + 3), fill=rgb(COLOURS["gold"]))
    image.paste(pic, (x, y))


def _centred_lines(image: Image.Image, lines: list[tuple[ImageFont.FreeTypeFont, str, tuple[int, int, int, int], int]],
                   tag: tuple[ImageFont.FreeTypeFont, str] | None) -> tuple[int, int, int, int]:
    """Draw lines (font, text, colour, space after) centred in the centre square; → their ink box."""
    draw = ImageDraw.Draw(image)
    cx = (CENTRE[0] + CENTRE[2]) / 2
    heights = [f.getbbox(t, anchor="ls") for f, t, _, _ in lines]
    total = sum(b[3] - b[1] + after for b, (_, _, _, after) in zip(heights, lines, strict=True))
    if tag:
        tb = tag[0].getbbox(tag[1], anchor="ls")
        total += tb[3] - tb[1] + 20
    y = (COVER_SIZE[1] - total) / 2
    for (font, text, colour, after), b in zip(lines, heights, strict=True):
        draw.text((cx, y - b[1]), text, font=font, fill=colour, anchor="ms")
        y += b[3] - b[1] + after
    if tag:
        font, text = tag
        tb = font.getbbox(text, anchor="ls")
        tw = tb[2] - tb[0]
        draw.rectangle((cx - tw / 2 - 12, y, cx + tw / 2 + 12, y + tb[3] - tb[1] + 20), fill=rgb(COLOURS["gold"]))
        draw.text((cx, y + 10 - tb[1]), text, font=font, fill=rgb(COLOURS["deep"]), anchor="ms")
    box = image.getchannel("A").getbbox()
    return box or (0, 0, 0, 0)


def cover_name(name: str, fonts: FontInfo) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...]]:
    """The name on a share cover → (font, lines): one line inside the centre square from 96 px down
    to 56 px, then up to three lines broken between words; never cut."""
    room = CENTRE[2] - CENTRE[0] - 2 * CENTRE_MARGIN
    return _fit_name(fonts, "title", name, 96, room, 56, 24, 3)


def cover_image(photo: Path, name: str, honour: str, status: str, fonts: FontInfo) -> bytes:
    """Share cover (900 × 383 PNG): the words centred in the chat-share square, the photo to its right."""
    image = _ground()
    w, h = COVER_SIZE
    ph = h - 84
    with Image.open(photo) as im:
        pw = round(ph * im.width / im.height)
    _framed(image, photo, (CENTRE[2] + (w - CENTRE[2] - pw) // 2, 42, pw, ph))
    room = CENTRE[2] - CENTRE[0] - 2 * CENTRE_MARGIN
    gold, white = rgb(COLOURS["gold"]), rgb(COLOURS["white"])
    layer = Image.new("RGBA", COVER_SIZE, (0, 0, 0, 0))
    lines = [(_fit_font(fonts, "hei", "兴安技术能手风采", 30, room), "兴安技术能手风采", gold, 26)]
    big, shown = cover_name(name, fonts)
    lines += [(big, line, white, 28 if i == len(shown) - 1 else 10) for i, line in enumerate(shown)]
    lines.append((_fit_font(fonts, "hei", honour, 30, room), honour, white, 22))
    tag = (_fit_font(fonts, "hei", status, 26, room), status) if status else None
    _centred_lines(layer, lines, tag)
    return _png(Image.alpha_composite(image, layer).convert("RGB"))


@dataclass(frozen=True)
class Caption:
    """A finished lower third."""

    png: bytes
    """1920 × 1080 RGBA PNG."""
    box: tuple[int, int, int, int]
    """Bounding box of everything drawn (left, top, right, bottom)."""
    safe: tuple[int, int, int, int]
    """The title-safe area it was kept inside."""
    plate: tuple[int, int, int, int] = (0, 0, 0, 0)
    """The plate the words stand on (left, top, right, bottom), gold bar included."""
    text: tuple[int, int, int, int] = (0, 0, 0, 0)
    """Ink box of the words."""
    name_font: str = ""
    """File of the face the name is set in (the bold 黑体)."""
    name_lines: tuple[str, ...] = ()
    """The name as set, line by line (a long name wraps between its words, never cut)."""


def title_safe(percent: float) -> tuple[int, int, int, int]:
    """Title-safe rectangle of the HD frame with `percent` margin on each side."""
    w, h = FRAME_SIZE
    mx, my = round(w * percent / 100), round(h * percent / 100)
    return mx, my, w - mx, h - my


BAR = 18
"""Width of the gold bar at the plate's left edge (px)."""
PAD = 44
"""Padding between the plate's edges (the bar's inner edge on the left) and the words (px), all four sides."""


def lower_third(name: str, unit: str, honour: str, fonts: FontInfo, safe_percent: float) -> Caption:
    """TV lower third: the name in bold, unit and honour below, on a translucent plate with even padding."""
    safe = title_safe(safe_percent)
    sx0, sy0, sx1, sy1 = safe
    max_text = (sx1 - sx0) - BAR - 2 * PAD
    bold_file, _ = fonts.files["hei_bold"]
    name_font, name_lines = _fit_name(fonts, "hei_bold", name, 86, max_text, 56, 40, 2)
    unit_font, unit = _fit_text(fonts, "hei", unit, 40, max_text, 24)
    honour_font, honour = _fit_text(fonts, "hei", honour, 38, max_text, 24)
    stroke = 2 if fonts.faux_bold else 0
    rows = [(line, name_font, rgb(COLOURS["white"]), stroke, 30 if i == len(name_lines) - 1 else 12)
            for i, line in enumerate(name_lines)]
    rows += [(unit, unit_font, rgb(COLOURS["white"]), 0, 18), (honour, honour_font, rgb(COLOURS["gold"]), 0, 0)]
    boxes = [tuple(round(v) for v in f.getbbox(t, anchor="ls", stroke_width=sw)) for t, f, _, sw, _ in rows]
    text_w = max(b[2] - min(b[0], 0) for b in boxes)
    text_h = sum(b[3] - b[1] + gap for b, (_, _, _, _, gap) in zip(boxes, rows, strict=True))
    plate_w = min(sx1 - sx0, BAR + 2 * PAD + text_w)
    plate_h = text_h + 2 * PAD
    x0, y1 = sx0, sy1
    y0 = y1 - plate_h
    layer = Image.new("RGBA", FRAME_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((x0, y0, x0 + plate_w - 1, y1 - 1), fill=rgb(COLOURS["deep"], 215))
    draw.rectangle((x0, y0, x0 + BAR - 1, y1 - 1), fill=rgb(COLOURS["gold"]))
    text = Image.new("RGBA", FRAME_SIZE, (0, 0, 0, 0))
    tdraw = ImageDraw.Draw(text)
    tx = x0 + BAR + PAD
    y = y0 + PAD
    for row, ((words, font, colour, sw, gap), b) in enumerate(zip(rows, boxes, strict=True)):
        tdraw.text((tx - min(b[0], 0), y - b[1]), words, font=font, fill=colour, anchor="ls",
                   stroke_width=sw, stroke_fill=colour)
        y += b[3] - b[1]
        if row == len(name_lines) - 1:  # a gold rule under the name
            draw.rectangle((tx, y + gap // 2 - 1, x0 + plate_w - PAD, y + gap // 2), fill=rgb(COLOURS["gold"], 230))
        y += gap
    ink = text.getchannel("A").getbbox() or (0, 0, 0, 0)
    image = Image.alpha_composite(layer, text)
    box = image.getchannel("A").getbbox() or (0, 0, 0, 0)
    return Caption(_png(image), box, safe, (x0, y0, x0 + plate_w, y1), ink, str(bold_file), name_lines)


def series_cover(photos: list[Path], title: str, honour: str, status: str, fonts: FontInfo) -> bytes:
    """Index cover (900 × 383 PNG): the series title in the centre square, up to four photos beside it."""
    image = _ground()
    w, h = COVER_SIZE
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, h - 14, w, h), fill=rgb(COLOURS["gold"]))
    shown = photos[:4]
    left, right = shown[0::2], shown[1::2]
    for side, group in ((0, left), (1, right)):
        if not group:
            continue
        span = (0, CENTRE[0]) if side == 0 else (CENTRE[2], w)
        ph = 156 if len(group) > 1 else 236
        with Image.open(group[0]) as im:
            pw = round(ph * im.width / im.height)
        gap = 14
        total = len(group) * pw + (len(group) - 1) * gap
        x = span[0] + (span[1] - span[0] - total) // 2
        for photo in group:
            _framed(image, photo, (x, (h - 14 - ph) // 2, pw, ph))
            x += pw + gap
    room = CENTRE[2] - CENTRE[0] - 2 * CENTRE_MARGIN
    gold, white = rgb(COLOURS["gold"]), rgb(COLOURS["white"])
    layer = Image.new("RGBA", COVER_SIZE, (0, 0, 0, 0))
    half = (len(title) + 1) // 2
    heads = [title[:half], title[half:]] if len(title) > 5 else [title]
    size = min(_fit_font(fonts, "title", t, 84, room, 24).size for t in heads)
    file, index = fonts.files["title"]
    big = pil_font(file, index, int(size))
    lines = [(big, t, white, 14) for t in heads]
    lines[-1] = (big, heads[-1], white, 24)
    lines.append((_fit_font(fonts, "hei", honour, 28, room), honour, gold, 18))
    tag = (_fit_font(fonts, "hei", status, 24, room), status) if status else None
    _centred_lines(layer, lines, tag)
    return _png(Image.alpha_composite(image, layer).convert("RGB"))


def cover_words_box(png: bytes, background: bytes) -> tuple[int, int, int, int]:
    """Two renderings of a cover, with and without words → the box of the pixels the words changed."""
    from PIL import ImageChops

    with Image.open(io.BytesIO(png)) as a, Image.open(io.BytesIO(background)) as b:
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L").point(lambda v: 255 if v > 24 else 0)
    return diff.getbbox() or (0, 0, 0, 0)
