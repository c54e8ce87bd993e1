"""Colours of the media kit: sRGB for screens, device-cmyk for the press (colour and black-only).

Print files set every text in 100 % black on the K plate (`text`); the other colours are for
rules, frames and bands only. In colour they go through the press profile with the ink limit;
in the black-and-white edition each becomes its luma as a K tint.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from pipeline.core import atomic
from pipeline.media.prepress import PressProfile, cmyk_colour, photo_key, placed_photo
from pipeline.render.fonts import ROLES, FontSet

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


TEXT_BLACK = "device-cmyk(0 0 0 1)"
"""Every printed text: 100 % K, nothing on C, M or Y."""
REGISTRATION = "device-cmyk(1 1 1 1)"
"""Crop marks: on every plate, so the printer can register and trim each one."""


def palette(grey: bool) -> dict[str, str]:
    """The named colours (sRGB), or for the grey-scale edition their luma as black-plate tints."""
    return {k: _grey(v) for k, v in COLOURS.items()} if grey else dict(COLOURS)


def press_palette(grey: bool, profile: PressProfile, ink_limit: float) -> dict[str, str]:
    """Named colours for a print file: device-cmyk through the profile (or K tints), plus `text` and `marks`."""
    out = {k: _grey(v) if grey else cmyk_colour(v, profile, ink_limit) for k, v in COLOURS.items()}
    out["white"] = "device-cmyk(0 0 0 0)"
    out["text"] = TEXT_BLACK
    out["marks"] = TEXT_BLACK if grey else REGISTRATION
    return out


def rgb(hex_colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    """'#b3171e' → (179, 23, 30, alpha)."""
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16), alpha)


def pil_font(file: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font from a font file (face `index` of a collection) at `size` pixels."""
    return ImageFont.truetype(str(file), size=size, index=index)


@functools.lru_cache(maxsize=8)
def _unit_font(file: Path, index: int) -> ImageFont.FreeTypeFont:
    """A face at 1000 px, for measuring."""
    return pil_font(file, index, 1000)


def name_width_mm(fonts: FontInfo) -> Callable[[str, float], float]:
    """The face names are set in (bold 黑体) → a function: text and size (pt) → its width (mm),
    from the face's own advance widths (2 % wider for shaping; 5 % when the bold is synthesised)."""
    file, index = fonts.files["hei_bold"]
    face = _unit_font(file, index)
    safety = 1.05 if fonts.faux_bold else 1.02

    def width(text: str, size: float) -> float:
        """Width in mm of text at size points."""
        return face.getlength(text) / 1000 * size * 25.4 / 72 * safety

    return width


def grey_jpeg(source: Path, folder: Path, *, width_mm: float | None = None, min_dpi: int = 300) -> Path:
    """A colour JPEG → the same picture as a grey-scale JPEG at its printed width (`width_mm`, at min_dpi:
    prepress.placed_photo), cached in `folder` under a name made from its content and settings."""
    target = folder / f"{photo_key(source, 'grey', width_mm, min_dpi)}.jpg"
    if target.is_file():
        return target
    rgb, dpi = placed_photo(source, width_mm, min_dpi)
    buf = io.BytesIO()
    rgb.convert("L").save(buf, "JPEG", quality=92, dpi=dpi, optimize=False)
    folder.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(target, buf.getvalue())
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
    """Font file and face index per role, for Pillow; 'hei_bold' is the bold weight of 黑体."""
    faux_bold: bool = False
    """True when 黑体 has no bold face installed (Pillow then strokes the regular one)."""


def _bold_face(family: str) -> tuple[Path, int] | None:
    """A family → its bold face (file, index) as fontconfig finds it, None when it has none."""
    import subprocess

    try:
        out = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}|%{weight}", f"{family}:bold"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    families, file, index, weight = (out.split("|") + ["", "", "", ""])[:4]
    if family not in families.split(",") or not weight.isdigit() or int(weight) < 200:
        return None
    return Path(file), int(index or 0)


def font_info(fonts: FontSet) -> FontInfo:
    """A FontSet → FontInfo for templates and Pillow drawings."""
    files = {r: (fonts.roles[r].face.file, fonts.roles[r].face.index) for r in ROLES}
    hei = fonts.roles["hei"].face
    bold = (hei.file, hei.index) if hei.bold else _bold_face(hei.family)
    files["hei_bold"] = bold or files["hei"]
    return FontInfo(
        css=fonts.css(),
        stacks={r: fonts.stack(r) for r in ROLES},
        weights={r: fonts.roles[r].css_weight for r in ROLES},
        files=files,
        faux_bold=bold is None,
    )

