"""The full certificate design: seal spaces of the issuing organs, the border, CJK punctuation.

Pure geometry and text in millimetres and points; the stage (pipeline.stages.certificates) puts
the results into the templates under templates/certificates.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from pipeline.render.fonts import FontSet


from pipeline.certificates.settings import PT_MM
from pipeline.render.fonts import font_tables

SEAL_MM = 42.0
"""Diameter of a round official seal (公章); each issuing organ gets a free circle this wide."""
SEAL_CLEARANCE_MM = 1.0
"""Extra free ring around each seal space (a seal is never stamped exactly)."""
RED = "#a3171e"
"""The certificate's red (title, border rules)."""
GOLD = "#b8903c"
"""The certificate's gold (ornament)."""


@dataclass(frozen=True)
class SealSpace:
    """One issuing organ's signature line and the free circle below it for its seal."""

    organ: str
    """The organ's name as signed."""
    lines: tuple[str, ...]
    """The name as set: one line, or two when three organs would not fit side by side."""
    cx: float
    """Centre of the seal space, mm from the page's left edge (also the centre of the name)."""
    cy: float
    """Centre of the seal space, mm from the page's top edge."""
    diameter: float
    """Diameter of the free circle in mm (SEAL_MM plus the clearance on both sides)."""
    name_top: float
    """Top of the organ's name, mm from the top edge."""
    name_width: float
    """Width of the name's box in mm (centred on cx)."""


@dataclass(frozen=True)
class IssuerLayout:
    """The signature block: organs side by side, a seal space under each, the date under them all."""

    seals: tuple[SealSpace, ...]
    """One per issuing organ, left to right (the first organ left, as GB/T 9704 联合行文 orders seals)."""
    name_size_pt: float
    """Font size of the organ names."""
    line_mm: float
    """Line height of the organ names in mm."""
    date_top: float
    """Top of the date line, mm from the top edge."""
    date_size_pt: float
    """Font size of the date."""
    top: float
    """Top of the whole block (the body text ends above it)."""


def issuer_layout(organs: Sequence[str], page_w: float, page_h: float) -> IssuerLayout:
    """Issuing organs and the page size in mm → names side by side, each above its own free seal circle.

    The seal spaces keep their real size on every page size (a seal is 42 mm on A3 as on A5);
    the type scales with the page. Circles of neighbouring organs never overlap.
    """
    scale = min(page_w / 297, page_h / 210)
    organs = list(organs) or [""]
    n = len(organs)
    diameter = SEAL_MM + 2 * SEAL_CLEARANCE_MM
    avail = page_w - 2 * 40 * scale  # inside the border, clear of the QR code's column on a full block
    size = 16 * scale
    longest = max(len(o) for o in organs)

    def pitch_for(pt: float, chars: int) -> float:
        return max(chars * pt * PT_MM + 8 * scale, diameter + 6 * scale)

    while size > 11 and n * pitch_for(size, longest) > avail:
        size -= 0.5
    two_lines = n * pitch_for(size, longest) > avail
    chars = (longest + 1) // 2 if two_lines else longest
    pitch = max(pitch_for(size, chars), min(avail / n, diameter + 40 * scale))
    line = size * PT_MM * 1.45
    date_size = 16 * scale
    date_top = page_h - 26 * scale - date_size * PT_MM * 1.45
    cy = date_top - 1.5 * scale - diameter / 2
    name_top = cy - diameter / 2 - 1 * scale - line * (2 if two_lines else 1)
    first = page_w / 2 - pitch * (n - 1) / 2
    seals = []
    for i, organ in enumerate(organs):
        half = (len(organ) + 1) // 2
        lines = (organ[:half], organ[half:]) if two_lines and len(organ) > 1 else (organ,)
        seals.append(SealSpace(organ, lines, first + i * pitch, cy, diameter, name_top, pitch - 4 * scale))
    return IssuerLayout(tuple(seals), size, line, date_top, date_size, name_top)


