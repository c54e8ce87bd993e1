"""Colours of the media kit, and their grey-scale equivalents for the black-and-white press."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFont

from pipeline.fonts import ROLES, FontSet

COLOURS: dict[str, str] = {
    "red": "#b3171e",
    "deep": "#8a0f14",
    "gold": "#d8a23a",
    "gold_dark": "#9a6a12",
    "ink": "#1b1b1b",
    "paper": "#fffaf2",
    "rule": "#e3c9a0",
    "muted": "#5b4a3a",
    "white": "#ffffff",
    "black": "#000000",
}
"""Named colours used by the templates (colour edition)."""


def _grey(hex_colour: str) -> str:
    """A colour → its Rec. 601 luma as a black-only CMYK tint (device-cmyk(0 0 0 k)), for one-plate printing."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return f"device-cmyk(0 0 0 {1 - y / 255:.3f})"


def palette(grey: bool) -> dict[str, str]:
    """The named colours (sRGB), or for the grey-scale edition their luma as black-plate tints."""
    return {k: _grey(v) for k, v in COLOURS.items()} if grey else dict(COLOURS)


def rgb(hex_colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    """'#b3171e' → (179, 23, 30, alpha)."""
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16), alpha)


def pil_font(file: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font from a font file (face `index` of a collection) at `size` pixels."""
    return ImageFont.truetype(str(file), size=size, index=index)


def grey_jpeg(source: Path, target: Path) -> Path:
    """A colour JPEG → the same picture as a grey-scale JPEG (same pixels and dpi), written to target."""
    with Image.open(source) as im:
        dpi = im.info.get("dpi", (300, 300))
        grey = im.convert("L")
    target.parent.mkdir(parents=True, exist_ok=True)
    grey.save(target, "JPEG", quality=92, dpi=dpi, optimize=False)
    return target


@dataclass(frozen=True)
class FontInfo:
    """The resolved fonts as the templates need them."""

    css: str
    """FontSet.css(): custom properties and classes."""
    stacks: dict[str, str]
    """CSS font-family value per role (title, body, hei, kai)."""
    weights: dict[str, str]
    """CSS font-weight per role."""
    files: dict[str, tuple[Path, int]]
    """Font file and face index per role, for Pillow."""


def font_info(fonts: FontSet) -> FontInfo:
    """A FontSet → FontInfo for templates and Pillow drawings."""
    return FontInfo(
        css=fonts.css(),
        stacks={r: fonts.stack(r) for r in ROLES},
        weights={r: fonts.roles[r].css_weight for r in ROLES},
        files={r: (fonts.roles[r].face.file, fonts.roles[r].face.index) for r in ROLES},
    )


def data_uri(path: Path) -> str:
    """A JPEG/PNG file → a data: URI (image names in the PDF then depend on content, not on the path)."""
    import base64

    kind = "png" if path.suffix.lower() == ".png" else "jpeg"
    return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
