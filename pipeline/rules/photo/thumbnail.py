"""The contact-sheet thumbnail: what the check saw (face box, sample regions) on a small PNG."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from pipeline.rules.photo.loading import _load, _Unreadable
from pipeline.rules.photo.result import Box, PhotoResult
from pipeline.rules.photo.thresholds import THUMB_LINE

FACE_OK_COLOUR = (0, 200, 0)
"""Face box of a good face (the legend of contact_sheet.html.j2 uses the same colours)."""
FACE_BAD_COLOUR = (230, 0, 0)
"""Face box when the face is wrong (or there are several)."""
SAMPLE_OK_COLOUR = (255, 255, 255)
"""Background sample region that is plain backdrop."""
SAMPLE_BAD_COLOUR = (255, 230, 0)
"""Background region or shadow that is not (drawn with a cross)."""
CROP_COLOUR = (0, 140, 255)
"""Window of the normalised copy, when it is not the whole photo."""
_BLACK = (0, 0, 0)


def outline_box(draw: ImageDraw.ImageDraw, box: Box, scale: float, colour: tuple[int, int, int],
                width: int = THUMB_LINE, cross: bool = False) -> None:
    """A box outlined in `colour` with a thin black edge, visible on any background."""
    x, y, bw, bh = box
    x0, y0 = round(x * scale), round(y * scale)
    x1, y1 = max(x0, round((x + bw) * scale) - 1), max(y0, round((y + bh) * scale) - 1)
    draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=_BLACK, width=1)
    draw.rectangle((x0, y0, x1, y1), outline=colour, width=width)
    if x1 - x0 > 2 * width + 1 and y1 - y0 > 2 * width + 1:
        draw.rectangle((x0 + width, y0 + width, x1 - width, y1 - width), outline=_BLACK, width=1)
    if cross:
        draw.line((x0, y0, x1, y1), fill=colour, width=width)
        draw.line((x0, y1, x1, y0), fill=colour, width=width)


def contact_thumbnail(path: Path, result: PhotoResult, height: int = 220) -> bytes:
    """PNG thumbnail of the oriented original with what the check saw drawn on it.

    `height` pixels high (a picture more than twice as wide as high is made 2 × height wide).
    Face box: green when the face is fine, red otherwise (every face when there are several).
    Background sample regions: white outline when plain backdrop, yellow with a cross when not;
    shadows found on the backdrop: yellow with a cross.
    Normalised-copy window: blue, only when it is not the whole photo. An unreadable or missing
    photo gives a grey placeholder with a cross.
    """
    try:
        loaded = _load(path) if path.is_file() else None
    except _Unreadable:
        loaded = None
    if loaded is None:
        w0, h0 = result.size or (35, 49)
        width = max(1, round(height * w0 / h0))
        image = Image.new("RGB", (width, height), (225, 225, 225))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width - 1, height - 1), outline=(120, 120, 120), width=2)
        draw.line((0, 0, width - 1, height - 1), fill=(160, 160, 160), width=2)
        draw.line((0, height - 1, width - 1, 0), fill=(160, 160, 160), width=2)
    else:
        h0, w0 = loaded.rgb.shape[:2]
        scale = min(height / h0, 2 * height / w0)  # a panorama is not made 100 000 px wide
        width, thumb_h = max(1, round(w0 * scale)), max(1, round(h0 * scale))
        image = Image.fromarray(loaded.rgb, "RGB").resize((width, thumb_h), Image.Resampling.LANCZOS,
                                                          reducing_gap=3.0)
        draw = ImageDraw.Draw(image)
        oks = result.sample_ok or (True,) * len(result.sample_boxes)
        for box, ok in zip(result.sample_boxes, oks, strict=False):
            outline_box(draw, box, scale, SAMPLE_OK_COLOUR if ok else SAMPLE_BAD_COLOUR,
                        width=1 if ok else THUMB_LINE, cross=not ok)
        for box in result.shadow_boxes:
            outline_box(draw, box, scale, SAMPLE_BAD_COLOUR, width=THUMB_LINE, cross=True)
        if result.crop_box is not None and result.crop_box != (0, 0, w0, h0):
            outline_box(draw, result.crop_box, scale, CROP_COLOUR, width=THUMB_LINE)
        faces = result.faces or ((result.face_box,) if result.face_box else ())
        colour = FACE_OK_COLOUR if result.face_ok else FACE_BAD_COLOUR
        for face in faces:
            outline_box(draw, face, scale, colour, width=THUMB_LINE + 1)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    return buf.getvalue()