def _unit(x: float, y: float, s: float, rotate: int) -> list[tuple[float, float]]:
    """One 回纹 key in a square of side s at (x, y), as a polyline; rotate 0/90/180/270 degrees."""
    g = s / 5
    pts = [(0, 6), (0, 0.8), (4.2, 0.8), (4.2, 4.2), (1.6, 4.2), (1.6, 2.4), (2.8, 2.4)]  # the leg stands on the rule
    out = []
    for px, py in pts:
        u, v = px * g, py * g
        for _ in range(rotate // 90):
            u, v = s - v, u
        out.append((x + u, y + v))
    return out


def frame_svg(page_w: float, page_h: float) -> str:
    """Page size in mm → the border as SVG (mm units): red rules, a gold 回纹 band, corner blocks."""
    k = min(page_w / 297, page_h / 210)
    outer, band_top, band = 9 * k, 12.2 * k, 5 * k
    inner = band_top + band + 1.0 * k
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{page_w:g}mm" height="{page_h:g}mm" '
             f'viewBox="0 0 {page_w:g} {page_h:g}">',
             f'<rect x="{outer:.3f}" y="{outer:.3f}" width="{page_w - 2 * outer:.3f}" height="{page_h - 2 * outer:.3f}" '
             f'fill="none" stroke="{RED}" stroke-width="{1.6 * k:.3f}"/>']
    for inset, width in ((band_top - 0.9 * k, 0.3 * k), (inner, 0.3 * k)):
        parts.append(f'<rect x="{inset:.3f}" y="{inset:.3f}" width="{page_w - 2 * inset:.3f}" '
                     f'height="{page_h - 2 * inset:.3f}" fill="none" stroke="{GOLD}" stroke-width="{width:.3f}"/>')
    inner_red = inner + 1.3 * k
    parts.append(f'<rect x="{inner_red:.3f}" y="{inner_red:.3f}" width="{page_w - 2 * inner_red:.3f}" '
                 f'height="{page_h - 2 * inner_red:.3f}" fill="none" stroke="{RED}" stroke-width="{0.5 * k:.3f}"/>')
    lines: list[list[tuple[float, float]]] = []
    blocks: list[tuple[float, float]] = []  # corner blocks and the block at the middle of each side
    # the left half of the top band and the top half of the left band; every other stretch is a
    # mirror image of these, so the border is symmetric about both centre lines
    for horizontal in (True, False):
        half = ((page_w if horizontal else page_h) - 2 * (band_top + band) - band) / 2
        count = max(1, round(half / (band * 1.25)))
        step = half / count
        for i in range(count):
            offset = band_top + band + i * step + (step - band) / 2
            unit = _unit(offset, band_top, band, 0) if horizontal else _unit(band_top, offset, band, 270)
            images = [unit, [(page_w - x, y) for x, y in unit]] if horizontal else [
                unit, [(x, page_h - y) for x, y in unit]]
            for image in images:
                lines.append(image)
                lines.append([(x, page_h - y) for x, y in image] if horizontal else [(page_w - x, y) for x, y in image])
    far_x, far_y = page_w - band_top - band, page_h - band_top - band
    mid_x, mid_y = (page_w - band) / 2, (page_h - band) / 2
    blocks += [(band_top, band_top), (far_x, band_top), (band_top, far_y), (far_x, far_y),
               (mid_x, band_top), (mid_x, far_y), (band_top, mid_y), (far_x, mid_y)]
    stroke = f'fill="none" stroke="{GOLD}" stroke-width="{0.42 * k:.3f}" stroke-linejoin="miter" stroke-linecap="square"'
    for pts in lines:
        parts.append(f'<polyline {stroke} points="' + " ".join(f"{x:.3f},{y:.3f}" for x, y in pts) + '"/>')
    for cx, cy in blocks:
        parts.append(f'<rect x="{cx + 0.4 * k:.3f}" y="{cy + 0.4 * k:.3f}" width="{band - 0.8 * k:.3f}" '
                     f'height="{band - 0.8 * k:.3f}" {stroke}/>')
        m, r = band / 2, band * 0.26
        parts.append(f'<polygon fill="{RED}" points="{cx + m:.3f},{cy + m - r:.3f} {cx + m + r:.3f},{cy + m:.3f} '
                     f'{cx + m:.3f},{cy + m + r:.3f} {cx + m - r:.3f},{cy + m:.3f}"/>')
    parts.append("</svg>")
    return "".join(parts)


CJK_OPENING = "“‘（《「『【〔〈"
CJK_CLOSING = "”’）》」』】〕〉"
CJK_STOPS = "。，、；：！？"
CJK_PUNCTUATION = CJK_OPENING + CJK_CLOSING + CJK_STOPS


@functools.cache
def _punctuation_at_left(file: str, index: int) -> bool:
    """True when the face sets 。 in the left half of its em box (mainland style), not centred."""
    from fontTools.pens.boundsPen import BoundsPen

    try:
        with font_tables(file, index) as font:
            glyph = font.getBestCmap().get(ord("。"))  # type: ignore[no-untyped-call]
            if glyph is None:
                return False
            glyphs = font.getGlyphSet()  # type: ignore[no-untyped-call]
            pen = BoundsPen(glyphs)
            glyphs[glyph].draw(pen)
            return pen.bounds is not None and float(pen.bounds[2]) / float(font["head"].unitsPerEm) <= 0.5
    except Exception:  # noqa: BLE001 - an unreadable font: assume it is not mainland style
        return False


def punctuation_role(fonts: FontSet) -> str | None:
    """The role whose face sets Chinese punctuation mainland style, for the 楷体 text; None: 楷体's own."""
    for role in ("kai", "body", "title"):
        face = fonts.roles[role].face
        if _punctuation_at_left(str(face.file), face.index):
            return None if role == "kai" else role
    return None


def typeset(text: str) -> Markup:
    """Text in → HTML with CJK punctuation compressed (标点挤压) and marked for the punctuation face.

    A closing mark or stop followed by another mark loses the blank half of its em (so "”。"
    shows no double gap, per 《中文排版需求》 3.1.6); every mark is wrapped in <span class="pu">
    so that CSS can set it in a face that places it mainland style.
    """
    from markupsafe import escape

    out = []
    for i, ch in enumerate(text):
        if ch not in CJK_PUNCTUATION:
            out.append(str(escape(ch)))
            continue
        following = text[i + 1] if i + 1 < len(text) else ""
        half = ch in CJK_CLOSING + CJK_STOPS and following != "" and following in CJK_PUNCTUATION
        out.append(f'<span class="pu{" half" if half else ""}">{escape(ch)}</span>')
    return Markup("".join(out))
