"""Pillow drawings of the kit: the 900 × 383 share cover and the 1920 × 1080 TV lower third."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.media.palette import COLOURS, FontInfo, pil_font, rgb

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


def _text_width(font: ImageFont.FreeTypeFont, text: str) -> int:
    """Font and text → advance width in pixels."""
    return int(round(font.getlength(text)))


def cover_image(photo: Path, name: str, honour: str, status: str, fonts: FontInfo) -> bytes:
    """Share cover (900 × 383 PNG): red ground, the photo in a gold frame, name and honour beside it."""
    w, h = COVER_SIZE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    top = np.array(rgb(COLOURS["red"])[:3], np.float32)
    deep = np.array(rgb(COLOURS["deep"])[:3], np.float32)
    t = np.clip((xx / w) * 0.7 + (yy / h) * 0.3, 0, 1)[:, :, None]
    ground = top * (1 - t) + deep * t
    stripes = ((xx + yy) % 46 < 2)[:, :, None]
    ground = np.where(stripes, ground * 0.93 + np.array([216, 162, 58], np.float32) * 0.07, ground)
    image = Image.fromarray(np.clip(ground + 0.5, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    draw = ImageDraw.Draw(image)
    frame_h = h - 56
    with Image.open(photo) as im:
        pic = im.convert("RGB")
        frame_w = round(frame_h * pic.width / pic.height)
        pic = pic.resize((frame_w, frame_h), Image.Resampling.LANCZOS)
    px, py = w - frame_w - 56, 28
    draw.rectangle((px - 5, py - 5, px + frame_w + 4, py + frame_h + 4), fill=rgb(COLOURS["gold"]))
    image.paste(pic, (px, py))
    left, room = 56, px - 56 - 40
    gold, white = rgb(COLOURS["gold"]), rgb(COLOURS["white"])
    kicker = _fit_font(fonts, "hei", "兴安技术能手风采", 30, room)
    draw.text((left, 48), "兴安技术能手风采", font=kicker, fill=gold)
    draw.rectangle((left, 96, left + 64, 100), fill=gold)
    big, name = _fit_text(fonts, "title", name, 96, room, 24)
    draw.text((left, 118), name, font=big, fill=white)
    line = _fit_font(fonts, "hei", honour, 34, room)
    draw.text((left, 250), honour, font=line, fill=white)
    if status:
        tag = _fit_font(fonts, "hei", status, 28, room)
        tw = _text_width(tag, status)
        draw.rectangle((left, 304, left + tw + 24, 346), fill=gold)
        draw.text((left + 12, 309), status, font=tag, fill=rgb(COLOURS["deep"]))
    return _png(image.convert("RGB"))


@dataclass(frozen=True)
class Caption:
    """A finished lower third."""

    png: bytes
    """1920 × 1080 RGBA PNG."""
    box: tuple[int, int, int, int]
    """Bounding box of everything drawn (left, top, right, bottom)."""
    safe: tuple[int, int, int, int]
    """The title-safe area it was kept inside."""


def title_safe(percent: float) -> tuple[int, int, int, int]:
    """Title-safe rectangle of the HD frame with `percent` margin on each side."""
    w, h = FRAME_SIZE
    mx, my = round(w * percent / 100), round(h * percent / 100)
    return mx, my, w - mx, h - my


def lower_third(name: str, unit: str, honour: str, fonts: FontInfo, safe_percent: float) -> Caption:
    """TV lower third: name large, unit and honour below, on a translucent plate inside title-safe."""
    safe = title_safe(safe_percent)
    sx0, sy0, sx1, sy1 = safe
    max_text = (sx1 - sx0) - 36 - 56 - 48
    name_font, name = _fit_text(fonts, "hei", name, 86, max_text, 40)
    unit_font, unit = _fit_text(fonts, "hei", unit, 40, max_text, 24)
    honour_font, honour = _fit_text(fonts, "hei", honour, 38, max_text, 24)
    text_w = max(_text_width(name_font, name), _text_width(unit_font, unit), _text_width(honour_font, honour))
    plate_w = min(sx1 - sx0, 36 + 56 + text_w + 48)
    plate_h = 236
    x0, y1 = sx0, sy1
    y0 = y1 - plate_h
    layer = Image.new("RGBA", FRAME_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((x0, y0, x0 + plate_w - 1, y1 - 1), fill=rgb(COLOURS["deep"], 215))
    draw.rectangle((x0, y0, x0 + 18, y1 - 1), fill=rgb(COLOURS["gold"]))
    draw.rectangle((x0 + 36, y0 + 128, x0 + plate_w - 48, y0 + 130), fill=rgb(COLOURS["gold"], 230))
    text = Image.new("RGBA", FRAME_SIZE, (0, 0, 0, 0))
    tdraw = ImageDraw.Draw(text)
    tx = x0 + 36 + 20
    tdraw.text((tx, y0 + 112), name, font=name_font, fill=rgb(COLOURS["white"]), anchor="ls")
    tdraw.text((tx, y0 + 180), unit, font=unit_font, fill=rgb(COLOURS["white"]), anchor="ls")
    tdraw.text((tx, y0 + 222), honour, font=honour_font, fill=rgb(COLOURS["gold"]), anchor="ls")
    image = Image.alpha_composite(layer, text)
    box = image.getchannel("A").getbbox() or (0, 0, 0, 0)
    return Caption(_png(image), box, safe)


def series_cover(photos: list[Path], title: str, honour: str, status: str, fonts: FontInfo) -> bytes:
    """Index cover (900 × 383 PNG): the series title and up to four awardee photos."""
    w, h = COVER_SIZE
    image = Image.new("RGBA", COVER_SIZE, rgb(COLOURS["red"]))
    draw = ImageDraw.Draw(image)
    gold, white = rgb(COLOURS["gold"]), rgb(COLOURS["white"])
    draw.rectangle((0, h - 18, w, h), fill=gold)
    shown = photos[:4]
    thumb_h = 200
    x = w - 40
    for photo in reversed(shown):
        with Image.open(photo) as im:
            pic = im.convert("RGB")
            tw = round(thumb_h * pic.width / pic.height)
            pic = pic.resize((tw, thumb_h), Image.Resampling.LANCZOS)
        x -= tw
        draw.rectangle((x - 3, 92 - 3, x + tw + 2, 92 + thumb_h + 2), fill=gold)
        image.paste(pic, (x, 92))
        x -= 16
    room = (x if shown else w - 40) - 56
    big = _fit_font(fonts, "title", title, 72, room, 24)
    draw.text((56, 100), title, font=big, fill=white)
    line = _fit_font(fonts, "hei", honour, 32, room)
    draw.text((56, 210), honour, font=line, fill=gold)
    if status:
        tag = _fit_font(fonts, "hei", status, 26, room)
        tw = _text_width(tag, status)
        draw.rectangle((56, 266, 56 + tw + 22, 306), fill=gold)
        draw.text((67, 270), status, font=tag, fill=rgb(COLOURS["deep"]))
    return _png(image.convert("RGB"))
